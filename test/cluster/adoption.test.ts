import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  adoptionRepository,
  inventoryFromState,
  runAdopt,
  setPhase,
  synthInto,
  writeInventory,
  type AdoptionRepository,
  type InventoryResource,
} from './harness/adoption';
import { PROJECT_DIR } from './harness/binaries';
import { finalHealth, lateBindings, valueAt } from './harness/checks';
import { ApiError, condition, objectRef, writeReport, type KubeObject } from './harness';
import { loadDist } from './harness/manifests';
import { waitFor } from './harness/process';
import type { AwsAction } from './harness/simulated-aws';
import { argoFailure, Stack } from './harness/stack';

// The cut-over from the CDKTF stack on the management cluster, as a user runs it (README "Adopting the CDKTF
// stack"): AWS already holds what the Terraform state of production lists (the SIMULATED account of
// `simulated-aws --inventory`); `npm run adopt` writes the adoption file in a repository of its own; synth and sync
// in `observe`, then in `manage`, then the environment is deleted. Everything but the AWS provider is the real
// program built from its Go module.

const SUFFIX = 'prod';
const STATE = path.join(PROJECT_DIR, 'test', 'fixtures', 'adoption', 'prod.show.json');

let repo: AdoptionRepository;
let adoption: any;
let inventory: InventoryResource[];
let stack: Stack;

beforeAll(async () => {
  repo = adoptionRepository(SUFFIX);
  adoption = runAdopt(repo, STATE);
  const dist = synthInto(repo, 'observe');
  inventory = inventoryFromState(STATE);
  const inventoryFile = writeInventory(repo, inventory);
  // no pull request is open: production is the one environment
  stack = await Stack.start({
    dist: loadDist(dist),
    pullRequests: [],
    aws: { extraArgs: ['--inventory', inventoryFile] },
  });
}, 900_000);

afterAll(async () => {
  await stack?.stop('adoption');
  if (repo) fs.rmSync(repo.root, { recursive: true, force: true });
}, 120_000);

const group = (apiVersion: string) => apiVersion.split('/')[0];
/** `<api group>/<Kind>/<name>`, as the adoption file and report key resources. */
const keyOf = (o: { apiVersion: string; kind: string; metadata?: { name: string }; name?: string }) =>
  `${group(o.apiVersion)}/${o.kind}/${o.metadata?.name ?? o.name}`;
const isAws = (o: KubeObject) => /\.aws\.m\.upbound\.io\//.test(o.apiVersion);

/** Every AWS managed resource of the environment: the objects and the manifests wrapped in provider-kubernetes Objects. */
function managedOf(objects: readonly KubeObject[]): KubeObject[] {
  return objects.flatMap((o) =>
    isAws(o)
      ? [o]
      : o.kind === 'Object' && isAws(o.spec?.forProvider?.manifest ?? {})
        ? [o.spec.forProvider.manifest]
        : [],
  );
}

const adopted = () =>
  new Map<string, any>(adoption.resources.filter((r: any) => r.action === 'adopt').map((r: any) => [r.resource, r]));
const createdAnew = () =>
  new Set<string>(adoption.resources.filter((r: any) => r.action === 'create').map((r: any) => r.resource));
const actionKey = (a: AwsAction) => `${group(String(a.apiVersion))}/${a.kind}/${a.name}`;

/** The state resource (its attributes) a report entry adopted, by its Terraform address. */
function stateValues(address: string): Record<string, unknown> | undefined {
  const data = JSON.parse(fs.readFileSync(STATE, 'utf8'));
  return (data.values.root_module.resources as any[]).find((r) => r.address === address)?.values;
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The live state of every managed resource (undefined when it is not there). */
async function live(objects: readonly KubeObject[]): Promise<Map<string, KubeObject | undefined>> {
  const out = new Map<string, KubeObject | undefined>();
  for (const m of managedOf(objects)) {
    out.set(keyOf(m), await stack.cluster.admin.find(m.apiVersion, m.kind, m.metadata.namespace, m.metadata.name));
  }
  return out;
}

function notReady(l: Map<string, KubeObject | undefined>): string[] {
  return [...l]
    .filter(([, o]) => condition(o, 'Ready').status !== 'True' || condition(o, 'Synced').status !== 'True')
    .map(
      ([k, o]) =>
        `${k}: Ready ${condition(o, 'Ready').status} Synced ${condition(o, 'Synced').status} ${condition(o, 'Synced').message ?? ''}`,
    );
}

/** Wait until the SIMULATED provider has recorded nothing new for `quietMs` (async operations finished). */
async function quiet(quietMs = 30_000): Promise<void> {
  let last = -1;
  let since = performance.now();
  await waitFor(
    'the simulated AWS provider to finish its operations',
    async () => {
      const n = stack.aws.actions().length;
      if (n !== last) [last, since] = [n, performance.now()];
      return performance.now() - since >= quietMs ? true : undefined;
    },
    600_000,
    stack.aws.process,
  );
}

/** `spec.forProvider.<top>` of a field path, or `spec.forProvider.tags.<key>`: the granularity both sides share. */
function normalized(field: string): string {
  const m = /^spec\.forProvider\.([^.[]+)(?:\.([^.[]+))?/.exec(field);
  if (!m) return field;
  return m[1] === 'tags' && m[2] ? `tags.${m[2]}` : m[1];
}

/** The environment's namespace. */
const namespaceOf = (objects: readonly KubeObject[]) => objects.find((o) => o.kind === 'Namespace')!.metadata.name;

/** What the SIMULATED provider did in the environment's namespace, from the `from`th recorded action on. */
const envActions = (ns: string, from = 0) =>
  stack.aws
    .actions()
    .slice(from)
    .filter((a) => a.namespace === ns);

interface PhaseSync {
  readonly phase: 'observe' | 'manage';
  readonly objects: readonly KubeObject[];
  /** Recorded actions before this phase's sync. */
  readonly before: number;
  readonly runs: { app: string; code: number; report: any; failure?: string }[];
  /** Set when the managed resources did not all become Ready and Synced. */
  readonly unsettled?: string;
}

const phases = new Map<string, Promise<PhaseSync>>();

/**
 * Sync one phase once (observe: the platform, then production; manage: the adoption file's phase switched as the
 * user does, synthesized again, production synced). Argo CD's verdict is kept, not thrown: the AWS side is judged
 * on its own once every managed resource is Ready and Synced (or 5 minutes passed) and the provider is quiet.
 */
function phaseSync(phase: 'observe' | 'manage'): Promise<PhaseSync> {
  if (!phases.has(phase)) {
    phases.set(
      phase,
      (async () => {
        const app = stack.environmentApps().get(SUFFIX)!;
        let objects = stack.cluster.dist.environments.get(SUFFIX)!;
        const apps = [stack.platformApp(), app];
        if (phase === 'manage') {
          await phaseSync('observe');
          setPhase(repo, 'manage');
          const dist = synthInto(repo, 'manage');
          stack.distFor.set(app.metadata.name, dist);
          objects = loadDist(dist).environments.get(SUFFIX)!;
          apps.shift();
        }
        const before = stack.aws.actions().length;
        const runs: PhaseSync['runs'] = [];
        for (const a of apps) {
          const run = await stack.argo('sync', a.metadata.name, `adoption-${phase}`, { timeout: '10m' });
          runs.push({
            app: a.metadata.name,
            code: run.code,
            report: run.report,
            failure: run.code === 0 ? undefined : (run.report?.message ?? argoFailure(a.metadata.name, run).message),
          });
          if (run.code !== 0 && a !== app) break;
        }
        let unsettled: string | undefined;
        try {
          await waitFor(
            'every managed resource to be Ready and Synced',
            async () => (notReady(await live(objects)).length === 0 ? true : undefined),
            180_000,
            stack.aws.process,
          );
        } catch (e) {
          unsettled = (e as Error).message.split('\n')[0];
        }
        await quiet();
        return { phase, objects, before, runs, unsettled };
      })(),
    );
  }
  return phases.get(phase)!;
}

/** Argo CD's verdict on a phase's sync: failed syncs, objects ever Degraded or finally not Healthy, unbound late-bound fields. */
async function argoVerdict(s: PhaseSync) {
  const reports = s.runs.map((r) => r.report);
  const bindings = await lateBindings(stack.cluster.admin, s.objects);
  return {
    failedSyncs: s.runs.filter((r) => r.code !== 0).map((r) => `${r.app}: ${r.failure}`),
    everDegraded: [
      ...new Set(
        reports
          .flatMap((r) => r?.health ?? [])
          .filter((h: any) => h.status === 'Degraded')
          .map((h: any) => `${h.kind} ${h.namespace}/${h.name}: ${h.message}`),
      ),
    ],
    notHealthy: [...finalHealth(reports)]
      .filter(([, h]) => h.status !== 'Healthy' && h.status !== 'None')
      .map(([o, h]) => `${o}: ${h.status} ${h.message}`),
    unboundLateBindings: bindings
      .filter((b) => !b.ok)
      .map((b) => `${b.target} ${b.toFieldPath} <- ${b.source} ${b.fieldPath}`),
  };
}

/** Syncs `phase` (once per run) and expects Argo CD's verdict on it to be converged; reported as adoption-<phase>-argocd. */
async function expectConverged(phase: 'observe' | 'manage'): Promise<void> {
  const s = await phaseSync(phase);
  const verdict = await argoVerdict(s);
  writeReport(`adoption-${phase}-argocd`, {
    ...verdict,
    unsettled: s.unsettled,
    syncs: s.runs.map(({ report: _r, ...r }) => r),
  });
  expect(verdict).toEqual({ failedSyncs: [], everDegraded: [], notHealthy: [], unboundLateBindings: [] });
}

describe('Cut-over: observe', () => {
  test('GIVEN AWS holding the Terraform state of production and the adoption in phase observe WHEN the platform and production are synced THEN Argo CD finds every object Healthy, none ever Degraded, and every late-bound field holds its source value', async () => {
    await expectConverged('observe');
  }, 1_800_000);

  test('GIVEN the same sync THEN every managed resource is Ready from observation only, AWS sees no write to an adopted resource, only the resources the report creates anew are created, and values read from adopted resources are what the state holds', async () => {
    const s = await phaseSync('observe');
    const ns = namespaceOf(s.objects);
    const report: Record<string, unknown> = {
      simulatedInventory: inventory.length,
      adoption: { adopted: adopted().size, createdAnew: [...createdAnew()] },
    };
    try {
      const l = await live(s.objects);
      const actions = envActions(ns);
      const writesToAdopted = actions.filter((a) => adopted().has(actionKey(a)));
      const policies = [...adopted().keys()].filter(
        (k) => JSON.stringify(valueAt(l.get(k), 'spec.managementPolicies')) !== '["Observe"]',
      );
      const names = [...adopted()]
        .filter(([k, r]) => l.get(k)?.metadata.annotations?.['crossplane.io/external-name'] !== r.externalName)
        .map(([k]) => k);
      // a late-bound value read from an adopted resource is what the state says AWS holds
      const bindings = (await lateBindings(stack.cluster.admin, s.objects)).map((b) => {
        const [kind, name] = b.source.split(' ');
        const entry = [...adopted().values()].find((r: any) =>
          r.resource.endsWith(`/${kind}/${name.split('/').pop()}`),
        );
        const stateValue = entry
          ? valueAt(
              stateValues(entry.terraform),
              b.fieldPath
                .replace(/^status\.atProvider\./, '')
                .split('.')
                .map(snake)
                .join('.'),
            )
          : undefined;
        return { ...b, adopted: entry !== undefined, stateValue };
      });
      const fromAdopted = bindings.filter((b) => b.adopted);
      Object.assign(report, {
        notReady: notReady(l),
        awsActions: actions,
        writesToAdopted,
        policiesNotObserve: policies,
        externalNamesDiffer: names,
        readFromAdopted: fromAdopted,
      });
      expect(notReady(l)).toEqual([]);
      expect(policies).toEqual([]);
      expect(names).toEqual([]);
      expect(writesToAdopted).toEqual([]);
      expect(actions.filter((a) => a.action !== 'create')).toEqual([]);
      expect(actions.map(actionKey).sort()).toEqual([...createdAnew()].sort());
      expect(fromAdopted.filter((b) => b.sourceValue !== b.stateValue)).toEqual([]);
      // the outputs: CloudFront domain, ALB DNS name and both DB endpoints, read from what AWS holds
      const outputs = fromAdopted.filter((b) => b.target.startsWith('ConfigMap'));
      expect(outputs.map((b) => b.ok)).toEqual([true, true, true, true]);
    } finally {
      writeReport('adoption-observe', report);
    }
  }, 1_800_000);

  test('GIVEN an Observe-only resource whose external resource does not exist WHEN reconciled THEN it is Synced=False "observe failed: external resource does not exist", never Ready, nothing is created, and deleting it touches nothing', async () => {
    const s = await phaseSync('observe');
    const vpc = managedOf(s.objects).find((o) => o.kind === 'VPC')!;
    const ns = vpc.metadata.namespace;
    const missing: KubeObject = {
      apiVersion: vpc.apiVersion,
      kind: vpc.kind,
      metadata: {
        name: 'vpc-not-in-aws',
        namespace: ns,
        // a well-formed VPC id the account does not hold
        annotations: { 'crossplane.io/external-name': 'vpc-0000000000000000f' },
      },
      spec: { ...vpc.spec, managementPolicies: ['Observe'] },
    };
    const report: Record<string, unknown> = { object: objectRef(missing) };
    try {
      await stack.cluster.admin.apply(missing, { fieldManager: 'cluster-test' });
      // crossplane-runtime v2.2.0 pkg/reconciler/managed/reconciler.go:1140-1145
      const seen = await waitFor(
        `${objectRef(missing)} to report the missing resource`,
        async () => {
          const o = await stack.cluster.admin.get(missing.apiVersion, missing.kind, ns, missing.metadata.name);
          const c = condition(o, 'Synced');
          return c.status === 'False' ? { synced: c, ready: condition(o, 'Ready') } : undefined;
        },
        120_000,
        stack.aws.process,
      );
      report.observed = seen;
      expect(seen.synced).toMatchObject({
        status: 'False',
        reason: 'ReconcileError',
        message: 'observe failed: external resource does not exist',
      });
      expect(seen.ready.status).toBeUndefined();
      await stack.cluster.admin.delete(missing.apiVersion, missing.kind, ns, missing.metadata.name);
      await waitFor(
        `${objectRef(missing)} to be gone`,
        async () =>
          (await stack.cluster.admin.find(missing.apiVersion, missing.kind, ns, missing.metadata.name))
            ? undefined
            : true,
        120_000,
      );
      const touched = stack.aws.actions().filter((a) => a.name === missing.metadata.name);
      report.awsActions = touched;
      expect(touched).toEqual([]);
    } finally {
      writeReport('adoption-observe-missing', report);
    }
  }, 600_000);
});

describe('Cut-over: manage', () => {
  test('GIVEN the observed environment WHEN the adoption file is switched to manage, synthesized and synced THEN Argo CD finds every object Healthy, none ever Degraded, and every late-bound field holds its source value', async () => {
    await expectConverged('manage');
  }, 2_400_000);

  test('GIVEN the same sync THEN AWS sees no create and no delete of an adopted resource, no create at all, and exactly the in-place changes the drift report predicted plus the tags the provider adds', async () => {
    const s = await phaseSync('manage');
    const ns = namespaceOf(s.objects);
    const report: Record<string, unknown> = {};
    try {
      const l = await live(s.objects);
      const actions = envActions(ns, s.before);
      // what the report predicts: its in-place and model-only drift (both applied in place on manage)
      const predicted = new Map<string, Set<string>>();
      const add = (m: Map<string, Set<string>>, k: string, f: string) =>
        (m.get(k) ?? m.set(k, new Set()).get(k)!).add(f);
      for (const d of adoption.drift as any[]) {
        if (d.class === 'follow-state') continue;
        if (d.field === 'spec.forProvider.tags' && d.state === null) {
          Object.keys(d.desired).forEach((k) => add(predicted, d.resource, `tags.${k}`));
        } else add(predicted, d.resource, normalized(d.field));
      }
      // what follows necessarily: the tags the provider's Tagger adds once a resource is no longer Observe-only
      // (upjet pkg/config/resource.go:344-365), and a field resolved from a resource created anew
      const created = createdAnew();
      const createdNames = new Set([...created].map((k) => k.split('/').pop()));
      const expectedExtra = new Map<string, Set<string>>();
      for (const m of managedOf(s.objects)) {
        const k = keyOf(m);
        if (!adopted().has(k)) continue;
        const tags = valueAt(l.get(k), 'spec.forProvider.tags') as Record<string, string> | undefined;
        for (const t of ['crossplane-kind', 'crossplane-name', 'crossplane-providerconfig']) {
          if (tags?.[t]) add(expectedExtra, k, `tags.${t}`);
        }
        for (const [f, v] of Object.entries(m.spec?.forProvider ?? {})) {
          const ref = /^(.*)Ref(s?)$/.exec(f);
          if (ref && createdNames.has((v as any)?.name ?? '')) add(expectedExtra, k, `${ref[1]}${ref[2]}`);
        }
      }
      const updated = new Map<string, Set<string>>();
      for (const a of actions.filter((x) => x.action === 'update')) {
        ((a.fields as string[]) ?? []).forEach((f) => add(updated, actionKey(a), normalized(f)));
      }
      const unpredicted: string[] = [];
      const notApplied: string[] = [];
      for (const [k, fields] of updated) {
        for (const f of fields) {
          if (!predicted.get(k)?.has(f) && !expectedExtra.get(k)?.has(f)) unpredicted.push(`${k} ${f}`);
        }
      }
      // an in-place change the report announces must happen; a field only our model sets may stay unwritten when
      // the adoption deliberately keeps it out of forProvider (the password setting, in initProvider)
      const modelOnlyNotApplied: string[] = [];
      for (const d of adoption.drift as any[]) {
        const fields =
          d.field === 'spec.forProvider.tags' && d.state === null
            ? Object.keys(d.desired).map((k) => `tags.${k}`)
            : [normalized(d.field)];
        for (const f of fields.filter((x) => !updated.get(d.resource)?.has(x))) {
          if (d.class === 'in-place') notApplied.push(`${d.resource} ${f}`);
          if (d.class === 'model-only') modelOnlyNotApplied.push(`${d.resource} ${f}`);
        }
      }
      // fields resolved from a resource created anew: what the spec asks and what AWS held
      const resolvedFromCreated = [...expectedExtra].flatMap(([k, fs]) =>
        [...fs]
          .filter((f) => !f.startsWith('tags.'))
          .map((f) => ({
            resource: k,
            field: f,
            desired: valueAt(l.get(k), `spec.forProvider.${f}`),
            observed: valueAt(l.get(k), `status.atProvider.${f}`),
            updated: updated.get(k)?.has(f) ?? false,
          })),
      );
      const sorted = (m: Map<string, Set<string>>) => Object.fromEntries([...m].map(([k, v]) => [k, [...v].sort()]));
      Object.assign(report, {
        awsActions: actions,
        updated: sorted(updated),
        predicted: sorted(predicted),
        expectedExtra: sorted(expectedExtra),
        unpredicted,
        notApplied,
        modelOnlyNotApplied,
        resolvedFromCreated,
        notReady: notReady(l),
      });
      expect(notReady(l)).toEqual([]);
      expect(actions.filter((a) => a.action === 'create')).toEqual([]);
      expect(actions.filter((a) => a.action === 'delete' || a.action === 'orphan')).toEqual([]);
      expect(unpredicted).toEqual([]);
      expect(notApplied).toEqual([]);
    } finally {
      writeReport('adoption-manage', report);
    }
  }, 2_400_000);
});

describe('Cut-over: deletion keeps AWS', () => {
  test('GIVEN the managed environment WHEN its database is deleted, then a stateful resource after its Usage is deleted deliberately, then its Application THEN the Usage webhook refuses the first, the second goes without an AWS delete, and nothing adopted is deleted in AWS', async () => {
    const s = await phaseSync('manage');
    const app = stack.environmentApps().get(SUFFIX)!;
    const before = stack.aws.actions().length;
    const report: Record<string, unknown> = {};
    try {
      // the stateful resources: adopted, and in manage without the Delete policy
      const stateful = managedOf(s.objects).filter((m) => {
        const p = m.spec?.managementPolicies as string[] | undefined;
        return adopted().has(keyOf(m)) && p !== undefined && !p.includes('Delete') && !p.includes('*');
      });
      report.withoutDelete = stateful.map(keyOf);
      expect(stateful.map((m) => m.kind).sort()).toEqual(expect.arrayContaining(['Bucket', 'Cluster']));
      // as in scenario e: the database's Usage refuses its deletion
      const cluster = stateful.find((m) => m.kind === 'Cluster')!;
      const refusal = await stack.cluster.admin
        .delete(cluster.apiVersion, cluster.kind, cluster.metadata.namespace, cluster.metadata.name)
        .then(() => undefined)
        .catch((e: unknown) => e);
      report.usageRefusal =
        refusal instanceof ApiError ? { status: refusal.status, message: refusal.message } : String(refusal);
      expect(refusal).toBeInstanceOf(ApiError);
      expect((refusal as ApiError).message).toMatch(/usage/i);

      // the user deletes a Usage deliberately, as its reason says; the policies still keep the resource in AWS
      const bucket = stateful.find((m) => m.kind === 'Bucket')!;
      const usage = s.objects.find(
        (o) =>
          o.kind === 'Usage' && o.spec?.of?.kind === 'Bucket' && o.spec?.of?.resourceRef?.name === bucket.metadata.name,
      )!;
      await stack.cluster.admin.delete(usage.apiVersion, usage.kind, usage.metadata.namespace, usage.metadata.name);
      await waitFor(
        `${objectRef(bucket)} to be deleted once its Usage is gone`,
        async () => {
          const err = await stack.cluster.admin
            .delete(bucket.apiVersion, bucket.kind, bucket.metadata.namespace, bucket.metadata.name)
            .then(() => undefined)
            .catch((e: unknown) => e);
          if (err instanceof ApiError && err.status === 404) return true;
          return (await stack.cluster.admin.find(
            bucket.apiVersion,
            bucket.kind,
            bucket.metadata.namespace,
            bucket.metadata.name,
          ))
            ? undefined
            : true;
        },
        120_000,
        stack.aws.process,
      );
      // crossplane-runtime v2.2.0 reconciler.go:972-1021: without Delete the finalizer goes and AWS is not called
      const run = await stack.argo('delete', app.metadata.name, 'adoption-delete');
      report.applicationDelete = { exit: run.code, output: run.stdout.trim().split('\n').slice(-40) };
      if (run.code !== 0) throw argoFailure(app.metadata.name, run);
      await quiet(20_000);
      const actions = stack.aws.actions().slice(before);
      report.awsActions = actions;
      expect(actions.filter((a) => a.action === 'delete' && adopted().has(actionKey(a)))).toEqual([]);
      expect(actions.filter((a) => actionKey(a) === keyOf(bucket)).map((a) => a.action)).toEqual(['orphan']);
    } finally {
      writeReport('adoption-delete', report);
    }
  }, 1_200_000);
});
