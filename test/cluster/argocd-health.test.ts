import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';

/**
 * Argo CD health as Argo CD v3.5.1 computes it: `argocd-harness health` runs Argo CD's own evaluator (gitops-engine
 * health.GetResourceHealth with util/lua and the embedded resource_customizations scripts) over the settings it
 * parses from argocd-cm with Argo CD's own settings code.
 */
const PROJECT_DIR = path.resolve(__dirname, '../..');
const HARNESS = path.join(PROJECT_DIR, '.cache/cluster/bin/argocd-harness');
const ARGOCD_CM = path.join(PROJECT_DIR, 'docs/argocd/argocd-cm-patch.yaml');
const UPSTREAM = path.resolve(PROJECT_DIR, '../shared/argocd-health/argo-cd-v3.5.1/resource_customizations');
const MODULE_DIR = path.join(PROJECT_DIR, 'test/cluster/go/argocd');

interface Health {
  kind: string;
  namespace: string;
  name: string;
  status: string | null;
  message: string;
}

function harness(args: string[], input: unknown): any[] {
  if (!fs.existsSync(HARNESS)) {
    throw new Error(`${HARNESS} is missing; run npm run cluster:build first`);
  }
  return JSON.parse(execFileSync(HARNESS, args, { input: JSON.stringify(input), encoding: 'utf8' }));
}

function health(objects: object[], argocdCm?: string): Health[] {
  return harness(['health', ...(argocdCm ? ['--argocd-cm', argocdCm] : [])], objects);
}

interface UpstreamCase {
  folder: string;
  input: any;
  expected: { status: string; message?: string };
}

/** Every case of every upstream health_test.yaml: input object and the health Argo CD's own tests expect. */
function upstreamCases(): UpstreamCase[] {
  const cases: UpstreamCase[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name === 'health_test.yaml') {
        for (const t of parse(fs.readFileSync(p, 'utf8')).tests) {
          cases.push({
            folder: path.relative(UPSTREAM, dir),
            input: parse(fs.readFileSync(path.join(dir, t.inputPath), 'utf8')),
            expected: t.healthStatus,
          });
        }
      }
    }
  };
  walk(UPSTREAM);
  return cases;
}

function condition(type: string, status: string, reason: string, message?: string) {
  return { type, status, reason, lastTransitionTime: '2026-01-01T00:00:00Z', ...(message ? { message } : {}) };
}

function managed(kind: string, group: string, name: string, conditions: object[] | undefined) {
  return {
    apiVersion: `${group}/v1beta1`,
    kind,
    metadata: { name, namespace: 'catalog-api-pr1' },
    spec: { forProvider: { region: 'eu-west-1' } },
    ...(conditions ? { status: { conditions } } : {}),
  };
}

function object(name: string, conditions: object[] | undefined) {
  return {
    ...managed('Object', 'kubernetes.m.crossplane.io', name, conditions),
    apiVersion: 'kubernetes.m.crossplane.io/v1alpha1',
  };
}

// crossplane-runtime v2.2.0 (pinned by provider-upjet-aws v2.6.0): ReconcileError(err) is Synced=False, reason
// ReconcileError, message err.Error() (apis/common/condition.go L295-L303); the generated resolvers wrap the resolver
// error with the field path (e.g. apis/namespaced/ecs/v1beta1/zz_generated.resolvers.go); pkg/reference/reference.go
// L39 and L42 hold the resolver's messages.
const WAITING_FOR_VALUE =
  'mg.Spec.ForProvider.TargetGroupArn: referenced field was empty (referenced resource may not yet be ready)';
const WAITING_FOR_OBJECT =
  'mg.Spec.ForProvider.SubnetID: cannot get referenced resource: subnets.ec2.aws.m.upbound.io "catalog-api-pr1-a" not found';
// provider-kubernetes v1.2.1: Observe wraps reference resolution errors (internal/controller/namespaced/object/
// object.go L97-L99, L376-L380, L712-L715); the source field is read with fieldpath.GetValue (crossplane-runtime
// v2.0.0-rc.1 pkg/fieldpath/paved.go L142), and the managed reconciler wraps Observe errors with "observe failed"
// (pkg/reconciler/managed/reconciler.go L64, L1131).
const OBJECT_WAITING_FOR_SOURCE =
  'observe failed: cannot resolve resource references: cannot patch from referenced resource: status.atProvider.domainName: no such field';
const OBJECT_SOURCE_MISSING =
  'observe failed: cannot resolve resource references: cannot get referenced resource: distributions.cloudfront.aws.m.upbound.io "catalog-api-pr1" not found';
const REAL_FAILURE =
  'create failed: async create failed: failed to create the resource: [{0 creating ECS Service (catalog-api-pr1): operation error ECS: CreateService, https response error StatusCode: 400, InvalidParameterException: The target group does not have an associated load balancer.  []}]';

describe('argocd-harness health (Argo CD v3.5.1 evaluator)', () => {
  test('GIVEN every upstream health_test.yaml case WHEN evaluated with Argo CD built-ins THEN every expected status and message holds', () => {
    const cases = upstreamCases();
    expect(cases.length).toBe(9);
    const got = health(cases.map((c) => c.input));
    cases.forEach((c, i) => {
      expect({ folder: c.folder, status: got[i].status, message: got[i].message }).toEqual({
        folder: c.folder,
        status: c.expected.status,
        message: c.expected.message ?? '',
      });
    });
  });

  test('GIVEN our argocd-cm patch WHEN the upstream cases are evaluated THEN the upstream expected answers still hold', () => {
    const cases = upstreamCases();
    const got = health(
      cases.map((c) => c.input),
      ARGOCD_CM,
    );
    cases.forEach((c, i) => {
      expect({ folder: c.folder, status: got[i].status, message: got[i].message }).toEqual({
        folder: c.folder,
        status: c.expected.status,
        message: c.expected.message ?? '',
      });
    });
  });

  test('GIVEN the upstream managed-resource cases moved into our groups WHEN evaluated with our patch THEN our scripts give the built-in answers', () => {
    const managedCases = upstreamCases().filter(
      (c) => c.folder === '_.upbound.io/_' && c.input.kind !== 'ProviderConfig',
    );
    expect(managedCases.length).toBe(1);
    const moved = managedCases.flatMap((c) => [
      { ...c.input, apiVersion: 'ecs.aws.m.upbound.io/v1beta1', kind: 'Service' },
      { ...c.input, apiVersion: 'kubernetes.m.crossplane.io/v1alpha1', kind: 'Object' },
    ]);
    const got = health(moved, ARGOCD_CM);
    for (const g of got) {
      expect({ status: g.status, message: g.message }).toEqual({
        status: managedCases[0].expected.status,
        message: managedCases[0].expected.message,
      });
    }
  });
});

describe('docs/argocd health customizations', () => {
  const inputs = [
    managed('Service', 'ecs.aws.m.upbound.io', 'waiting-for-value', [
      condition('Synced', 'False', 'ReconcileError', WAITING_FOR_VALUE),
    ]),
    managed('RouteTableAssociation', 'ec2.aws.m.upbound.io', 'waiting-for-object', [
      condition('Synced', 'False', 'ReconcileError', WAITING_FOR_OBJECT),
    ]),
    managed('Cluster', 'rds.aws.m.upbound.io', 'creating', [
      condition('Ready', 'False', 'Creating'),
      condition('Synced', 'True', 'ReconcileSuccess'),
    ]),
    managed('Cluster', 'rds.aws.m.upbound.io', 'no-status', undefined),
    managed('VPC', 'ec2.aws.m.upbound.io', 'ready', [
      condition('Ready', 'True', 'Available'),
      condition('Synced', 'True', 'ReconcileSuccess'),
    ]),
    managed('Service', 'ecs.aws.m.upbound.io', 'real-failure', [
      condition('Ready', 'False', 'Creating'),
      condition('Synced', 'False', 'ReconcileError', REAL_FAILURE),
    ]),
    managed('Service', 'ecs.aws.m.upbound.io', 'async-failure', [
      condition('Synced', 'True', 'ReconcileSuccess'),
      condition('LastAsyncOperation', 'False', 'AsyncCreateFailure', 'async create failed: quota exceeded'),
    ]),
    object('object-waiting-for-source', [condition('Synced', 'False', 'ReconcileError', OBJECT_WAITING_FOR_SOURCE)]),
    object('object-source-missing', [condition('Synced', 'False', 'ReconcileError', OBJECT_SOURCE_MISSING)]),
    object('object-ready', [condition('Ready', 'True', 'Available'), condition('Synced', 'True', 'ReconcileSuccess')]),
    object('object-failure', [
      condition('Synced', 'False', 'ReconcileError', 'create failed: cannot create object: configmaps is forbidden'),
    ]),
  ];
  const expected: Record<string, [string, string]> = {
    'waiting-for-value': ['Progressing', `Waiting for a dependency: ${WAITING_FOR_VALUE}`],
    'waiting-for-object': ['Progressing', `Waiting for a dependency: ${WAITING_FOR_OBJECT}`],
    creating: ['Progressing', 'Provisioning ...'],
    'no-status': ['Progressing', 'Provisioning ...'],
    ready: ['Healthy', 'Resource is up-to-date.'],
    'real-failure': ['Degraded', REAL_FAILURE],
    'async-failure': ['Degraded', 'async create failed: quota exceeded'],
    'object-waiting-for-source': ['Progressing', `Waiting for a dependency: ${OBJECT_WAITING_FOR_SOURCE}`],
    'object-source-missing': ['Progressing', `Waiting for a dependency: ${OBJECT_SOURCE_MISSING}`],
    'object-ready': ['Healthy', 'Resource is up-to-date.'],
    'object-failure': ['Degraded', 'create failed: cannot create object: configmaps is forbidden'],
  };

  test('GIVEN Argo CD without our patch WHEN a resource waits for a reference THEN the built-in scripts call it Degraded (the defect)', () => {
    const got = health(inputs);
    const byName = Object.fromEntries(got.map((g) => [g.name, g.status]));
    expect(byName['waiting-for-value']).toBe('Degraded');
    expect(byName['waiting-for-object']).toBe('Degraded');
    expect(byName['object-waiting-for-source']).toBe('Degraded');
    expect(byName['object-source-missing']).toBe('Degraded');
  });

  test('GIVEN our patch WHEN resources wait, create, are ready or fail THEN waiting is Progressing and real failures stay Degraded', () => {
    const got = health(inputs, ARGOCD_CM);
    expect(Object.fromEntries(got.map((g) => [g.name, [g.status, g.message]]))).toEqual(expected);
  });

  test('GIVEN our patch WHEN a resource is being deleted THEN Argo CD reports Pending deletion before any script', () => {
    const deleting = managed('VPC', 'ec2.aws.m.upbound.io', 'deleting', [condition('Ready', 'True', 'Available')]);
    (deleting.metadata as any).deletionTimestamp = '2026-01-01T00:00:00Z';
    expect(health([deleting], ARGOCD_CM)[0]).toMatchObject({ status: 'Progressing', message: 'Pending deletion' });
  });

  test('GIVEN a malformed argocd-cm WHEN health runs THEN it fails naming the setting', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argocd-cm-'));
    const bad = path.join(dir, 'cm.yaml');
    fs.writeFileSync(bad, 'data:\n  resource.customizations: "- not a map"\n');
    expect(() => execFileSync(HARNESS, ['health', '--argocd-cm', bad], { input: '[]', stdio: 'pipe' })).toThrow(
      /--argocd-cm: Argo CD rejects the resource customizations/,
    );
  });
});

describe('docs/argocd resource.exclusions', () => {
  /** The argocd-cm the Argo CD v3.5.1 install ships, from the Go module the harness is built from. */
  function installedArgoCDConfigMap(): string {
    const dir = execFileSync('go', ['list', '-m', '-f', '{{.Dir}}', 'github.com/argoproj/argo-cd/v3'], {
      cwd: MODULE_DIR,
      encoding: 'utf8',
    }).trim();
    return path.join(dir, 'manifests/base/config/argocd-cm.yaml');
  }

  function defaultExclusions(baseCm: string): { group: string; kind: string }[] {
    const cm = parse(fs.readFileSync(baseCm, 'utf8'));
    return parse(cm.data['resource.exclusions']).flatMap((r: any) =>
      r.apiGroups.flatMap((group: string) => r.kinds.map((kind: string) => ({ group, kind }))),
    );
  }

  test('GIVEN the install argocd-cm with our patch merged WHEN Argo CD filters resources THEN every default exclusion and ProviderConfigUsage are excluded', () => {
    const base = installedArgoCDConfigMap();
    const defaults = defaultExclusions(base);
    expect(defaults).toContainEqual({ group: '', kind: 'Endpoints' });
    const ours = [
      { group: 'aws.m.upbound.io', kind: 'ProviderConfigUsage' },
      { group: 'kubernetes.m.crossplane.io', kind: 'ProviderConfigUsage' },
    ];
    const got = harness(['excluded', '--base-cm', base, '--argocd-cm', ARGOCD_CM], [...defaults, ...ours]);
    expect(got.filter((g) => !g.excluded)).toEqual([]);
    const kept = harness(
      ['excluded', '--base-cm', base, '--argocd-cm', ARGOCD_CM],
      [
        { group: 'ecs.aws.m.upbound.io', kind: 'Service' },
        { group: 'kubernetes.m.crossplane.io', kind: 'Object' },
        { group: '', kind: 'ConfigMap' },
      ],
    );
    expect(kept.filter((g) => g.excluded)).toEqual([]);
  });
});
