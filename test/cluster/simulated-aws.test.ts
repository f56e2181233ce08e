import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyAll, ARGOCD_MANAGER, Cluster, condition, objectRef, writeReport, type KubeObject } from './harness';
import { renderPreview } from './harness/manifests';
import { waitFor } from './harness/process';
import { startSimulatedAws, type RunningSimulatedAws } from './harness/simulated-aws';

// simulated-aws (the SIMULATED provider-upjet-aws) against a real API server: one preview and one
// production environment's network and database manifests from dist/, applied as Argo CD applies them.

const AWS_GROUP = /\.aws\.m\.upbound\.io\//;
const RESOLVER_MANAGER = 'managed.crossplane.io/api-simple-reference-resolver';
const FINALIZER = 'finalizer.managedresource.crossplane.io';

let cluster: Cluster;
let aws: RunningSimulatedAws;
const report: Record<string, unknown> = {};

/** The namespace, ProviderConfig and network/database managed resources of one environment. */
function networkAndDatabase(env: string): KubeObject[] {
  const objects = cluster.dist.environments.get(env) ?? renderedPreviews.get(env);
  if (!objects) throw new Error(`dist has no environment ${env}`);
  const component = (o: KubeObject) => o.metadata.labels?.['app.kubernetes.io/component'] ?? '';
  return objects.filter(
    (o) =>
      o.kind === 'Namespace' ||
      (o.kind === 'ProviderConfig' && o.apiVersion.startsWith('aws.m.upbound.io/')) ||
      (AWS_GROUP.test(o.apiVersion) && ['network', 'database', 'secrets'].includes(component(o))),
  );
}

function managed(objects: readonly KubeObject[]): KubeObject[] {
  return objects.filter((o) => AWS_GROUP.test(o.apiVersion));
}

/** JSON with object keys sorted, so that two serializations of equal values compare equal. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function live(o: KubeObject): Promise<KubeObject | undefined> {
  return cluster.admin.find(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
}

async function remove(o: KubeObject): Promise<void> {
  await cluster.admin.delete(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
}

function find(objects: readonly KubeObject[], kind: string, name: string): KubeObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name}`);
  return o;
}

/** Names of environments: the first preview and the first production one in dist/. */
function environment(profile: 'preview' | 'production'): string {
  for (const [name, objects] of cluster.dist.environments) {
    const vpc = objects.find((o) => o.kind === 'VPC');
    if (vpc?.spec?.forProvider?.tags?.Environment === profile) return name;
  }
  // dist/ holds long-lived environments only; pull requests' previews are rendered as the preview workflow does
  if (profile === 'preview') return previewOf(1);
  throw new Error(`dist has no ${profile} environment`);
}

/** Previews rendered by `npm run preview:render`, by environment name. */
const renderedPreviews = new Map<string, KubeObject[]>();
function previewOf(pr: number): string {
  renderedPreviews.set(`pr${pr}`, renderPreview(pr));
  return `pr${pr}`;
}

let preview: KubeObject[];
let production: KubeObject[];

beforeAll(async () => {
  // nothing here needs namespace deletion or garbage collection
  cluster = await Cluster.start({ providerKubernetes: false, controllerManager: false });
  aws = await startSimulatedAws(cluster.cp, {
    delay: '1s',
    extraArgs: ['--slow-delay', '4s', '--poll-interval', '5s'],
  });
  preview = networkAndDatabase(environment('preview'));
  production = networkAndDatabase(environment('production'));
  const started = performance.now();
  const failures = await applyAll(cluster.admin, [...preview, ...production], { fieldManager: ARGOCD_MANAGER });
  expect(failures).toEqual([]);
  const pending = new Set(managed([...preview, ...production]).map(objectRef));
  const readyAfter: Record<string, number> = {};
  await waitFor(
    'every network and database managed resource Ready and Synced',
    async () => {
      for (const o of managed([...preview, ...production])) {
        if (!pending.has(objectRef(o))) continue;
        const l = await live(o);
        if (condition(l, 'Ready').status === 'True' && condition(l, 'Synced').status === 'True') {
          pending.delete(objectRef(o));
          readyAfter[objectRef(o)] = Math.round((performance.now() - started) / 100) / 10;
        }
      }
      return pending.size === 0 ? true : undefined;
    },
    5 * 60_000,
    aws.process,
  );
  report.readySeconds = readyAfter;
  report.managedResources = Object.keys(readyAfter).length;
}, 15 * 60_000);

afterAll(async () => {
  report.awsActions = aws?.actions();
  writeReport('simulated-aws', report);
  await cluster?.stop('simulated-aws');
});

describe('SimulatedAws', () => {
  test('GIVEN network and database applied WHEN converged THEN it says it is simulated and every create is recorded once', async () => {
    const log = fs.readFileSync(aws.process.logFile, 'utf8');
    expect(log).toContain('SIMULATED AWS provider');
    const creates = aws.actions().filter((a) => a.action === 'create');
    const expected = managed([...preview, ...production])
      .map(objectRef)
      .sort();
    expect(creates.map((a) => `${a.kind} ${a.namespace}/${a.name}`).sort()).toEqual(expected);
    expect(
      creates.every((a) => a.simulated === true && typeof a.externalName === 'string' && a.externalName !== ''),
    ).toBe(true);
  });

  test('GIVEN converged resources THEN each carries the managed finalizer, an external name and Ready=True (Available)', async () => {
    for (const o of managed([...preview, ...production])) {
      const l = (await live(o))!;
      expect([objectRef(o), l.metadata.finalizers]).toEqual([objectRef(o), expect.arrayContaining([FINALIZER])]);
      expect([objectRef(o), condition(l, 'Ready').reason, condition(l, 'Synced').reason]).toEqual([
        objectRef(o),
        'Available',
        'ReconcileSuccess',
      ]);
      expect([objectRef(o), l.metadata.annotations?.['crossplane.io/external-name']]).toEqual([
        objectRef(o),
        expect.any(String),
      ]);
    }
  });

  test('GIVEN subnets referring to the VPC by vpcIdRef THEN vpcId holds the VPC id, applied by the reference resolver field manager', async () => {
    const vpc = (await live(preview.find((o) => o.kind === 'VPC')!))!;
    const vpcId = vpc.metadata.annotations!['crossplane.io/external-name'];
    expect(vpcId).toMatch(/^vpc-0[0-9a-f]{16}$/);
    expect(vpc.status.atProvider.id).toBe(vpcId);
    for (const s of preview.filter((o) => o.kind === 'Subnet')) {
      const l = (await live(s))!;
      expect(l.spec.forProvider.vpcId).toBe(vpcId);
      expect(l.status.atProvider.id).toMatch(/^subnet-0[0-9a-f]{16}$/);
      const entry = l.metadata.managedFields!.find((m) => m.manager === RESOLVER_MANAGER);
      expect(entry?.operation).toBe('Apply');
      expect(JSON.stringify(entry?.fieldsV1)).toContain('"f:vpcId"');
    }
  });

  test('GIVEN the database THEN the subnet group holds the private subnets, instances the cluster id, and endpoints are Aurora-shaped', async () => {
    const group = (await live(preview.find((o) => o.kind === 'SubnetGroup')!))!;
    const privateIds = await Promise.all(
      (group.spec.forProvider.subnetIdRefs as { name: string }[]).map(
        async (r) =>
          (await live(find(preview, 'Subnet', r.name)))!.metadata.annotations!['crossplane.io/external-name'],
      ),
    );
    expect([...group.spec.forProvider.subnetIds].sort()).toEqual([...privateIds].sort());
    const clusterObj = (await live(
      preview.find((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('rds.')) as KubeObject,
    ))!;
    const name = clusterObj.metadata.name;
    expect(clusterObj.status.atProvider.endpoint).toMatch(
      new RegExp(`^${name}\\.cluster-[a-z0-9]{12}\\.[a-z0-9-]+\\.rds\\.amazonaws\\.com$`),
    );
    expect(clusterObj.status.atProvider.readerEndpoint).toMatch(new RegExp(`^${name}\\.cluster-ro-[a-z0-9]{12}\\.`));
    for (const i of preview.filter((o) => o.kind === 'ClusterInstance')) {
      expect((await live(i))!.spec.forProvider.clusterIdentifier).toBe(clusterObj.status.atProvider.id);
    }
    report.endpoints = {
      writer: clusterObj.status.atProvider.endpoint,
      reader: clusterObj.status.atProvider.readerEndpoint,
    };
  });

  test('GIVEN converged resources WHEN argocd-controller server-side dry-runs the same manifests THEN no spec changes', async () => {
    const changed: string[] = [];
    for (const o of managed([...preview, ...production])) {
      const before = (await live(o))!;
      const after = await cluster.admin.apply(o, { fieldManager: ARGOCD_MANAGER, dryRun: true });
      if (canonical(after.spec) !== canonical(before.spec)) changed.push(objectRef(o));
    }
    expect(changed).toEqual([]);
  });

  test('GIVEN a subnet referring to a VPC that does not exist THEN Synced=False with crossplane-runtime reason and message', async () => {
    const ns = preview[0].metadata.namespace ?? preview.find((o) => o.metadata.namespace)!.metadata.namespace!;
    const subnet = structuredClone(preview.find((o) => o.kind === 'Subnet')!);
    subnet.metadata = { name: 'subnet-orphan-ref', namespace: ns };
    subnet.spec.forProvider.vpcIdRef = { name: 'vpc-missing' };
    await cluster.admin.apply(subnet, { fieldManager: ARGOCD_MANAGER });
    const synced = await waitFor(
      'Synced=False on the subnet',
      async () => {
        const c = condition(await live(subnet), 'Synced');
        return c.status === 'False' ? c : undefined;
      },
      60_000,
      aws.process,
    );
    expect(synced.reason).toBe('ReconcileError');
    expect(synced.message).toBe(
      'cannot resolve references: mg.Spec.ForProvider.VPCID: cannot get referenced resource: vpcs.ec2.aws.m.upbound.io "vpc-missing" not found',
    );
    await remove(subnet);
  });

  test('GIVEN Observe-only VPCs THEN one naming an existing VPC is observed and one naming none is reported missing; neither is created', async () => {
    const ns = production.find((o) => o.kind === 'VPC')!.metadata.namespace!;
    const base = structuredClone(production.find((o) => o.kind === 'VPC')!);
    const seeded: KubeObject = {
      ...base,
      metadata: {
        name: 'vpc-imported',
        namespace: ns,
        annotations: { 'crossplane.io/external-name': 'vpc-0fedcba9876543210' },
      },
      spec: { ...base.spec, managementPolicies: ['Observe'] },
    };
    const missing: KubeObject = { ...seeded, metadata: { name: 'vpc-not-there', namespace: ns } };
    expect(await applyAll(cluster.admin, [seeded, missing], { fieldManager: ARGOCD_MANAGER })).toEqual([]);
    const observed = await waitFor(
      'the imported VPC observed',
      async () => {
        const l = await live(seeded);
        return condition(l, 'Ready').status === 'True' && l?.status?.atProvider?.id ? l : undefined;
      },
      60_000,
      aws.process,
    );
    expect(observed.status.atProvider.id).toBe('vpc-0fedcba9876543210');
    expect(observed.spec.forProvider.tags['crossplane-kind']).toBeUndefined();
    const notThere = await waitFor(
      'the missing VPC reported',
      async () => {
        const c = condition(await live(missing), 'Synced');
        return c.status === 'False' ? c : undefined;
      },
      60_000,
      aws.process,
    );
    expect(notThere.message).toBe('observe failed: external resource does not exist');
    expect(aws.actions().filter((a) => a.name === 'vpc-imported' || a.name === 'vpc-not-there')).toEqual([]);
  });

  test('GIVEN production database resources without the Delete policy WHEN deleted THEN nothing is deleted in AWS, only orphaned', async () => {
    const stateful = production.filter(
      (o) =>
        o.apiVersion.startsWith('rds.') &&
        !(o.spec.managementPolicies ?? ['*']).some((p: string) => p === 'Delete' || p === '*'),
    );
    expect(stateful.length).toBeGreaterThan(0);
    for (const o of stateful) await remove(o);
    await waitFor(
      'the production database objects gone',
      async () => ((await Promise.all(stateful.map(live))).every((l) => l === undefined) ? true : undefined),
      120_000,
      aws.process,
    );
    const actions = aws.actions().filter((a) => stateful.some((o) => o.metadata.name === a.name && o.kind === a.kind));
    expect(actions.filter((a) => a.action === 'delete')).toEqual([]);
    expect(
      actions
        .filter((a) => a.action === 'orphan')
        .map((a) => `${a.kind} ${a.name}`)
        .sort(),
    ).toEqual(stateful.map((o) => `${o.kind} ${o.metadata.name}`).sort());
  });

  test('GIVEN preview database instances with default policies WHEN deleted THEN each is deleted in AWS after the delay and its finalizer removed', async () => {
    const instances = preview.filter((o) => o.kind === 'ClusterInstance');
    for (const o of instances) await remove(o);
    const deleting = await live(instances[0]);
    expect(deleting?.metadata.finalizers).toEqual([FINALIZER]);
    await waitFor(
      'the preview instances gone',
      async () => ((await Promise.all(instances.map(live))).every((l) => l === undefined) ? true : undefined),
      120_000,
      aws.process,
    );
    const deletes = aws.actions().filter((a) => a.action === 'delete');
    expect(deletes.map((a) => a.name).sort()).toEqual(instances.map((o) => o.metadata.name).sort());
    expect(fs.existsSync(path.join(cluster.cp.dir, 'simulated-aws.jsonl'))).toBe(true);
  });
});
