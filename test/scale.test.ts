import { buildApp, render } from '../lib/app';
import { formatViolation, Validator } from '../lib/validate';
import { loadFrom, PROJECT_DIR } from './helpers';
import { previews } from './process';

describe('scale', () => {
  test('100 preview environments: no collision among globally unique names, and everything validates', () => {
    const built = buildApp(loadFrom(previews(100)));
    const files = render(built);
    const objects = files.flatMap((f) => f.objects);
    const all = [...objects, ...objects.filter((o) => o.kind === 'Object').map((o) => o.spec.forProvider.manifest)];
    const global = (pred: (o: any) => boolean, name: (o: any) => string) => all.filter(pred).map(name);
    const families: Array<[string, string[]]> = [
      [
        's3 buckets',
        global(
          (o) => o.kind === 'Bucket',
          (o) => o.metadata.name,
        ),
      ],
      [
        'iam roles',
        global(
          (o) => o.kind === 'Role',
          (o) => o.metadata.name,
        ),
      ],
      [
        'cloudfront comments',
        global(
          (o) => o.kind === 'Distribution',
          (o) => o.spec.forProvider.comment,
        ),
      ],
      [
        'alarm names',
        global(
          (o) => o.kind === 'MetricAlarm',
          (o) => `${o.spec.forProvider.region}/${o.metadata.name}`,
        ),
      ],
      [
        'load balancers',
        global(
          (o) => o.kind === 'LB',
          (o) => o.spec.forProvider.name,
        ),
      ],
      [
        'ssm parameters',
        global(
          (o) => o.kind === 'Parameter',
          (o) => o.metadata.annotations['crossplane.io/external-name'],
        ),
      ],
      [
        'namespaces',
        global(
          (o) => o.kind === 'Namespace',
          (o) => o.metadata.name,
        ),
      ],
    ];
    for (const [family, names] of families) {
      expect([family, names.length]).toEqual([
        family,
        family === 'alarm names' ? 600 : family === 'ssm parameters' ? 300 : family === 'iam roles' ? 200 : 100,
      ]);
      expect([family, new Set(names).size]).toEqual([family, names.length]);
    }
    const violations = Validator.forProject(PROJECT_DIR).validate(
      objects.map((object) => ({ file: 'dist.yaml', object })),
    );
    expect(violations.map(formatViolation)).toEqual([]);
  });
});
