import { cascadeFinalizer, globMatch, isPermitted } from './argocd-model';

// The expectations of the glob cases are what github.com/gobwas/glob v0.2.3 (Argo CD v3.5.1's pin) and Go's
// path/filepath.Match answer for them.
describe('globMatch', () => {
  const both: readonly [string, string, boolean][] = [
    ['catalog-api-pr[0-9]*', 'catalog-api-pr12', true],
    ['catalog-api-pr[0-9]*', 'catalog-api-prod', false],
    ['catalog-api-pr[0-9]*', 'catalog-api-pr', false],
    ['catalog-api-*', 'catalog-api-prod', true],
    ['catalog-api-*', 'catalog-api', false],
    ['*', '', true],
    ['', '', true],
    ['', 'apps', false],
    ['*.aws.m.upbound.io', 'ec2.aws.m.upbound.io', true],
    ['*.aws.m.upbound.io', 'aws.m.upbound.io', false],
    ['Polic?', 'Policy', true],
    ['Polic?', 'Policies', false],
    ['a.b', 'axb', false],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['[abc', 'a', false],
  ];
  test.each(both)('GIVEN %s WHEN matched against %s THEN both dialects answer %s', (pattern, value, expected) => {
    expect([globMatch(pattern, value, 'gobwas'), globMatch(pattern, value, 'filepath')]).toEqual([expected, expected]);
  });

  test('GIVEN a negated class WHEN matched THEN gobwas negates with ! and filepath with ^, each reading the other literally', () => {
    expect(globMatch('pr[!0-9]x', 'prax', 'gobwas')).toBe(true);
    expect(globMatch('pr[!0-9]x', 'pr1x', 'gobwas')).toBe(false);
    expect(globMatch('pr[!0-9]x', 'prax', 'filepath')).toBe(false);
    expect(globMatch('pr[!0-9]x', 'pr1x', 'filepath')).toBe(true);
    expect(globMatch('pr[^0-9]x', 'prax', 'filepath')).toBe(true);
    expect(globMatch('pr[^0-9]x', 'prax', 'gobwas')).toBe(false);
  });

  test('GIVEN gobwas alternatives WHEN matched THEN the model refuses them instead of guessing', () => {
    expect(() => globMatch('{a,b}', 'a', 'gobwas')).toThrow('glob alternatives are not modelled: {a,b}');
  });
});

const obj = (apiVersion: string, kind: string, name: string, namespace?: string) => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
});

describe('isPermitted', () => {
  const server = 'https://kubernetes.default.svc';

  test('GIVEN no namespaced whitelist WHEN a namespaced object is asked THEN every kind is permitted, but the destination still decides', () => {
    const project = { spec: { destinations: [{ server, namespace: 'catalog-api-*' }] } };
    expect(isPermitted(project, obj('apps/v1', 'Deployment', 'x', 'catalog-api-prod'))).toBe(true);
    expect(isPermitted(project, obj('apps/v1', 'Deployment', 'x', 'kube-system'))).toBe(false);
  });

  test('GIVEN an empty whitelist or a blacklist entry WHEN asked THEN the kind is refused', () => {
    const destinations = [{ server, namespace: '*' }];
    expect(
      isPermitted({ spec: { destinations, namespaceResourceWhitelist: [] } }, obj('v1', 'ConfigMap', 'c', 'a')),
    ).toBe(false);
    const project = {
      spec: {
        destinations,
        namespaceResourceWhitelist: [{ group: '*', kind: '*' }],
        namespaceResourceBlacklist: [{ group: '', kind: 'Secret' }],
      },
    };
    expect(isPermitted(project, obj('v1', 'ConfigMap', 'c', 'a'))).toBe(true);
    expect(isPermitted(project, obj('v1', 'Secret', 's', 'a'))).toBe(false);
  });

  test('GIVEN a deny destination WHEN its namespace is asked THEN it is refused even though another entry matches', () => {
    const project = {
      spec: {
        destinations: [
          { server, namespace: '!kube-system' },
          { server, namespace: '*' },
        ],
      },
    };
    expect(isPermitted(project, obj('v1', 'ConfigMap', 'c', 'kube-system'))).toBe(false);
    expect(isPermitted(project, obj('v1', 'ConfigMap', 'c', 'default'))).toBe(true);
  });

  test('GIVEN a named cluster-scoped whitelist entry WHEN asked THEN only that name is permitted, and no cluster whitelist permits nothing', () => {
    const project = {
      spec: {
        destinations: [],
        clusterResourceWhitelist: [{ group: '', kind: 'Namespace', name: 'catalog-api-pr[0-9]*' }],
      },
    };
    expect(isPermitted(project, obj('v1', 'Namespace', 'catalog-api-pr7'))).toBe(true);
    expect(isPermitted(project, obj('v1', 'Namespace', 'catalog-api-prod'))).toBe(false);
    expect(isPermitted({ spec: { destinations: [] } }, obj('v1', 'Namespace', 'a'))).toBe(false);
  });
});

describe('cascadeFinalizer', () => {
  const wave = (o: any, w: number) => ({
    ...o,
    metadata: { ...o.metadata, annotations: { 'argocd.argoproj.io/sync-wave': String(w) } },
  });
  const project = {
    spec: {
      destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'app' }],
      clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
      namespaceResourceWhitelist: [{ group: '*', kind: '*' }],
    },
  };

  test('GIVEN objects in three waves WHEN the finalizer runs THEN it deletes the highest wave first and waits for each to go', () => {
    const objects = [
      wave(obj('v1', 'Namespace', 'app'), -1),
      wave(obj('s3.aws.m.upbound.io/v1beta1', 'Bucket', 'b', 'app'), 1),
      wave(obj('v1', 'ConfigMap', 'c', 'app'), 0),
    ];
    const { events, left } = cascadeFinalizer(objects, project);
    expect(events).toEqual([
      'delete Bucket/b',
      'gone Bucket/b',
      'delete ConfigMap/c',
      'gone ConfigMap/c',
      'delete Namespace/app',
      'gone Namespace/app',
      'finalizer removed',
    ]);
    expect(left).toEqual([]);
  });

  test('GIVEN an object the project no longer permits WHEN the finalizer runs THEN it is left to go with its namespace', () => {
    const objects = [wave(obj('v1', 'Namespace', 'app'), -1), wave(obj('v1', 'ConfigMap', 'c', 'app'), 0)];
    const narrowed = { spec: { ...project.spec, namespaceResourceWhitelist: [{ group: 'apps', kind: '*' }] } };
    const { events } = cascadeFinalizer(objects, narrowed);
    expect(events).toEqual([
      'delete Namespace/app',
      'gone Namespace/app',
      'gone with namespace ConfigMap/c',
      'finalizer removed',
    ]);
  });
});
