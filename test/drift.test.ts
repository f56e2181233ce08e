import { lateWrittenFields, valueAt } from '../lib/gitops/drift';
import { parseFieldPath } from '../lib/common/field-path';
import { CrdCatalog } from '../lib/validate/catalog';
import { allApplications } from './argocd-model';
import { defaultSynth, objectsOf, PROJECT_DIR } from './helpers';

const RESOLVER = 'managed.crossplane.io/api-simple-reference-resolver';
const catalog = CrdCatalog.forProject(PROJECT_DIR);
const group = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

/** Resolves `$ref`-free structural schemas: a list is atomic unless it says map or set (the API server default). */
const atomic = (schema: any) => !['map', 'set'].includes(schema?.['x-kubernetes-list-type']);

/**
 * From the pinned CRD schemas: JSON pointers of the fields written late inside atomic lists of `o`.
 * - a `<f>Ref`, `<f>Refs` or `<f>Selector` the object sets inside an atomic list: the resolver writes the sibling
 *   field the schema declares next to it (`<f>` or `<f>s`);
 * - an Object's `toFieldPath` through a list of its manifest (`x-kubernetes-preserve-unknown-fields`: every list
 *   there is atomic).
 */
function requiredPointers(o: any): string[] {
  const out: string[] = [];
  const crd = catalog.get(o.apiVersion, o.kind);
  if (!crd) return out;
  if (o.kind === 'Object') {
    const manifest = crd.schema.properties.spec.properties.forProvider.properties.manifest;
    expect(manifest['x-kubernetes-preserve-unknown-fields']).toBe(true);
    for (const r of o.spec.references ?? []) {
      const segs = parseFieldPath(r.toFieldPath ?? r.patchesFrom.fieldPath);
      if (segs.some((s) => typeof s === 'number')) out.push(`/spec/forProvider/manifest/${segs.join('/')}`);
    }
    return out;
  }
  const walk = (node: any, schema: any, at: string, inAtomic: boolean) => {
    if (Array.isArray(node)) {
      const a = inAtomic || atomic(schema);
      node.forEach((v, i) => walk(v, schema?.items, `${at}/${i}`, a));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      const m = /^(.+?)(Refs|Ref|Selector)$/.exec(k);
      if (m && inAtomic) {
        const resolved = [m[1], `${m[1]}s`].filter((n) => schema?.properties?.[n]);
        expect([at, k, resolved.length > 0]).toEqual([at, k, true]);
        out.push(...resolved.map((n) => `${at}/${n}`));
        continue;
      }
      walk(v, schema?.properties?.[k], `${at}/${k}`, inAtomic);
    }
  };
  walk(o.spec, crd.schema.properties.spec, '/spec', false);
  return out;
}

describe('drift: fields other controllers write inside atomic lists', () => {
  const files = defaultSynth().files;
  const apps = allApplications(files.filter((f) => f.file.startsWith('argocd/')).flatMap((f) => f.objects));

  test('GIVEN every emitted object of every environment THEN its Application ignores each late-written field in an atomic list', () => {
    let found = 0;
    for (const suffix of ['prod', 'pr5706']) {
      const app = apps.find((a) => a.spec.destination.namespace === `catalog-api-${suffix}`)!;
      expect(app.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
      for (const o of objectsOf(files, suffix)) {
        for (const p of requiredPointers(o)) {
          found++;
          const entry = (app.spec.ignoreDifferences ?? []).find(
            (i: any) => i.group === group(o.apiVersion) && i.kind === o.kind && !i.name,
          );
          expect([o.kind, o.metadata.name, p, entry?.jsonPointers?.includes(p)]).toEqual([
            o.kind,
            o.metadata.name,
            p,
            true,
          ]);
          // the field is not set in git: ignoring it hides nothing the repository says
          expect(valueAt(o, p)).toBeUndefined();
        }
      }
    }
    // the ECS service's load balancer and the CloudFront origin, per environment (the listener's default action is a
    // list-map in v2.6.0: the resolver owns just its field there)
    expect(found).toBe(4);
  });

  test('GIVEN the ECS service THEN its load balancer list is atomic in the pinned CRD and holds a reference', () => {
    const svc = catalog.get('ecs.aws.m.upbound.io/v1beta1', 'Service')!;
    const lb = svc.schema.properties.spec.properties.forProvider.properties.loadBalancer;
    expect(lb.type).toBe('array');
    expect(atomic(lb)).toBe(true);
    expect(lb.items.properties.targetGroupArnRef).toBeDefined();
  });

  test('GIVEN a new managed resource with a reference inside a list THEN the rule catches it', () => {
    const o = {
      apiVersion: 'ecs.aws.m.upbound.io/v1beta1',
      kind: 'Service',
      metadata: { name: 'svc' },
      spec: {
        forProvider: {
          loadBalancer: [{ containerName: 'a', targetGroupArnRef: { name: 'tg' } }],
          networkConfiguration: { subnetIdRefs: [{ name: 's' }] },
        },
      },
    };
    expect(requiredPointers(o)).toEqual(['/spec/forProvider/loadBalancer/0/targetGroupArn']);
    expect(lateWrittenFields(o)).toEqual(['/spec/forProvider/loadBalancer/0/targetGroupArn']);
  });
});

/**
 * Argo CD's server-side diff and sync for one field, modelled: the dry-run apply replaces an atomic list with the
 * one in git (gitops-engine/pkg/diff/diff.go:165-215), the configured JSON pointers are removed from predicted and
 * live before comparing (Normalize, same file), and a sync with RespectIgnoreDifferences copies the live value of
 * each ignored field into what it applies (controller/sync.go:236-245, 417-490).
 */
describe('drift: server-side diff and self-heal with the ignore entries', () => {
  const files = defaultSynth().files;
  const apps = allApplications(files.filter((f) => f.file.startsWith('argocd/')).flatMap((f) => f.objects));
  const app = apps.find((a) => a.spec.destination.namespace === 'catalog-api-pr5706')!;
  const svc = objectsOf(files, 'pr5706').find((o) => o.kind === 'Service' && o.apiVersion.startsWith('ecs.'))!;
  const arn = 'arn:aws:elasticloadbalancing:eu-north-1:123456789012:targetgroup/tg-pr5706/73e2d6bc24d8a067';
  const pointers = (app.spec.ignoreDifferences ?? []).find((i: any) => i.kind === 'Service')?.jsonPointers ?? [];

  const strip = (o: any) => {
    const c = structuredClone(o);
    for (const p of pointers) {
      const segs = p.split('/').slice(1);
      const parent = segs.slice(0, -1).reduce((n: any, s: string) => n?.[s], c);
      if (parent) delete parent[segs[segs.length - 1]];
    }
    return JSON.stringify(c);
  };
  // what the reference resolver leaves in the cluster (field manager RESOLVER, force)
  const resolved = () => {
    const l = structuredClone(svc);
    l.spec.forProvider.loadBalancer[0].targetGroupArn = arn;
    return l;
  };

  test(`GIVEN ${RESOLVER} wrote the target group ARN THEN the diff is empty`, () => {
    const predicted = structuredClone(svc); // the dry-run apply replaced the atomic list
    expect(strip(predicted)).toBe(strip(resolved()));
  });

  test('GIVEN a sync THEN it applies the live ARN, so the resolver has nothing to rewrite (no flapping)', () => {
    const live = resolved();
    const applied = structuredClone(svc);
    for (const p of pointers) {
      const segs = p.split('/').slice(1);
      const parent = segs.slice(0, -1).reduce((n: any, s: string) => n?.[s], applied);
      parent[segs[segs.length - 1]] = valueAt(live, p);
    }
    expect(applied).toEqual(live);
  });

  test('GIVEN a change in git to the same list THEN it is still a difference', () => {
    const changed = structuredClone(svc);
    changed.spec.forProvider.loadBalancer[0].containerPort = 9999;
    expect(strip(changed)).not.toBe(strip(resolved()));
  });
});
