import * as path from 'node:path';
/**
 * Crossplane core v2.3.4 itself (built from its Go module, see harness/crossplane.ts) against a real
 * kube-apiserver: what our emitted ManagedResourceActivationPolicy activates, and what our emitted
 * Usages let through its deletion webhook. No provider runs here: managed resources are plain objects
 * without finalizers, so a DELETE the webhook admits removes them at once.
 */
import { ApiError, condition, REPORT_DIR, type KubeObject } from './harness';
import { ControlPlane } from './harness/control-plane';
import { providerPackagesAsInstalled, startCrossplane, type RunningCrossplane } from './harness/crossplane';
import { HARNESS_MANAGER } from './harness/crds';
import { loadDist, type Dist } from './harness/manifests';
import { waitFor } from './harness/process';

// Argo CD applies our manifests with this field manager (server-side apply).
const FIELD_MANAGER = 'argocd-controller';
// internal/controller/protection/usage/reconciler.go:63
const IN_USE = 'crossplane.io/in-use';
// internal/protection/usage.go:27
const DELETION_ATTEMPT = 'usage.crossplane.io/deletion-attempt-with-policy';
const MRD = 'apiextensions.crossplane.io/v1alpha1';
const CRD = 'apiextensions.k8s.io/v1';

function one(objects: readonly KubeObject[], kind: string, pred: (o: KubeObject) => boolean, what: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && pred(o));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${what} in ${dist.dir}, found ${found.length}`);
  return found[0];
}

const dist: Dist = loadDist();
// A control plane without the providers' CRDs: Crossplane creates them from the MRDs it activates.
let cp: ControlPlane;
let xp: RunningCrossplane;
/** What the package manager would have installed for the providers. */
let installed: KubeObject[];

beforeAll(async () => {
  cp = await ControlPlane.start();
  try {
    xp = await startCrossplane(cp);
    installed = providerPackagesAsInstalled();
    for (const obj of installed) await cp.admin.apply(obj, { fieldManager: HARNESS_MANAGER, force: true });
  } catch (e) {
    const logs = cp.logTails();
    await cp.stop();
    throw new Error(`${(e as Error).message}\n${logs}`, { cause: e });
  }
}, 300_000);

afterAll(async () => {
  if (cp) cp.saveLogs(path.join(REPORT_DIR, 'crossplane.logs'));
  await cp?.stop();
});

/** Run `fn`; on failure append the end of every program log (Crossplane's included). */
async function withLogs<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${cp.logTails(60)}`, { cause: e });
  }
}

describe('ManagedResourceActivationPolicy', () => {
  test(
    'GIVEN the pinned providers installed as Crossplane v2.3.4 installs SafeStart providers WHEN our MRAP is applied THEN Crossplane activates exactly the kinds it names',
    () =>
      withLogs(async () => {
        // GIVEN (beforeAll): the pinned providers as MRDs and CRDs
        const mrdNames = installed.filter((o) => o.kind === 'ManagedResourceDefinition').map((o) => o.metadata.name);
        expect(mrdNames.length).toBeGreaterThan(0);

        // WHEN
        const mrap = one(dist.platform, 'ManagedResourceActivationPolicy', () => true, '');
        await cp.admin.apply(mrap, { fieldManager: FIELD_MANAGER });

        // THEN: the policy is healthy and lists what it activated (it lists MRDs from a cache that may
        // lag the MRDs just created, and reconciles again on their events: wait for the full list)
        const named: string[] = mrap.spec.activate;
        const read = () => cp.admin.get(mrap.apiVersion, mrap.kind, undefined, mrap.metadata.name);
        await waitFor(
          `MRAP ${mrap.metadata.name} Healthy with ${named.length} activated`,
          async () => {
            const o = await read();
            const ok = condition(o, 'Healthy')?.status === 'True' && o.status?.activated?.length === named.length;
            return ok ? o : undefined;
          },
          // a bound for a stuck controller, not a speed requirement: on a loaded 2-core machine Crossplane's
          // activation controller has taken over a minute to start reconciling
          240_000,
        ).catch(() => undefined);
        const applied = await read();
        expect(condition(applied, 'Healthy')).toMatchObject({ status: 'True', reason: 'Running' });
        expect([...named].sort()).toEqual(named.filter((n) => mrdNames.includes(n)).sort());
        expect([...(applied.status.activated ?? [])].sort()).toEqual([...named].sort());
        // ... and those are exactly the managed resource kinds the platform (the shared image repository) and the
        // environments use, directly or wrapped
        const mrdOf = new Map(
          installed
            .filter((o) => o.kind === 'ManagedResourceDefinition')
            .map((m) => [`${m.spec.group}/${m.spec.names.kind}`, m.metadata.name as string]),
        );
        const used = new Set(
          [dist.platform, ...dist.environments.values()]
            .flat()
            // provider-kubernetes Objects create the managed resources they wrap
            .flatMap((o) => (o.spec?.forProvider?.manifest ? [o, o.spec.forProvider.manifest] : [o]))
            .map((o) => mrdOf.get(`${o.apiVersion.split('/')[0]}/${o.kind}`))
            .filter((n): n is string => n !== undefined),
        );
        expect([...named].sort()).toEqual([...used].sort());

        // every named MRD is Active with an Established CRD Crossplane made; no other MRD is
        const mrds = await waitFor(
          'every named MRD Established',
          async () => {
            const all = await cp.admin.list(MRD, 'ManagedResourceDefinition');
            const ready = all.filter((m) => named.includes(m.metadata.name));
            return ready.every((m) => condition(m, 'Established')?.status === 'True') ? all : undefined;
          },
          120_000,
        );
        for (const m of mrds) {
          const crd = await cp.admin.find(CRD, 'CustomResourceDefinition', undefined, m.metadata.name);
          if (named.includes(m.metadata.name)) {
            expect({ name: m.metadata.name, state: m.spec.state }).toEqual({ name: m.metadata.name, state: 'Active' });
            expect({ name: m.metadata.name, established: condition(crd, 'Established')?.status }).toEqual({
              name: m.metadata.name,
              established: 'True',
            });
          } else {
            expect({ name: m.metadata.name, state: m.spec.state, crd: crd?.metadata.name }).toEqual({
              name: m.metadata.name,
              state: 'Inactive',
              crd: undefined,
            });
            expect(condition(m, 'Established')?.reason).toBe('InactiveManagedResource');
          }
        }
      }),
    180_000,
  );
});

describe('Usage', () => {
  const objects = () => {
    const prod = dist.environments.get('prod');
    if (!prod) throw new Error(`${dist.dir} has no environments/prod`);
    return prod;
  };
  const usageOf = (kind: string, name: string) =>
    one(
      objects(),
      'Usage',
      (u) => u.spec.of?.kind === kind && u.spec.of?.resourceRef?.name === name,
      `of ${kind} ${name}`,
    );
  const rdsCluster = () =>
    one(objects(), 'Cluster', (o) => o.apiVersion.startsWith('rds.aws.m.upbound.io/'), 'rds.aws.m.upbound.io');

  beforeAll(
    () =>
      withLogs(async () => {
        // the platform's MRAP makes Crossplane serve the kinds; then the prod environment as Argo CD
        // applies it: namespace first, Usages after what they name
        const mrap = one(dist.platform, 'ManagedResourceActivationPolicy', () => true, '');
        await cp.admin.apply(mrap, { fieldManager: FIELD_MANAGER });
        await waitFor(
          'the MRDs our MRAP names to be Established',
          async () => {
            const mrds = await cp.admin.list(MRD, 'ManagedResourceDefinition');
            const named = mrds.filter((m) => mrap.spec.activate.includes(m.metadata.name));
            return named.every((m) => condition(m, 'Established')?.status === 'True') ? true : undefined;
          },
          180_000,
        );
        const all = objects();
        const rank = (o: KubeObject) => (o.kind === 'Namespace' ? 0 : o.kind === 'Usage' ? 2 : 1);
        for (const o of [...all].sort((a, b) => rank(a) - rank(b))) {
          await waitFor(
            `apply ${o.kind} ${o.metadata.name}`,
            async () => cp.admin.apply(o, { fieldManager: FIELD_MANAGER }),
            60_000,
          );
        }
        // Crossplane marks every used object (internal/controller/protection/usage/reconciler.go:477-496)
        for (const u of all.filter((o) => o.kind === 'Usage')) {
          await waitFor(
            `Crossplane to label the object of Usage ${u.metadata.name}`,
            async () => {
              const used = await cp.admin.find(
                u.spec.of.apiVersion,
                u.spec.of.kind,
                u.metadata.namespace,
                u.spec.of.resourceRef.name,
              );
              return used?.metadata.labels?.[IN_USE] === 'true' ? true : undefined;
            },
            60_000,
          );
        }
      }),
    240_000,
  );

  // DELETE without a body (the policy as a query parameter): after a denied DELETE with a body, the
  // next request on the same keep-alive connection got `400 Bad Request`
  async function deleteError(o: KubeObject): Promise<ApiError | undefined> {
    const p = await cp.admin.path(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
    try {
      await cp.admin.request('DELETE', `${p}?propagationPolicy=Background`);
      return undefined;
    } catch (e) {
      if (e instanceof ApiError) return e;
      throw e;
    }
  }

  test(
    'GIVEN the production RDS cluster protected by a Usage with a reason WHEN it is deleted THEN the webhook denies it with Crossplane message and the cluster stays',
    () =>
      withLogs(async () => {
        const cluster = rdsCluster();
        const usage = usageOf(cluster.kind, cluster.metadata.name);

        const err = await deleteError(cluster);

        // internal/webhook/protection/usage/handler.go:149-156, 177-178
        expect(err?.status).toBe(409);
        expect(err?.message).toContain('admission webhook "nousages.protection.crossplane.io" denied the request');
        expect(err?.message).toContain(
          `This resource is in-use by 1 usage(s), including the *v1beta1.Usage "${usage.metadata.name}" (in namespace "${usage.metadata.namespace}") with reason: "${usage.spec.reason}".`,
        );
        expect(
          await cp.admin.find(cluster.apiVersion, cluster.kind, cluster.metadata.namespace, cluster.metadata.name),
        ).toBeDefined();
      }),
    60_000,
  );

  test(
    'GIVEN the subnet group used by the RDS cluster WHEN it is deleted THEN the webhook denies it naming the user and Crossplane records the attempt',
    () =>
      withLogs(async () => {
        const cluster = rdsCluster();
        const subnetGroup = one(objects(), 'SubnetGroup', () => true, '');
        const usage = usageOf(subnetGroup.kind, subnetGroup.metadata.name);
        expect(usage.spec.by.resourceRef.name).toBe(cluster.metadata.name);

        const err = await deleteError(subnetGroup);

        // handler.go:173-174
        expect(err?.status).toBe(409);
        expect(err?.message).toContain(
          `This resource is in-use by 1 usage(s), including the *v1beta1.Usage "${usage.metadata.name}" (in namespace "${usage.metadata.namespace}") by resource ${cluster.kind}/${cluster.metadata.name}.`,
        );
        const kept = await cp.admin.get(
          subnetGroup.apiVersion,
          subnetGroup.kind,
          subnetGroup.metadata.namespace,
          subnetGroup.metadata.name,
        );
        // handler.go:136-147: the attempt with its propagation policy, for replayDeletion
        expect(kept.metadata.annotations?.[DELETION_ATTEMPT]).toBe('Background');
      }),
    60_000,
  );

  test(
    'GIVEN the reason Usage deleted deliberately WHEN the RDS cluster is deleted THEN it goes, the garbage collector removes its Usages and Crossplane replays the subnet group deletion (replayDeletion)',
    () =>
      withLogs(async () => {
        const cluster = rdsCluster();
        const protect = usageOf(cluster.kind, cluster.metadata.name);
        const subnetGroup = one(objects(), 'SubnetGroup', () => true, '');
        const byCluster = objects().filter(
          (o) =>
            o.kind === 'Usage' &&
            o.spec.by?.resourceRef?.name === cluster.metadata.name &&
            o.spec.by?.kind === cluster.kind,
        );
        expect(byCluster.every((u) => u.spec.replayDeletion === true)).toBe(true);
        const untouched = byCluster
          .map((u) => u.spec.of)
          .filter((of) => of.resourceRef.name !== subnetGroup.metadata.name);
        expect(untouched.length).toBeGreaterThan(0);
        const gone = async (o: { apiVersion: string; kind: string; name: string }) =>
          (await cp.admin.find(o.apiVersion, o.kind, protect.metadata.namespace, o.name)) ? undefined : true;

        // GIVEN: the Usage goes once Crossplane removes its finalizer, and with it the in-use label
        expect(await deleteError(protect)).toBeUndefined();
        await waitFor(
          `Usage ${protect.metadata.name} gone`,
          () => gone({ ...protect, name: protect.metadata.name }),
          60_000,
        );

        // WHEN
        expect(await deleteError(cluster)).toBeUndefined();

        // THEN: Crossplane made each by-Usage a dependent of the cluster (reconciler.go:516-536), so the
        // garbage collector deletes them; on the way out Crossplane deletes the subnet group again,
        // because a deletion was attempted (reconciler.go:398-414)
        await waitFor(
          `${cluster.kind} ${cluster.metadata.name} gone`,
          () => gone({ ...cluster, name: cluster.metadata.name }),
          60_000,
        );
        for (const u of byCluster) {
          await waitFor(`Usage ${u.metadata.name} gone`, () => gone({ ...u, name: u.metadata.name }), 120_000);
        }
        await waitFor(
          `${subnetGroup.kind} ${subnetGroup.metadata.name} deleted by replayDeletion`,
          () => gone({ ...subnetGroup, name: subnetGroup.metadata.name }),
          60_000,
        );
        // the users' other dependencies were never asked to go: they stay, no longer marked in use
        for (const of of untouched) {
          const o = await cp.admin.get(of.apiVersion, of.kind, protect.metadata.namespace, of.resourceRef.name);
          expect({ name: o.metadata.name, inUse: o.metadata.labels?.[IN_USE] }).toEqual({
            name: of.resourceRef.name,
            inUse: undefined,
          });
        }
      }),
    300_000,
  );
});

describe('Crossplane installed with the Helm chart defaults', () => {
  test(
    'GIVEN our MRAP in force WHEN init runs with the chart default activation "*" THEN every MRD becomes Active, also the kinds our MRAP leaves out',
    () =>
      withLogs(async () => {
        const inactive = (await cp.admin.list(MRD, 'ManagedResourceDefinition')).filter(
          (m) => m.spec.state !== 'Active',
        );
        expect(inactive.length).toBeGreaterThan(0);

        // cluster/charts/crossplane/values.yaml:61 `provider.defaultActivations: ["*"]`, passed as
        // --activation by templates/deployment.yaml:81-84
        await xp.init(['*']);

        const policy = await cp.admin.get(MRD, 'ManagedResourceActivationPolicy', undefined, 'default');
        expect(policy.spec.activate).toEqual(['*']);
        await waitFor(
          `the ${inactive.length} MRDs our MRAP left Inactive to become Active`,
          async () => {
            const now = await cp.admin.list(MRD, 'ManagedResourceDefinition');
            const names = new Set(inactive.map((m) => m.metadata.name));
            return now.filter((m) => names.has(m.metadata.name)).every((m) => m.spec.state === 'Active')
              ? true
              : undefined;
          },
          120_000,
        );
      }),
    180_000,
  );
});
