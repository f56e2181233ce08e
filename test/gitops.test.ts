import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { buildApp, render, RenderedFile } from '../lib/app';
import { Config } from '../lib/config/types';
import {
  allObjects,
  baseConfigFile,
  defaultSynth,
  find,
  loadFrom,
  objectsOf,
  ofKind,
  PROJECT_DIR,
  repoConfig,
  synth,
} from './helpers';

const argocd = () => defaultSynth().files.find((f) => f.file === 'argocd/argocd.k8s.yaml')!.objects;
const app = (name: string) => find(argocd(), 'Application', name);
const WAVE = 'argocd.argoproj.io/sync-wave';
const SYNC = 'argocd.argoproj.io/sync-options';

describe('GitOps', () => {
  test('an app of apps syncs dist/argocd; the platform and every environment have their own Application', () => {
    expect(app('catalog-api').spec.source.path).toBe('dist/argocd');
    expect(app('catalog-api-platform').spec.source.path).toBe('dist/platform');
    for (const s of ['prod', 'pr5706']) {
      expect(app(`catalog-api-${s}`).spec).toMatchObject({
        source: {
          path: `dist/environments/${s}`,
          repoURL: 'https://github.com/example-org/catalog-api-platform.git',
          targetRevision: 'main',
        },
        destination: { namespace: `catalog-api-${s}`, server: 'https://kubernetes.default.svc' },
        project: 'catalog-api',
      });
    }
  });

  test('sync waves: platform before environments; namespace and ProviderConfig before managed resources', () => {
    expect(app('catalog-api-platform').metadata.annotations[WAVE]).toBe('-1');
    expect(app('catalog-api-prod').metadata.annotations[WAVE]).toBe('0');
    const env = objectsOf(defaultSynth().files, 'pr5706');
    expect(find(env, 'Namespace', 'catalog-api-pr5706').metadata.annotations[WAVE]).toBe('-1');
    expect(find(env, 'ProviderConfig', 'aws').metadata.annotations[WAVE]).toBe('-1');
    // managed resources share wave 0: Crossplane orders them by reference resolution, and a later wave would wait
    // for health that depends on them (the service needs its task definition)
    expect(ofKind(env, 'VPC')[0].metadata.annotations?.[WAVE]).toBeUndefined();
  });

  test('every Application: automated sync, retries with backoff, server-side apply and diff, skip dry run for CRDs from packages', () => {
    for (const a of ofKind(argocd(), 'Application')) {
      expect(a.spec.syncPolicy).toEqual({
        automated: { prune: true, selfHeal: true },
        syncOptions: ['ServerSideApply=true', 'SkipDryRunOnMissingResource=true', 'PruneLast=true'],
        retry: { limit: 10, backoff: { duration: '30s', factor: 2, maxDuration: '10m' } },
      });
      expect(a.metadata.annotations['argocd.argoproj.io/compare-options']).toBe('ServerSideDiff=true');
      expect(a.spec.source.directory).toEqual({ recurse: false });
    }
  });

  test('the AppProject allows only this repository, these destinations and exactly the kinds we emit', () => {
    const p = find(argocd(), 'AppProject', 'catalog-api');
    expect(p.spec.sourceRepos).toEqual(['https://github.com/example-org/catalog-api-platform.git']);
    expect(p.spec.destinations.map((d: any) => d.namespace).sort()).toEqual([
      'argocd',
      'catalog-api-pr5706',
      'catalog-api-prod',
      'crossplane-system',
    ]);
    const files = defaultSynth().files;
    const kinds = (namespaced: boolean) =>
      [
        ...new Set(
          allObjects(files)
            .filter((o) => !!o.metadata.namespace === namespaced)
            .map((o) => `${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}/${o.kind}`),
        ),
      ].sort();
    expect(p.spec.clusterResourceWhitelist.map((k: any) => `${k.group}/${k.kind}`).sort()).toEqual(kinds(false));
    expect(p.spec.namespaceResourceWhitelist.map((k: any) => `${k.group}/${k.kind}`).sort()).toEqual(kinds(true));
  });

  test('the Argo CD settings Crossplane needs are shipped as a patch: annotation tracking, ProviderConfigUsage excluded, Application health', () => {
    const patch = parse(fs.readFileSync(path.join(PROJECT_DIR, 'docs/argocd/argocd-cm-patch.yaml'), 'utf8'));
    expect(patch.data['application.resourceTrackingMethod']).toBe('annotation');
    expect(parse(patch.data['resource.exclusions'])).toEqual([{ apiGroups: ['*'], kinds: ['ProviderConfigUsage'] }]);
    expect(patch.data['resource.customizations.health.argoproj.io_Application']).toMatch(/obj\.status\.health\.status/);
  });

  test('a hosted CI workflow runs what .ci/run runs', () => {
    const wf = parse(fs.readFileSync(path.join(PROJECT_DIR, '.github/workflows/ci.yaml'), 'utf8'));
    expect(wf.jobs.test.steps.map((s: any) => s.run).filter(Boolean)).toEqual(['bash .ci/run']);
    expect(fs.readFileSync(path.join(PROJECT_DIR, '.ci/run'), 'utf8')).toMatch(/^npm test( --.*)?$/m);
  });
});

/**
 * What Argo CD and Crossplane would delete in AWS when the desired state changes from `before` to `after`:
 * the app of apps prunes Applications missing from `after` unless marked Prune=false; a pruned Application with
 * the cascade finalizer deletes its resources except those marked Delete=false (a deleted Namespace takes every
 * object in it); a deleted managed resource deletes the AWS resource only if its managementPolicies allow Delete,
 * no Usage with a reason protects it, and AWS deletion protection is off.
 */
function awsDeletions(before: RenderedFile[], after: RenderedFile[]): string[] {
  const keep = new Set(allObjects(after).map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`));
  const pruned = ofKind(allObjects(before), 'Application').filter(
    (a) =>
      !keep.has(`Application/${a.metadata.namespace}/${a.metadata.name}`) &&
      !(a.metadata.annotations?.[SYNC] ?? '').includes('Prune=false'),
  );
  const deleted: any[] = [];
  for (const a of pruned.filter((x) =>
    (x.metadata.finalizers ?? []).includes('resources-finalizer.argocd.argoproj.io'),
  )) {
    const objs = before
      .filter((f) => f.file.startsWith(`${a.spec.source.path.replace(/^dist\//, '')}/`))
      .flatMap((f) => f.objects);
    const ns = objs.find((o) => o.kind === 'Namespace');
    const nsDeleted = ns && !(ns.metadata.annotations?.[SYNC] ?? '').includes('Delete=false');
    deleted.push(...objs.filter((o) => nsDeleted || !(o.metadata.annotations?.[SYNC] ?? '').includes('Delete=false')));
  }
  const protectedByUsage = new Set(
    ofKind(allObjects(before), 'Usage')
      .filter((u) => u.spec.reason)
      .map((u) => `${u.spec.of.kind}/${u.metadata.namespace}/${u.spec.of.resourceRef.name}`),
  );
  return deleted
    .flatMap((o) =>
      o.kind === 'Object' ? [{ ...o.spec.forProvider.manifest, spec: { ...o.spec.forProvider.manifest.spec } }] : [o],
    )
    .filter((o) => /\.aws\.m\.upbound\.io\//.test(o.apiVersion) && o.kind !== 'ProviderConfig')
    .filter((o) => (o.spec.managementPolicies ?? ['*']).some((p: string) => p === '*' || p === 'Delete'))
    .filter((o) => !protectedByUsage.has(`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`))
    .filter((o) => o.spec.forProvider.deletionProtection !== true)
    .map((o) => `${o.apiVersion.split('/')[0]}/${o.kind}/${o.metadata.name}`);
}

const STATEFUL = ['rds.aws.m.upbound.io/Cluster', 'rds.aws.m.upbound.io/ClusterInstance', 's3.aws.m.upbound.io/Bucket'];
const isStateful = (o: any) => STATEFUL.includes(`${o.apiVersion.split('/')[0]}/${o.kind}`);

describe('deletion safety', () => {
  const without = (suffix: string): Config => {
    const cfg = baseConfigFile();
    cfg.environments = cfg.environments.filter((e: any) => e.suffix !== suffix);
    return loadFrom(cfg);
  };

  test('removing production from configuration deletes nothing in AWS', () => {
    expect(awsDeletions(defaultSynth().files, synth(without('prod')))).toEqual([]);
  });

  test('each layer alone keeps production data: Argo CD options, managementPolicies, Usages', () => {
    const prod = objectsOf(defaultSynth().files, 'prod');
    const stateful = prod.filter(isStateful);
    expect(stateful.map((o) => o.kind).sort()).toEqual(['Bucket', 'Cluster', 'ClusterInstance', 'ClusterInstance']);
    const usages = ofKind(prod, 'Usage').filter((u) => u.spec.reason);
    for (const o of stateful) {
      expect([o.metadata.name, o.metadata.annotations[SYNC]]).toEqual([o.metadata.name, 'Prune=false,Delete=false']);
      expect([o.metadata.name, o.spec.managementPolicies]).toEqual([
        o.metadata.name,
        ['Observe', 'Create', 'Update', 'LateInitialize'],
      ]);
      expect(
        usages.filter((u) => u.spec.of.kind === o.kind && u.spec.of.resourceRef.name === o.metadata.name),
      ).toHaveLength(1);
    }
    expect(find(prod, 'Namespace', 'catalog-api-prod').metadata.annotations[SYNC]).toBe('Prune=false,Delete=false');
    expect(app('catalog-api-prod').metadata.annotations[SYNC]).toBe('Prune=false,Delete=false');
    expect(app('catalog-api-prod').metadata.finalizers).toBeUndefined();
  });

  test('even a production Application deleted by hand with cascade keeps the data', () => {
    const before = defaultSynth().files;
    const forced = before.map((f) => ({
      ...f,
      objects: f.objects.map((o) =>
        o.kind === 'Application' && o.metadata.name === 'catalog-api-prod'
          ? {
              ...o,
              metadata: { ...o.metadata, annotations: {}, finalizers: ['resources-finalizer.argocd.argoproj.io'] },
            }
          : o,
      ),
    }));
    const deleted = awsDeletions(forced, synth(without('prod')));
    expect(deleted.filter((d) => STATEFUL.some((k) => d.startsWith(`${k}/`)))).toEqual([]);
    // the rest of production does go: that is what the Prune=false on the Application prevents
    expect(deleted.length).toBeGreaterThan(0);
  });

  test('removing a preview tears it down completely', () => {
    const deleted = awsDeletions(defaultSynth().files, synth(without('pr5706')));
    const previewAws = objectsOf(defaultSynth().files, 'pr5706')
      .flatMap((o) => (o.kind === 'Object' ? [o.spec.forProvider.manifest] : [o]))
      .filter((o) => /\.aws\.m\.upbound\.io\//.test(o.apiVersion) && o.kind !== 'ProviderConfig')
      .map((o) => `${o.apiVersion.split('/')[0]}/${o.kind}/${o.metadata.name}`);
    expect(previewAws.length).toBeGreaterThan(50);
    expect(deleted.sort()).toEqual(previewAws.sort());
  });

  test('Usages keep the network a database needs until the database is gone, in every environment', () => {
    for (const s of ['prod', 'pr5706']) {
      const usages = ofKind(objectsOf(defaultSynth().files, s), 'Usage').filter((u) => u.spec.by);
      expect(
        usages
          .map(
            (u) => `${u.spec.of.kind}/${u.spec.of.resourceRef.name} by ${u.spec.by.kind}/${u.spec.by.resourceRef.name}`,
          )
          .sort(),
      ).toEqual(
        [
          `SecurityGroup/rds-sg-${s} by Cluster/rds-cluster-${s}`,
          `SubnetGroup/rds-subnet-group-${s} by Cluster/rds-cluster-${s}`,
          `Subnet/private-subnet-a-${s} by SubnetGroup/rds-subnet-group-${s}`,
          `Subnet/private-subnet-b-${s} by SubnetGroup/rds-subnet-group-${s}`,
        ].sort(),
      );
      for (const u of usages) expect(u.spec.replayDeletion).toBe(true);
    }
  });
});

describe('SmokeTest', () => {
  const job = () => find(objectsOf(defaultSynth().files, 'pr5706'), 'Job', 'smoke-test-pr5706');

  test('runs as an Argo CD PostSync hook and fails the sync when an endpoint does not answer in time', () => {
    const j = job();
    expect(j.metadata.annotations).toMatchObject({
      'argocd.argoproj.io/hook': 'PostSync',
      'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
    });
    expect(j.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 600 });
    const c = j.spec.template.spec.containers[0];
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'outputs-pr5706' } }]);
    const script = c.command[2];
    expect(script).toContain('check alb "http://$albDnsName/health"');
    expect(script).toContain('check cloudfront "https://$cloudfrontDomain/health"');
    expect(script).toMatch(/smoke test failed: \$1 \$2 did not answer 2xx in time" >&2; exit 1/);
  });

  test('non-root, read-only root filesystem, no privilege escalation, no token, resource limits', () => {
    const pod = job().spec.template.spec;
    const c = pod.containers[0];
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 100 });
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsGroup: 100,
      runAsNonRoot: true,
      runAsUser: 100,
    });
    expect(c.resources.limits).toEqual({ cpu: '200m', memory: '64Mi', 'ephemeral-storage': '1Gi' });
    expect(c.image).toMatch(/^curlimages\/curl:\d+\.\d+\.\d+$/);
  });
});

describe('dist/', () => {
  test('is exactly what the source synthesizes (committed dist/ is not stale)', () => {
    const expected = render(buildApp(repoConfig()));
    const dist = path.join(PROJECT_DIR, 'dist');
    const walk = (d: string): string[] =>
      fs
        .readdirSync(d, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.relative(dist, path.join(d, e.name))]));
    expect(walk(dist).sort()).toEqual(expected.map((f) => f.file).sort());
    for (const f of expected) {
      const same = fs.readFileSync(path.join(dist, f.file), 'utf8') === f.text;
      expect([f.file, same ? 'up to date' : 'stale: run npm run synth and commit dist/']).toEqual([
        f.file,
        'up to date',
      ]);
    }
  });
});
