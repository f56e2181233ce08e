import { SourcedObject, Validator } from '../lib/validate';
import { allObjects, defaultSynth, find, ofKind, PROJECT_DIR } from './helpers';

const S = 'pr5706';
const validator = Validator.forProject(PROJECT_DIR);

describe('LogBucket lifecycle', () => {
  const objects = allObjects(defaultSynth().files);

  test('GIVEN every emitted lifecycle configuration THEN each rule filters on a non-empty prefix', () => {
    const lifecycles = ofKind(objects, 'BucketLifecycleConfiguration');
    expect(lifecycles.length).toBeGreaterThan(0);
    for (const l of lifecycles) {
      for (const rule of l.spec.forProvider.rule) {
        expect(rule.prefix).toBeUndefined();
        expect(rule.filter).toHaveLength(1);
        expect(rule.filter[0].prefix).toMatch(/^.+\/$/);
      }
    }
  });

  test('GIVEN the load balancer writing access logs WHEN the lifecycle expires them THEN it filters on that prefix', () => {
    const lb = find(objects, 'LB', `alb-${S}`);
    const lifecycle = find(objects, 'BucketLifecycleConfiguration', `alb-logs-${S}-123456789012-lifecycle`);
    expect(lb.spec.forProvider.accessLogs.bucketRef.name).toBe(lifecycle.spec.forProvider.bucketRef.name);
    expect(lifecycle.spec.forProvider.rule).toEqual([
      expect.objectContaining({
        filter: [{ prefix: `${lb.spec.forProvider.accessLogs.prefix}/` }],
        expiration: [{ days: 30 }],
        status: 'Enabled',
      }),
    ]);
  });
});

describe('policy S3004', () => {
  const emitted = (): SourcedObject[] =>
    defaultSynth().files.flatMap((f) => f.objects.map((object) => ({ file: f.file, object: structuredClone(object) })));
  const after = (mutate: (rule: any) => void) => {
    const set = emitted();
    const l = set.find(
      (o) => o.object.kind === 'BucketLifecycleConfiguration' && o.object.metadata.namespace === `catalog-api-${S}`,
    )!;
    mutate(l.object.spec.forProvider.rule[0]);
    return validator.validate(set).filter((v) => v.rule === 'S3004');
  };

  test('GIVEN the emitted set THEN no lifecycle rule is flagged', () => {
    expect(after(() => undefined)).toEqual([]);
  });

  test.each([
    ['an empty-prefix filter', (r: any) => (r.filter = [{ prefix: '' }]), 'spec.forProvider.rule[0].filter[0]'],
    ['an empty filter', (r: any) => (r.filter = [{}]), 'spec.forProvider.rule[0].filter[0]'],
    ['no filter and no prefix', (r: any) => delete r.filter, 'spec.forProvider.rule[0]'],
    [
      'the deprecated empty rule prefix',
      (r: any) => {
        delete r.filter;
        r.prefix = '';
      },
      'spec.forProvider.rule[0].prefix',
    ],
  ])('GIVEN %s WHEN validated THEN S3004 names the rule', (_case, mutate, path) => {
    expect(after(mutate).map((v) => v.path)).toEqual([path]);
  });
});
