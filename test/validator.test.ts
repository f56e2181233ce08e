import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { formatViolation, SourcedObject, Validator, Violation } from '../lib/validate';
import { defaultSynth, PROJECT_DIR, tempDir } from './helpers';

const validator = Validator.forProject(PROJECT_DIR);
const S = 'pr5706';
const NS = `catalog-api-${S}`;

function emitted(): SourcedObject[] {
  return defaultSynth().files.flatMap((f) =>
    f.objects.map((object) => ({ file: `dist/${f.file}`, object: structuredClone(object) })),
  );
}

function findIn(set: SourcedObject[], kind: string, name: string): any {
  const hit = set.find((o) => o.object.kind === kind && o.object.metadata?.name === name);
  if (!hit) throw new Error(`no ${kind} ${name} in the emitted set`);
  return hit.object;
}

/** Applies `mutate` to one emitted object (or the set) and validates the whole set. */
function violationsAfter(kind: string, name: string, mutate: (o: any, set: SourcedObject[]) => void): Violation[] {
  const set = emitted();
  mutate(findIn(set, kind, name), set);
  return validator.validate(set);
}

const wrapped = (o: any) => o.spec.forProvider.manifest;

describe('Validator', () => {
  test('every object of every configured environment validates', () => {
    const violations = validator.validate(emitted());
    expect(violations.map(formatViolation)).toEqual([]);
  });

  // [case, kind, name, mutation, rule, path, message]
  const MUTATIONS: Array<
    [string, string, string, (o: any, set: SourcedObject[]) => void, string, string | RegExp, RegExp]
  > = [
    [
      'unknown top-level field',
      'VPC',
      `vpc-${S}`,
      (o) => (o.bogus = 1),
      'unknown-field',
      'bogus',
      /unknown field "bogus"/,
    ],
    [
      'unknown nested field',
      'VPC',
      `vpc-${S}`,
      (o) => (o.spec.forProvider.bogusField = true),
      'unknown-field',
      'spec.forProvider.bogusField',
      /unknown field "spec\.forProvider\.bogusField"/,
    ],
    [
      'unknown deep field',
      'LB',
      `alb-${S}`,
      (o) => (o.spec.forProvider.accessLogs.retention = 3),
      'unknown-field',
      'spec.forProvider.accessLogs.retention',
      /unknown field/,
    ],
    [
      'deletionPolicy, absent from namespaced MRs',
      'Subnet',
      `private-subnet-a-${S}`,
      (o) => (o.spec.deletionPolicy = 'Orphan'),
      'unknown-field',
      'spec.deletionPolicy',
      /unknown field "spec\.deletionPolicy"/,
    ],
    [
      'inline route, status-only in v2.6.0',
      'RouteTable',
      `public-rt-${S}`,
      (o) => (o.spec.forProvider.route = [{ cidrBlock: '0.0.0.0/0' }]),
      'unknown-field',
      'spec.forProvider.route',
      /unknown field/,
    ],
    [
      'unknown metadata field',
      'VPC',
      `vpc-${S}`,
      (o) => (o.metadata.labelz = {}),
      'unknown-field',
      'metadata.labelz',
      /unknown field "metadata\.labelz"/,
    ],
    [
      'string field given a number',
      'VPC',
      `vpc-${S}`,
      (o) => (o.spec.forProvider.cidrBlock = 10),
      'schema',
      'spec.forProvider.cidrBlock',
      /must be of type string: "integer"/,
    ],
    [
      'number field given a string',
      'LBTargetGroup',
      `tg-${S}`,
      (o) => (o.spec.forProvider.port = '3000'),
      'schema',
      'spec.forProvider.port',
      /must be of type number: "string"/,
    ],
    [
      'boolean field given a string',
      'VPC',
      `vpc-${S}`,
      (o) => (o.spec.forProvider.enableDnsSupport = 'yes'),
      'schema',
      'spec.forProvider.enableDnsSupport',
      /must be of type boolean/,
    ],
    [
      'invalid enum',
      'VPC',
      `vpc-${S}`,
      (o) => (o.spec.managementPolicies = ['Destroy']),
      'schema',
      'spec.managementPolicies[0]',
      /Unsupported value: "Destroy": supported values: "Observe"/,
    ],
    [
      'CEL skipped after a blocking error',
      'LBListener',
      `alb-http-listener-${S}`,
      (o) => {
        o.spec.managementPolicies = ['Bogus'];
        delete o.spec.forProvider.defaultAction;
      },
      'cel',
      '(object)',
      /some validation rules were not checked/,
    ],
    [
      'listener without defaultAction',
      'LBListener',
      `alb-http-listener-${S}`,
      (o) => delete o.spec.forProvider.defaultAction,
      'cel',
      'spec',
      /spec\.forProvider\.defaultAction is a required parameter/,
    ],
    [
      'target group without name',
      'LBTargetGroup',
      `tg-${S}`,
      (o) => delete o.spec.forProvider.name,
      'cel',
      'spec',
      /spec\.forProvider\.name is a required parameter/,
    ],
    [
      'alarm without comparisonOperator',
      'MetricAlarm',
      `ecs-cpu-high-${S}`,
      (o) => delete o.spec.forProvider.comparisonOperator,
      'cel',
      'spec',
      /comparisonOperator is a required parameter/,
    ],
    [
      'scaling target without maxCapacity',
      'Target',
      `ecs-scaling-target-${S}`,
      (o) => delete o.spec.forProvider.maxCapacity,
      'cel',
      'spec',
      /maxCapacity is a required parameter/,
    ],
    [
      'ingress rule without ipProtocol',
      'SecurityGroupIngressRule',
      `rds-sg-in-5432-${S}`,
      (o) => delete o.spec.forProvider.ipProtocol,
      'cel',
      'spec',
      /ipProtocol is a required parameter/,
    ],
    [
      'wrapped distribution without viewerCertificate',
      'Object',
      `cdn-${S}`,
      (o) => delete wrapped(o).spec.forProvider.viewerCertificate,
      'cel',
      'spec.forProvider.manifest.spec',
      /viewerCertificate is a required parameter/,
    ],
    [
      'duplicate set item',
      'ClusterCapacityProviders',
      `ecs-capacity-providers-${S}`,
      (o) => o.spec.forProvider.capacityProviders.push('FARGATE'),
      'list-type',
      'spec.forProvider.capacityProviders[2]',
      /Duplicate value: "FARGATE"/,
    ],
    [
      'duplicate listener action index',
      'LBListener',
      `alb-http-listener-${S}`,
      (o) => o.spec.forProvider.defaultAction.push({ type: 'fixed-response' }),
      'list-type',
      'spec.forProvider.defaultAction[1]',
      /Duplicate value: map\[index:default\]/,
    ],
    [
      'required nested field missing',
      'VPC',
      `vpc-${S}`,
      (o) => delete o.spec.providerConfigRef.kind,
      'schema',
      'spec.providerConfigRef.kind',
      /Required value/,
    ],
    [
      'region missing',
      'VPC',
      `vpc-${S}`,
      (o) => delete o.spec.forProvider.region,
      'schema',
      'spec.forProvider.region',
      /Required value/,
    ],
    [
      'name not RFC 1123',
      'VPC',
      `vpc-${S}`,
      (o) => (o.metadata.name = 'Vpc_Bad'),
      'metadata',
      'metadata.name',
      /Invalid value: "Vpc_Bad": a lowercase RFC 1123 subdomain/,
    ],
    [
      'label value with spaces',
      'VPC',
      `vpc-${S}`,
      (o) => (o.metadata.labels.team = 'platform team'),
      'metadata',
      'metadata.labels["team"]',
      /a valid label must be/,
    ],
    [
      'label key with two slashes',
      'VPC',
      `vpc-${S}`,
      (o) => (o.metadata.labels['a/b/c'] = 'x'),
      'metadata',
      'metadata.labels["a/b/c"]',
      /qualified name/,
    ],
    [
      'annotation key invalid',
      'VPC',
      `vpc-${S}`,
      (o) => (o.metadata.annotations = { '-bad-': 'x' }),
      'metadata',
      'metadata.annotations["-bad-"]',
      /name part must consist/,
    ],
    [
      'namespace on a cluster-scoped kind',
      'Namespace',
      NS,
      (o) => (o.metadata.namespace = 'default'),
      'metadata',
      'metadata.namespace',
      /Forbidden: not allowed on this type/,
    ],
    [
      'namespace missing on a namespaced kind',
      'VPC',
      `vpc-${S}`,
      (o) => delete o.metadata.namespace,
      'metadata',
      'metadata.namespace',
      /Required value: a namespaced kind needs metadata\.namespace/,
    ],
    [
      'legacy apiVersion',
      'Cluster',
      `rds-cluster-${S}`,
      (o) => (o.apiVersion = 'rds.aws.upbound.io/v1beta2'),
      'schema',
      '(object)',
      /no matches for kind "Cluster" in version "rds\.aws\.upbound\.io\/v1beta2"/,
    ],
    [
      'dangling reference',
      'Subnet',
      `private-subnet-b-${S}`,
      (o) => (o.spec.forProvider.vpcIdRef.name = 'vpc-nope'),
      'reference',
      'spec.forProvider.vpcIdRef',
      /Not found: VPC\.ec2\.aws\.m\.upbound\.io "vpc-nope" in namespace catalog-api-pr5706 is not emitted/,
    ],
    [
      'reference to the wrong kind',
      'ClusterInstance',
      `rds-instance-a-${S}`,
      (o) => (o.spec.forProvider.clusterIdentifierRef.name = `rds-subnet-group-${S}`),
      'reference',
      'spec.forProvider.clusterIdentifierRef',
      /refers to a Cluster .* is a SubnetGroup/,
    ],
    [
      'reference into another namespace',
      'Service',
      `ecs-service-${S}`,
      (o) => (o.spec.forProvider.clusterRef.namespace = 'catalog-api-prod'),
      'reference',
      'spec.forProvider.clusterRef',
      /"ecs-cluster-pr5706" in namespace catalog-api-prod is not emitted/,
    ],
    [
      'dangling item of a Refs list',
      'LB',
      `alb-${S}`,
      (o) => (o.spec.forProvider.subnetRefs[1].name = 'nope'),
      'reference',
      'spec.forProvider.subnetRefs[1]',
      /Not found: Subnet/,
    ],
    [
      'missing ProviderConfig',
      'VPC',
      `vpc-${S}`,
      (o) => (o.spec.providerConfigRef.name = 'aws-other'),
      'reference',
      'spec.providerConfigRef',
      /ProviderConfig\.aws\.m\.upbound\.io "aws-other" is not emitted/,
    ],
    [
      'ClusterProviderConfig that is neither emitted nor a prerequisite',
      'VPC',
      `vpc-${S}`,
      (o) => (o.spec.providerConfigRef = { kind: 'ClusterProviderConfig', name: 'default' }),
      'reference',
      'spec.providerConfigRef',
      /neither emitted nor a documented prerequisite/,
    ],
    [
      'late-binding source field that does not exist',
      'Object',
      `cdn-${S}`,
      (o) => (o.spec.references[0].patchesFrom.fieldPath = 'status.atProvider.dnsNam'),
      'reference',
      'spec.references[0].patchesFrom.fieldPath',
      /no such field in the LB schema/,
    ],
    [
      'late-binding target field that does not exist',
      'Object',
      `cdn-${S}`,
      (o) => (o.spec.references[0].toFieldPath = 'spec.forProvider.origin[0].domain'),
      'reference',
      'spec.references[0].toFieldPath',
      /no such field in the wrapped Distribution schema/,
    ],
    [
      'late-binding source without namespace',
      'Object',
      `cdn-${S}`,
      (o) => delete o.spec.references[0].patchesFrom.namespace,
      'reference',
      'spec.references[0].patchesFrom.namespace',
      /does not default to the Object's/,
    ],
    [
      'activation of a kind no CRD serves',
      'ManagedResourceActivationPolicy',
      'catalog-api',
      (o) => o.spec.activate.push('lbs.elbv2.aws.upbound.io'),
      'reference',
      /^spec\.activate\[\d+\]$/,
      /is not <plural>\.<group> of any pinned CRD/,
    ],
    [
      'built-in kind with a wrong type',
      'Object',
      `outputs-${S}`,
      (o) => (wrapped(o).data.region = 5),
      'schema',
      'spec.forProvider.manifest.data.region',
      /must be of type string/,
    ],
    [
      'built-in kind with an unknown field',
      'RoleBinding',
      'catalog-api-provider-kubernetes',
      (o) => (o.subjects[0].serviceAccount = 'x'),
      'unknown-field',
      'subjects[0].serviceAccount',
      /unknown field/,
    ],
    [
      'SG001 internet ingress to the tasks',
      'SecurityGroupIngressRule',
      `ecs-sg-in-3000-${S}`,
      (o) => {
        delete o.spec.forProvider.referencedSecurityGroupIdRef;
        o.spec.forProvider.cidrIpv4 = '0.0.0.0/0';
      },
      'SG001',
      'spec.forProvider',
      /ingress from the internet on 3000-3000 to "ecs-sg-pr5706"/,
    ],
    [
      'SG001 internet ingress on a non-listener port',
      'SecurityGroupIngressRule',
      `alb-sg-in-80-${S}`,
      (o) => {
        o.spec.forProvider.fromPort = 22;
        o.spec.forProvider.toPort = 22;
      },
      'SG001',
      'spec.forProvider',
      /not a load balancer listener port \(listeners: 80\)/,
    ],
    [
      'LB001 without its recorded exception',
      'LBListener',
      `alb-http-listener-${S}`,
      (o) => (o.metadata.annotations = {}),
      'LB001',
      'spec.forProvider.protocol',
      /plaintext listener on port 80/,
    ],
    [
      'CDN001 without its recorded exception',
      'Object',
      `cdn-${S}`,
      (o) => (wrapped(o).metadata.annotations = {}),
      'CDN001',
      'spec.forProvider.manifest.spec.forProvider.defaultCacheBehavior.viewerProtocolPolicy',
      /allow-all/,
    ],
    [
      'RDS001 public database',
      'ClusterInstance',
      `rds-instance-b-${S}`,
      (o) => (o.spec.forProvider.publiclyAccessible = true),
      'RDS001',
      'spec.forProvider.publiclyAccessible',
      /must be explicitly false, got true/,
    ],
    [
      'RDS002 unencrypted storage',
      'Cluster',
      `rds-cluster-${S}`,
      (o) => (o.spec.forProvider.storageEncrypted = false),
      'RDS002',
      'spec.forProvider.storageEncrypted',
      /must be encrypted, got false/,
    ],
    [
      'S3001 public access not blocked',
      'BucketPublicAccessBlock',
      `alb-logs-${S}-123456789012-public-access-block`,
      (o) => (o.spec.forProvider.blockPublicPolicy = false),
      'S3001',
      '(object)',
      /no BucketPublicAccessBlock with all four settings/,
    ],
    [
      'S3002 unencrypted bucket',
      'BucketServerSideEncryptionConfiguration',
      `alb-logs-${S}-123456789012-sse`,
      (o, set) =>
        set.splice(
          set.findIndex((s) => s.object === o),
          1,
        ),
      'S3002',
      '(object)',
      /no BucketServerSideEncryptionConfiguration/,
    ],
    [
      'S3003 bucket without a TLS-only policy',
      'BucketPolicy',
      `alb-logs-${S}-123456789012-policy`,
      (o) => {
        const p = JSON.parse(o.spec.forProvider.policy);
        p.Statement = p.Statement.filter((s: any) => s.Effect !== 'Deny');
        o.spec.forProvider.policy = JSON.stringify(p);
      },
      'S3003',
      '(object)',
      /denies aws:SecureTransport=false/,
    ],
    [
      'IAM001 wildcard policy',
      'RolePolicy',
      `ecs-task-role-${S}-policy`,
      (o) =>
        (o.spec.forProvider.policy = JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Sid: 'All', Effect: 'Allow', Action: '*', Resource: '*' }],
        })),
      'IAM001',
      'spec.forProvider.policy',
      /allows every action on every resource/,
    ],
    [
      'SEC001 password in a ConfigMap',
      'Object',
      `outputs-${S}`,
      (o) => (wrapped(o).data.DB_PASSWORD = 'hunter2hunter2'),
      'SEC001',
      'spec.forProvider.manifest.data.DB_PASSWORD',
      /holds a literal value/,
    ],
    [
      'SEC001 access key in a task environment',
      'Object',
      `catalog-api-taskdef-${S}-r`,
      (o) => {
        const m = wrapped(o).spec.forProvider;
        const defs = JSON.parse(m.containerDefinitions);
        defs[0].environment.push({ name: 'AWS_KEY_ID', value: 'AKIAABCDEFGHIJKLMNOP' });
        m.containerDefinitions = JSON.stringify(defs);
      },
      'SEC001',
      'spec.forProvider.manifest.spec.forProvider.containerDefinitions(json)[0].environment[4].value',
      /an AWS access key id/,
    ],
    [
      'SEC001 Secret with data',
      'Namespace',
      NS,
      (_o, set) =>
        set.push({
          file: 'x.yaml',
          object: {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 'db', namespace: NS },
            stringData: { password: 'x' },
          },
        }),
      'SEC001',
      'stringData',
      /a Secret with values would put them in git/,
    ],
    [
      'DEL001 production database without Argo CD protection',
      'Cluster',
      'rds-cluster-prod',
      (o) => delete o.metadata.annotations['argocd.argoproj.io/sync-options'],
      'DEL001',
      'metadata.annotations',
      /must include Prune=false and Delete=false/,
    ],
    [
      'DEL001 production database Crossplane may delete',
      'Cluster',
      'rds-cluster-prod',
      (o) => (o.spec.managementPolicies = ['*']),
      'DEL001',
      'spec.managementPolicies',
      /lets Crossplane delete the AWS resource/,
    ],
    [
      'DEL001 production database without deletion protection',
      'Cluster',
      'rds-cluster-prod',
      (o) => (o.spec.forProvider.deletionProtection = false),
      'DEL001',
      'spec.forProvider.deletionProtection',
      /deletionProtection true and skipFinalSnapshot false/,
    ],
    [
      'POL000 exception for an unknown rule',
      'VPC',
      `vpc-${S}`,
      (o) => (o.metadata.annotations = { 'exception.policy.catalog-api/XYZ001': 'because it is fine here' }),
      'POL000',
      'metadata.annotations["exception.policy.catalog-api/XYZ001"]',
      /no such policy rule/,
    ],
    [
      'POL000 exception that waives nothing',
      'VPC',
      `vpc-${S}`,
      (o) => (o.metadata.annotations = { 'exception.policy.catalog-api/DEL001': 'a vpc holds no data at all' }),
      'POL000',
      'metadata.annotations["exception.policy.catalog-api/DEL001"]',
      /waives nothing/,
    ],
    [
      'POL000 exception without a reason',
      'LBListener',
      `alb-http-listener-${S}`,
      (o) => (o.metadata.annotations['exception.policy.catalog-api/LB001'] = 'ok'),
      'POL000',
      'metadata.annotations["exception.policy.catalog-api/LB001"]',
      /needs a reason/,
    ],
  ];

  test(`the mutation table has at least 40 cases (${MUTATIONS.length})`, () => {
    expect(MUTATIONS.length).toBeGreaterThanOrEqual(40);
  });

  test.each(MUTATIONS)('catches %s', (_case, kind, name, mutate, rule, fieldPath, message) => {
    const set = emitted();
    const target =
      kind === 'Object' && name.endsWith('-r')
        ? set.find((o) => o.object.kind === 'Object' && o.object.metadata.name.startsWith(name))!.object
        : findIn(set, kind, name);
    mutate(target, set);
    const violations = validator.validate(set);
    const pathMatches = (p: string) => (typeof fieldPath === 'string' ? p === fieldPath : fieldPath.test(p));
    expect(
      violations.filter((v) => v.rule === rule && pathMatches(v.path) && message.test(v.message)).map(formatViolation),
    ).toHaveLength(1);
  });

  test('a required parameter may come from initProvider instead', () => {
    const v = violationsAfter('LBTargetGroup', `tg-${S}`, (o) => {
      o.spec.initProvider = { name: o.spec.forProvider.name };
      delete o.spec.forProvider.name;
    });
    expect(v.map(formatViolation)).toEqual([]);
  });

  test('required parameters are not required of an observe-only resource', () => {
    const v = violationsAfter('LBTargetGroup', `tg-${S}`, (o) => {
      o.spec.managementPolicies = ['Observe'];
      delete o.spec.forProvider.name;
    });
    expect(v.map(formatViolation)).toEqual([]);
  });

  test('messages name the file, the object, the field and the rule in kubectl style', () => {
    const [v] = violationsAfter('VPC', `vpc-${S}`, (o) => (o.spec.forProvider.bogus = 1));
    expect(formatViolation(v)).toBe(
      `dist/environments/${S}/network.k8s.yaml: VPC/${NS}/vpc-${S}: spec.forProvider.bogus: unknown field "spec.forProvider.bogus" [unknown-field]`,
    );
  });
});

describe('Validator without false positives', () => {
  // valid manifests of kinds from the pinned CRDs that this project does not emit
  const VALID: any[] = [
    {
      apiVersion: 'aws.m.upbound.io/v1beta1',
      kind: 'ClusterProviderConfig',
      metadata: { name: 'default' },
      spec: {
        credentials: {
          source: 'Secret',
          secretRef: { name: 'aws-creds', namespace: 'crossplane-system', key: 'credentials' },
        },
        reconciliationPolicy: { exponentialFailureRateLimiter: { baseDelay: '5s', maxDelay: '5m' } },
      },
    },
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'helm-app', namespace: 'argocd' },
      spec: {
        project: 'default',
        destination: { server: 'https://kubernetes.default.svc', namespace: 'x' },
        source: {
          repoURL: 'https://charts.example.org',
          chart: 'x',
          targetRevision: '1.2.3',
          helm: { valuesObject: { anything: { goes: [1, 'two'] } } },
        },
      },
    },
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'kustomize-app', namespace: 'argocd' },
      spec: {
        project: 'default',
        destination: { server: 'https://kubernetes.default.svc' },
        source: {
          repoURL: 'https://git.example.org/x.git',
          path: 'k',
          kustomize: {
            replicas: [
              { name: 'a', count: 3 },
              { name: 'b', count: '5' },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'pkg.crossplane.io/v1beta1',
      kind: 'DeploymentRuntimeConfig',
      metadata: { name: 'tuned' },
      spec: {
        deploymentTemplate: {
          spec: { selector: {}, template: { spec: { containers: [{ name: 'package-runtime', args: ['--debug'] }] } } },
        },
      },
    },
    {
      // an empty array (here: a list generator with no elements, as when no preview is configured)
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name: 'empty-list', namespace: 'argocd' },
      spec: {
        generators: [{ list: { elements: [] } }],
        template: {
          metadata: { name: '{{.name}}' },
          spec: {
            project: 'default',
            destination: { server: 'https://kubernetes.default.svc', namespace: 'x' },
            source: { repoURL: 'https://git.example.org/x.git', path: 'k' },
          },
        },
      },
    },
    {
      apiVersion: 'protection.crossplane.io/v1beta1',
      kind: 'Usage',
      metadata: { name: 'u', namespace: 'x' },
      spec: {
        of: { apiVersion: 'v1', kind: 'ConfigMap', resourceSelector: { matchLabels: { a: 'b' } } },
        reason: 'kept for audit',
      },
    },
  ];

  test.each(VALID.map((o) => [`${o.kind}/${o.metadata.name}`, o]))('accepts %s', (_id, object) => {
    expect(validator.validate([{ file: 'valid.yaml', object }]).map(formatViolation)).toEqual([]);
  });

  test('evaluates CEL duration rules of the ProviderConfig', () => {
    const pc = structuredClone(VALID[0]);
    pc.spec.reconciliationPolicy.exponentialFailureRateLimiter = { baseDelay: '30s', maxDelay: '10s' };
    const v = validator.validate([{ file: 'x.yaml', object: pc }]);
    expect(v.filter((x) => x.rule === 'cel').length).toBeGreaterThanOrEqual(1);
  });

  test('rejects int-or-string given a boolean', () => {
    const app = structuredClone(VALID[2]);
    app.spec.source.kustomize.replicas[0].count = true;
    const v = validator.validate([{ file: 'x.yaml', object: app }]);
    expect(v.map((x) => x.path)).toContain('spec.source.kustomize.replicas[0].count');
  });
});

describe('npm run validate', () => {
  const cli = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'lib/validate/cli.ts', ...args], {
      cwd: PROJECT_DIR,
      encoding: 'utf8',
    });

  test('exits 0 on the committed dist/', () => {
    const r = cli([]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/validate: \d+ files, \d+ objects, 0 violations/);
  });

  test('exits 1 and prints kubectl-style lines for a broken manifest', () => {
    const file = path.join(tempDir(), 'bad.yaml');
    const vpc = structuredClone(emitted().find((o) => o.object.kind === 'VPC')!.object);
    vpc.spec.forProvider.cidrBlock = 10;
    fs.writeFileSync(file, stringify(vpc));
    const r = cli([file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /bad\.yaml: VPC\/catalog-api-\w+\/vpc-\w+: spec\.forProvider\.cidrBlock: Invalid value: "integer"/,
    );
  });
});

describe('CEL with the server semantics', () => {
  test('escaped property names: a rule on `namespace` sees the field (Usage, __namespace__)', () => {
    const usage = {
      apiVersion: 'protection.crossplane.io/v1beta1',
      kind: 'Usage',
      metadata: { name: 'u', namespace: 'a' },
      spec: {
        of: { apiVersion: 'v1', kind: 'ConfigMap', resourceRef: { name: 'c', namespace: 'b' } },
        reason: 'kept for audit',
      },
    };
    const v = validator.validate([{ file: 'x.yaml', object: usage }]);
    expect(v.filter((x) => x.rule === 'cel').map((x) => x.message)).toEqual([
      'Invalid value: "object": cross-namespace "spec.of" is not allowed without "spec.by" resource.',
    ]);
  });

  test('transition rules (oldSelf) are skipped on create; others run at the node they are declared on', () => {
    const { celErrors } = jest.requireActual('../lib/validate/schema') as typeof import('../lib/validate/schema');
    const schema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          'x-kubernetes-validations': [
            { rule: 'self == oldSelf', message: 'immutable' },
            { rule: 'self.replicas <= 3', message: 'at most 3', fieldPath: '.replicas' },
          ],
          properties: { replicas: { type: 'integer' } },
        },
      },
    };
    expect(celErrors({ spec: { replicas: 5 } }, schema)).toEqual([
      { path: 'spec.replicas', rule: 'cel', message: 'Invalid value: "object": at most 3', type: 'Invalid' },
    ]);
    expect(celErrors({ spec: { replicas: 2 } }, schema)).toEqual([]);
  });
});
