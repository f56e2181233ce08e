import * as path from 'node:path';
import { convergenceProblems, finalHealth, lateBindings, valueAt } from './harness/checks';
import { ApiError, condition, objectRef, writeReport, type KubeObject } from './harness';
import { waitFor } from './harness/process';
import { argoFailure, Stack } from './harness/stack';
import { synthesizeWithImageTag } from './harness/synth';

// The scenarios of the management cluster, in order on one cluster: the first sync of every
// environment, no drift, isolation between environments, an image rollout, a preview's teardown
// and production's protection. The AWS provider is SIMULATED (simulated-aws); everything else is
// the real program built from its Go module.

let stack: Stack;

beforeAll(async () => {
  stack = await Stack.start();
}, 900_000);

afterAll(async () => {
  await stack?.stop('scenarios');
}, 120_000);

/** Environment whose Application keeps its resources (Delete=false): production. */
function isProtected(app: KubeObject): boolean {
  const opts = `${app.metadata.annotations?.['argocd.argoproj.io/sync-options'] ?? ''},${(app.spec?.syncPolicy?.syncOptions ?? []).join(',')}`;
  return /(^|,)Delete=false(,|$)/.test(opts);
}

interface FirstSync {
  readonly report: Record<string, unknown>;
  readonly degraded: string[];
  readonly notHealthy: string[];
  readonly bindings: Awaited<ReturnType<typeof lateBindings>>;
  /** Set when a sync failed: the error naming the Application and what argocd-harness printed. */
  readonly failure?: Error;
}

let firstSyncRun: Promise<FirstSync> | undefined;

/**
 * The first sync of the platform and then every environment (once per cluster): every other scenario
 * builds on it, so one scenario alone (`-t ImageRollout`) runs it first.
 */
function firstSync(): Promise<FirstSync> {
  firstSyncRun ??= (async () => {
    const report: Record<string, unknown> = { applications: [] };
    const syncReports: any[] = [];
    let failure: Error | undefined;
    try {
      for (const app of [stack.platformApp(), ...stack.environmentApps().values()]) {
        const run = await stack.argo('sync', app.metadata.name, 'first-sync');
        syncReports.push(run.report);
        (report.applications as unknown[]).push({
          application: app.metadata.name,
          exit: run.code,
          seconds: run.report?.seconds,
          phase: run.report?.phase,
          message: run.report?.message,
        });
        if (run.code !== 0) {
          failure = argoFailure(app.metadata.name, run);
          break;
        }
      }
      const degraded = syncReports
        .flatMap((r) => r?.health ?? [])
        .filter((s: any) => s.status === 'Degraded')
        .map((s: any) => `${s.kind} ${s.namespace}/${s.name} at ${s.at}: ${s.message}`);
      const notHealthy = [...finalHealth(syncReports)]
        .filter(([, h]) => h.status !== 'Healthy' && h.status !== 'None')
        .map(([o, h]) => `${o}: ${h.status} ${h.message}`);
      const bindings = [];
      const outputs: Record<string, unknown> = {};
      for (const [env, objects] of stack.cluster.dist.environments) {
        const b = await lateBindings(stack.cluster.admin, objects);
        bindings.push(...b);
        // the outputs ConfigMap: every reference of the Object that manages it
        const outObj = objects.find((o) => o.kind === 'Object' && o.spec?.forProvider?.manifest?.kind === 'ConfigMap');
        outputs[env] = b
          .filter((x) => outObj && x.object === objectRef(outObj))
          .map((x) => ({ from: `${x.source} ${x.fieldPath}`, key: x.toFieldPath, value: x.targetValue }));
      }
      Object.assign(report, { everDegraded: degraded, notHealthy, lateBindings: bindings, outputs });
      return { report, degraded, notHealthy, bindings, failure };
    } finally {
      report.awsActions = stack.aws.actions().length;
      writeReport('first-sync', report);
    }
  })();
  return firstSyncRun;
}

/** Run the first sync if no scenario has yet, and stop this scenario unless it converged. */
async function mustHaveConverged(): Promise<void> {
  const problems = convergenceProblems(await firstSync());
  if (problems.length) {
    throw new Error(
      `the first sync did not converge, and this scenario builds on it (report: .cache/cluster/reports/first-sync.json):\n  ${problems.join('\n  ')}`,
    );
  }
}

describe('FirstSync', () => {
  test('GIVEN an empty management cluster WHEN the platform and then every environment are synced wave by wave THEN every object is Healthy, none was ever Degraded, and every late-bound field holds its source value', async () => {
    const { degraded, notHealthy, bindings, failure } = await firstSync();
    if (failure) throw failure;
    expect(degraded).toEqual([]);
    expect(notHealthy).toEqual([]);
    expect(bindings.filter((b) => !b.ok)).toEqual([]);
    for (const [env, objects] of stack.cluster.dist.environments) {
      const outObj = objects.find((o) => o.kind === 'Object' && o.spec?.forProvider?.manifest?.kind === 'ConfigMap');
      expect(outObj).toBeDefined();
      const sources = bindings
        .filter((x) => x.object === objectRef(outObj!))
        .map((x) => `${x.source.split(' ')[0]} ${x.fieldPath}`);
      // CloudFront domain, ALB DNS name, both database endpoints
      expect({ env, sources: sources.sort() }).toEqual({
        env,
        sources: expect.arrayContaining([
          'Distribution status.atProvider.domainName',
          'LB status.atProvider.dnsName',
          'Cluster status.atProvider.endpoint',
          'Cluster status.atProvider.readerEndpoint',
        ]),
      });
    }
  }, 3_600_000);
});

describe('NoDrift', () => {
  test('GIVEN the converged cluster WHEN argocd-controller dry-runs a server-side apply of the same manifests THEN no object would change', async () => {
    await mustHaveConverged();
    const report: Record<string, unknown> = {};
    try {
      const apps = [stack.platformApp(), ...stack.environmentApps().values()];
      const diffs: Record<string, string> = {};
      for (const app of apps) {
        const run = await stack.argo('diff', app.metadata.name, 'no-drift');
        report[app.metadata.name] = { exit: run.code, output: run.stdout.trim().split('\n') };
        if (run.code !== 0) diffs[app.metadata.name] = `${run.stdout}\n${run.stderr}`.trim();
      }
      expect(diffs).toEqual({});
    } finally {
      writeReport('no-drift', report);
    }
  }, 600_000);
});

describe('Isolation', () => {
  test("GIVEN two environments WHEN an Object in one environment's namespace reads or writes the other's namespace THEN provider-kubernetes is refused", async () => {
    await mustHaveConverged();
    const envs = [...stack.cluster.dist.environments.keys()];
    expect(envs.length).toBeGreaterThanOrEqual(2);
    const [own, other] = envs.map((e) => stack.cluster.dist.environments.get(e)!);
    const ownNs = own.find((o) => o.kind === 'Namespace')!.metadata.name;
    const otherNs = other.find((o) => o.kind === 'Namespace')!.metadata.name;
    const template = own.find((o) => o.kind === 'Object')!;
    const otherSource = other.find((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('rds.'))!;
    const report: Record<string, unknown> = { from: ownNs, to: otherNs };
    const probes: KubeObject[] = [
      {
        apiVersion: template.apiVersion,
        kind: 'Object',
        metadata: { name: 'isolation-write', namespace: ownNs },
        spec: {
          forProvider: {
            manifest: {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name: 'isolation-write', namespace: otherNs },
              data: { written: 'from another environment' },
            },
          },
          providerConfigRef: template.spec.providerConfigRef,
        },
      },
      {
        apiVersion: template.apiVersion,
        kind: 'Object',
        metadata: { name: 'isolation-read', namespace: ownNs },
        spec: {
          forProvider: {
            manifest: {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name: 'isolation-read', namespace: ownNs },
            },
          },
          references: [
            {
              patchesFrom: {
                apiVersion: otherSource.apiVersion,
                kind: otherSource.kind,
                name: otherSource.metadata.name,
                namespace: otherNs,
                fieldPath: 'status.atProvider.endpoint',
              },
              toFieldPath: 'data.endpoint',
            },
          ],
          providerConfigRef: template.spec.providerConfigRef,
        },
      },
    ];
    try {
      const outcomes: Record<string, unknown> = {};
      for (const p of probes) {
        // our confinement admission policy may refuse the Object itself; then nothing can act on it
        const refused = await stack.cluster.admin
          .apply(p, { fieldManager: 'cluster-test' })
          .then(() => undefined)
          .catch((e: unknown) => {
            if (e instanceof ApiError && e.status === 403) return e.message;
            throw e;
          });
        if (refused) {
          outcomes[p.metadata.name] = { refusedAtAdmission: refused };
          continue;
        }
        // the provider either refuses (Synced False) or does it (Synced True); wait for either
        const settled = await waitFor(
          `${objectRef(p)} to settle`,
          async () => {
            const o = await stack.cluster.admin.get(p.apiVersion, 'Object', ownNs, p.metadata.name);
            const c = condition(o, 'Synced');
            return c.status === 'True' || (c.status === 'False' && c.message) ? c : undefined;
          },
          180_000,
          stack.cluster.provider!.process,
        );
        outcomes[p.metadata.name] = settled;
      }
      const written = await stack.cluster.admin.find('v1', 'ConfigMap', otherNs, 'isolation-write');
      const read = await stack.cluster.admin.find('v1', 'ConfigMap', ownNs, 'isolation-read');
      report.outcomes = outcomes;
      report.wroteIntoOtherNamespace = written !== undefined;
      report.readFromOtherNamespace = valueAt(read, 'data.endpoint') ?? null;
      expect({
        wroteIntoOtherNamespace: written !== undefined,
        readFromOtherNamespace: report.readFromOtherNamespace,
      }).toEqual({
        wroteIntoOtherNamespace: false,
        readFromOtherNamespace: null,
      });
    } finally {
      writeReport('isolation', report);
      for (const p of probes) {
        await stack.cluster.admin.delete(p.apiVersion, 'Object', ownNs, p.metadata.name).catch(() => undefined);
      }
    }
  }, 600_000);
});

describe('ImageRollout', () => {
  test("GIVEN a converged preview WHEN its image tag changes and its Application is synced again THEN the family's next task definition revision is registered, the ECS service points at it and the old revision is deregistered", async () => {
    await mustHaveConverged();
    const [env, app] = [...stack.environmentApps()].find(([, a]) => !isProtected(a))!;
    const objects = stack.cluster.dist.environments.get(env)!;
    const ns = objects.find((o) => o.kind === 'Namespace')!.metadata.name;
    const service = objects.find((o) => o.kind === 'Service' && o.apiVersion.startsWith('ecs.'))!;
    const liveService = () => stack.cluster.admin.get(service.apiVersion, 'Service', ns, service.metadata.name);
    const taskDefinitions = async () =>
      (await stack.cluster.admin.list('ecs.aws.m.upbound.io/v1beta1', 'TaskDefinition', ns)).filter(
        (t) => !t.metadata.deletionTimestamp,
      );
    const report: Record<string, unknown> = { environment: env, application: app.metadata.name };
    try {
      const [before] = await taskDefinitions();
      const oldArn = valueAt(before, 'status.atProvider.arn') as string;
      const oldRevision = valueAt(before, 'status.atProvider.revision') as number;
      report.before = {
        taskDefinition: before.metadata.name,
        arn: oldArn,
        service: valueAt(await liveService(), 'spec.forProvider.taskDefinition'),
      };
      expect(valueAt(await liveService(), 'spec.forProvider.taskDefinition')).toBe(oldArn);

      // the image the project's CI would record (npm run set-image), synthesized into a copy; dist/ stays as it is
      const tag = 'rollout-2';
      const dist = synthesizeWithImageTag(env, tag, stack.cluster.dist.dir);
      stack.temp.push(path.dirname(dist));
      stack.distFor.set(app.metadata.name, dist);
      const run = await stack.argo('sync', app.metadata.name, 'image-rollout');
      report.sync = { exit: run.code, seconds: run.report?.seconds, phase: run.report?.phase };
      if (run.code !== 0) throw argoFailure(app.metadata.name, run);

      const after = await waitFor(
        'the new task definition revision, and the ECS service following it',
        async () => {
          const tds = await taskDefinitions();
          const next = tds.find((t) => t.metadata.name !== before.metadata.name && valueAt(t, 'status.atProvider.arn'));
          const svc = await liveService();
          return next &&
            valueAt(svc, 'spec.forProvider.taskDefinition') === valueAt(next, 'status.atProvider.arn') &&
            tds.length === 1
            ? { next, svc }
            : undefined;
        },
        300_000,
        stack.aws.process,
      );
      const newArn = valueAt(after.next, 'status.atProvider.arn') as string;
      const image = JSON.parse(valueAt(after.next, 'spec.forProvider.containerDefinitions') as string)[0]
        .image as string;
      const deregistered = await waitFor(
        `the deregistration of ${oldArn}`,
        async () =>
          stack.aws.actions().find((a) => a.action === 'delete' && a.kind === 'TaskDefinition' && a.arn === oldArn),
        300_000,
        stack.aws.process,
      );
      report.after = {
        taskDefinition: after.next.metadata.name,
        arn: newArn,
        image,
        service: valueAt(after.svc, 'spec.forProvider.taskDefinition'),
      };
      report.deregistered = deregistered;
      expect(image.endsWith(`:${tag}`)).toBe(true);
      expect(valueAt(after.next, 'status.atProvider.revision')).toBe(oldRevision + 1);
      expect(newArn).toBe(oldArn.replace(/:\d+$/, `:${oldRevision + 1}`));
      expect(valueAt(after.svc, 'spec.forProvider.taskDefinition')).toBe(newArn);
      expect(deregistered).toMatchObject({ action: 'delete', kind: 'TaskDefinition', namespace: ns, arn: oldArn });
    } finally {
      writeReport('image-rollout', report);
    }
  }, 1_800_000);
});

describe('PreviewTeardown', () => {
  test("GIVEN a converged preview WHEN its Application is deleted (Argo CD's cascade finalizer order) THEN everything of it is gone, its namespace too, nothing is stuck and no other environment is touched", async () => {
    await mustHaveConverged();
    const previews = [...stack.environmentApps()].filter(([, app]) => !isProtected(app));
    expect(previews.length).toBeGreaterThan(0);
    const [env, app] = previews[0];
    const objects = stack.cluster.dist.environments.get(env)!;
    const ns = objects.find((o) => o.kind === 'Namespace')!.metadata.name;
    const others = [...stack.cluster.dist.environments].filter(([e]) => e !== env).flatMap(([, o]) => o);
    const before = new Map<string, string | undefined>();
    for (const o of others) {
      const live = await stack.cluster.admin.find(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
      before.set(objectRef(o), live?.metadata.resourceVersion);
    }
    const report: Record<string, unknown> = { environment: env, application: app.metadata.name };
    try {
      const run = await stack.argo('delete', app.metadata.name, 'preview-teardown');
      report.delete = { exit: run.code, output: run.stdout.trim().split('\n').slice(-60) };
      if (run.code !== 0) throw argoFailure(app.metadata.name, run);
      // Argo CD deletes the namespace with the rest; kube-controller-manager empties it
      await waitFor(
        `namespace ${ns} to be deleted`,
        async () => ((await stack.cluster.admin.find('v1', 'Namespace', undefined, ns)) ? undefined : true),
        600_000,
      ).catch(async (e) => {
        const live = await stack.cluster.admin.find('v1', 'Namespace', undefined, ns);
        report.stuckNamespace = live?.status;
        throw e;
      });
      const left: string[] = [];
      for (const o of objects) {
        if (
          await stack.cluster.admin
            .find(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name)
            .catch(() => undefined)
        ) {
          left.push(objectRef(o));
        }
      }
      const touched: string[] = [];
      for (const o of others) {
        // what never existed cannot be touched: hook Jobs are reported "would start", not created (no kubelet)
        if (before.get(objectRef(o)) === undefined) continue;
        const live = await stack.cluster.admin.find(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
        if (!live) touched.push(`${objectRef(o)}: deleted`);
        else if (live.metadata.deletionTimestamp) touched.push(`${objectRef(o)}: being deleted`);
      }
      const deletedInAws = stack.aws.actions().filter((a) => a.action === 'delete');
      report.left = left;
      report.othersTouched = touched;
      report.awsDeletes = deletedInAws;
      expect(left).toEqual([]);
      expect(touched).toEqual([]);
      expect(deletedInAws.some((a) => a.namespace && a.namespace !== ns)).toBe(false);
    } finally {
      writeReport('preview-teardown', report);
    }
  }, 1_800_000);
});

describe('ProductionSurvives', () => {
  test('GIVEN a Usage protecting a production database WHEN the database is deleted THEN the API server refuses through the Usage webhook', async () => {
    await mustHaveConverged();
    const prod = [...stack.environmentApps()].find(([, app]) => isProtected(app))!;
    const objects = stack.cluster.dist.environments.get(prod[0])!;
    const usage = objects.find((o) => o.kind === 'Usage' && o.spec?.of?.kind === 'Cluster');
    expect(usage).toBeDefined();
    const of = usage!.spec.of;
    const name = of.resourceRef?.name;
    const report: Record<string, unknown> = { usage: objectRef(usage!) };
    try {
      const err = await stack.cluster.admin
        .delete(of.apiVersion, of.kind, usage!.metadata.namespace, name)
        .then(() => undefined)
        .catch((e: unknown) => e);
      report.refusal = err instanceof ApiError ? { status: err.status, message: err.message } : String(err);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).message).toMatch(/usage/i);
    } finally {
      writeReport('production-usage', report);
    }
  }, 300_000);

  test('GIVEN converged production WHEN its Application is deleted THEN no AWS resource is deleted', async () => {
    await mustHaveConverged();
    const prod = [...stack.environmentApps()].find(([, app]) => isProtected(app));
    expect(prod).toBeDefined();
    const [env, app] = prod!;
    const ns = stack.cluster.dist.environments.get(env)!.find((o) => o.kind === 'Namespace')!.metadata.name;
    const report: Record<string, unknown> = { environment: env, application: app.metadata.name };
    try {
      const deletesBefore = stack.aws.actions().filter((a) => a.action === 'delete').length;
      const run = await stack.argo('delete', app.metadata.name, 'production-survives');
      report.delete = { exit: run.code, output: run.stdout.trim().split('\n').slice(-60) };
      const deletes = stack.aws
        .actions()
        .filter((a) => a.action === 'delete')
        .slice(deletesBefore);
      report.awsDeletes = deletes;
      const nsLive = await stack.cluster.admin.find('v1', 'Namespace', undefined, ns);
      report.namespace = nsLive ? (nsLive.metadata.deletionTimestamp ? 'being deleted' : 'kept') : 'deleted';
      expect(deletes).toEqual([]);
    } finally {
      writeReport('production-survives', report);
    }
  }, 1_200_000);
});
