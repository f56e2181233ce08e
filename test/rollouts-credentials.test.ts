import { parse } from 'yaml';
import { ConfigError } from '../lib/config/errors';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setImageMain, setImageTag } from '../lib/config/set-image';
import { MUTABLE_TAGS } from '../lib/config/validate';
import {
  allObjects,
  baseConfigFile,
  defaultSynth,
  find,
  loadFrom,
  objectsOf,
  ofKind,
  synth,
  tempDir,
  withEnvironment,
} from './helpers';

const S = 'pr5706';
const fp = (o: any) => o.spec.forProvider;
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const preview = () => objectsOf(defaultSynth().files, S);
const prod = () => objectsOf(defaultSynth().files, 'prod');
const wrapped = (objects: any[], kind: string) =>
  ofKind(objects, 'Object')
    .map((o) => o.spec.forProvider.manifest)
    .filter((m) => m.kind === kind);
const container = (objects: any[]) => JSON.parse(fp(wrapped(objects, 'TaskDefinition')[0]).containerDefinitions)[0];
const errorsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return [...e.lines];
    throw e;
  }
  throw new Error('expected a configuration error');
};

describe('Database credentials', () => {
  test('GIVEN the default configuration WHEN synthesized THEN RDS generates and manages the master password', () => {
    for (const objs of [preview(), prod()]) {
      const c = ofKind(objs, 'Cluster').find((o) => o.apiVersion.startsWith('rds.'));
      expect(fp(c).manageMasterUserPassword).toBe(true);
      // neither a password nor a Kubernetes Secret the provider would generate it into
      expect(fp(c).autoGeneratePassword).toBeUndefined();
      expect(fp(c).masterPasswordSecretRef).toBeUndefined();
      expect(fp(c).masterUsername).toBe('catalogadmin');
    }
  });

  test('THEN no copy of the password exists in the management cluster: no Secret of any kind is emitted', () => {
    const all = allObjects(defaultSynth().files);
    const every = [...all, ...ofKind(all, 'Object').map((o) => o.spec.forProvider.manifest)];
    expect(every.filter((o) => o.kind === 'Secret' || o.kind === 'SecretVersion')).toEqual([]);
    expect(JSON.stringify(all)).not.toMatch(/SecretRef"\s*:\s*\{\s*"name"\s*:\s*"rds-master-password/);
    expect(JSON.stringify(all)).not.toMatch(/"(password|masterPassword)"\s*:\s*"[^"]/i);
  });

  test("THEN the secret's late-bound ARN reaches an SSM parameter the task injects", () => {
    const params = wrapped(preview(), 'Parameter');
    const holder = params.find((p) => p.metadata.annotations['crossplane.io/external-name'].endsWith('secret-arn'));
    expect(holder.metadata.annotations['crossplane.io/external-name']).toBe(`/catalog-api/${S}/db-master-secret-arn`);
    const object = ofKind(preview(), 'Object').find((o) => o.spec.forProvider.manifest === holder);
    expect(object.spec.references).toEqual([
      {
        patchesFrom: {
          apiVersion: 'rds.aws.m.upbound.io/v1beta1',
          kind: 'Cluster',
          name: `rds-cluster-${S}`,
          namespace: `catalog-api-${S}`,
          fieldPath: 'status.atProvider.masterUserSecret[0].secretArn',
        },
        toFieldPath: 'spec.forProvider.insecureValue',
      },
    ]);
    expect(container(preview()).secrets).toContainEqual({
      name: 'DB_SECRET_ARN',
      valueFrom: `arn:aws:ssm:eu-north-1:123456789012:parameter/catalog-api/${S}/db-master-secret-arn`,
    });
    expect(container(preview()).secrets.map((x: any) => x.name)).not.toContain('DB_PASSWORD');
  });

  test('THEN the task role reads only the secret RDS manages for this environment’s cluster', () => {
    const doc = JSON.parse(fp(find(preview(), 'RolePolicy', `ecs-task-role-${S}-policy`)).policy);
    expect(doc.Statement).toEqual([
      {
        Sid: 'ReadDatabaseSecret',
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: 'arn:aws:secretsmanager:eu-north-1:123456789012:secret:rds!cluster-*',
        Condition: {
          StringEquals: {
            'secretsmanager:ResourceTag/aws:rds:primaryDBClusterArn': `arn:aws:rds:eu-north-1:123456789012:cluster:rds-cluster-${S}`,
            'secretsmanager:ResourceTag/aws:secretsmanager:owningService': 'rds',
          },
        },
      },
    ]);
  });

  test('THEN the execution role gets ECR pull from the shared repository, its log group and the three parameters', () => {
    const doc = JSON.parse(fp(find(preview(), 'RolePolicy', `ecs-task-execution-role-${S}-policy`)).policy);
    expect(Object.fromEntries(doc.Statement.map((s: any) => [s.Sid, s.Resource]))).toEqual({
      EcrAuth: '*',
      EcrPull: 'arn:aws:ecr:eu-north-1:123456789012:repository/catalog-api',
      WriteLogs: `arn:aws:logs:eu-north-1:123456789012:log-group:/ecs/catalog-api-${S}:*`,
      ReadDatabaseParameters: [
        `arn:aws:ssm:eu-north-1:123456789012:parameter/catalog-api/${S}/db-writer-endpoint`,
        `arn:aws:ssm:eu-north-1:123456789012:parameter/catalog-api/${S}/db-reader-endpoint`,
        `arn:aws:ssm:eu-north-1:123456789012:parameter/catalog-api/${S}/db-master-secret-arn`,
      ],
    });
  });

  test('THEN production Usages protect the data, not a secret copy', () => {
    const guarded = ofKind(prod(), 'Usage')
      .filter((u) => u.spec.reason)
      .map((u) => u.spec.of.kind)
      .sort();
    expect(guarded).toEqual(['Bucket', 'Cluster', 'ClusterInstance', 'ClusterInstance']);
  });

  test('GIVEN the removed secretRecoveryWindowDays WHEN loaded THEN it is rejected as unknown', () => {
    const lines = errorsOf(() => loadFrom(withEnvironment(S, { secretRecoveryWindowDays: 7 })));
    expect(lines.some((l) => /secretRecoveryWindowDays: is not a known setting \(got 7\)/.test(l))).toBe(true);
  });
});

describe('CatalogService rollouts', () => {
  test('GIVEN any environment THEN the circuit breaker stops a failed deployment without rolling back', () => {
    for (const objs of [preview(), prod()]) {
      expect(fp(ofKind(objs, 'Service')[0]).deploymentCircuitBreaker).toEqual({ enable: true, rollback: false });
    }
  });

  test('THEN the capacity provider strategy is changeable on a running service (forceNewDeployment)', () => {
    // GIVEN a running service's strategy changed in configuration
    const changed = objectsOf(
      synth(
        loadFrom(
          withEnvironment(S, {
            service: { capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1, base: 1 }] },
          }),
        ),
      ),
      S,
    );
    const svc = fp(ofKind(changed, 'Service')[0]);
    expect(svc.capacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE', weight: 1, base: 1 }]);
    expect(svc.forceNewDeployment).toBe(true);
    expect(fp(ofKind(prod(), 'Service')[0]).forceNewDeployment).toBe(true);
  });

  test('GIVEN Container Insights THEN a failed or stuck rollout raises an alarm on the environment topic', () => {
    const alarm = find(prod(), 'MetricAlarm', 'ecs-deployment-incomplete-prod');
    expect(fp(alarm)).toMatchObject({
      namespace: 'ECS/ContainerInsights',
      metricName: 'DeploymentCount',
      dimensions: { ClusterName: 'ecs-cluster-prod', ServiceName: 'ecs-service-prod' },
      comparisonOperator: 'GreaterThanThreshold',
      threshold: 1,
      alarmActions: ['arn:aws:sns:eu-north-1:123456789012:alarms-prod'],
    });
    expect(fp(alarm).period * fp(alarm).evaluationPeriods).toBe(1800);
    const withInsights = objectsOf(synth(loadFrom(withEnvironment(S, { service: { containerInsights: true } }))), S);
    expect(ofKind(withInsights, 'MetricAlarm').map((a) => a.metadata.name)).toContain(`ecs-deployment-incomplete-${S}`);
  });

  test('GIVEN a digest WHEN synthesized THEN the task pulls exactly that digest from the shared repository', () => {
    const objs = objectsOf(synth(loadFrom(withEnvironment(S, { service: { imageTag: DIGEST } }))), S);
    expect(container(objs).image).toBe(`123456789012.dkr.ecr.eu-north-1.amazonaws.com/catalog-api@${DIGEST}`);
  });
});

describe('image configuration', () => {
  test.each(MUTABLE_TAGS.flatMap((t) => [t, t.toUpperCase()]))(
    'GIVEN imageTag %s THEN it is rejected as a moving tag, naming setting, value and fix',
    (tag) => {
      const lines = errorsOf(() => loadFrom(withEnvironment(S, { service: { imageTag: tag } })));
      expect(lines).toEqual([
        expect.stringMatching(
          new RegExp(
            `environments\\[${S}\\]\\.service\\.imageTag: names a moving tag: .* \\(got "${tag}"\\); use the digest \\(sha256:<64 hex>\\)`,
          ),
        ),
      ]);
    },
  );

  test.each([
    ['without tag (implicitly latest)', 'ghcr.io/example/catalog-api', /has no tag or digest, which means latest/],
    ['with :latest', 'ghcr.io/example/catalog-api:latest', /names a moving tag/],
    ['with :main', 'registry.example.com:5000/team/api:main', /names a moving tag/],
  ])('GIVEN an external image %s THEN it is rejected', (_what, image, re) => {
    const lines = errorsOf(() => loadFrom(withEnvironment(S, { service: { image } })));
    expect(lines.some((l) => re.test(l) && l.includes(`service.image:`) && l.includes(image))).toBe(true);
  });

  test.each([
    'ghcr.io/example/catalog-api:1.2.3',
    `ghcr.io/example/catalog-api@${DIGEST}`,
    `registry.example.com:5000/team/api:latest@${DIGEST}`,
  ])('GIVEN a pinned external image %s THEN it is accepted as is', (image) => {
    const objs = objectsOf(synth(loadFrom(withEnvironment(S, { service: { image } }))), S);
    expect(container(objs).image).toBe(image);
  });

  test('GIVEN no image anywhere THEN loading fails, pointing at the command CI runs', () => {
    const cfg = baseConfigFile();
    delete cfg.defaults.service;
    const lines = errorsOf(() => loadFrom(cfg));
    expect(lines).toContainEqual(
      expect.stringMatching(
        /environments\[pr5706\]\.service\.imageTag: is required: no image is known for this environment \(got nothing\); .*npm run set-image/,
      ),
    );
  });

  test('GIVEN ENVIRONMENT_SUFFIX THEN the new preview runs the image of defaults', () => {
    const cfg = loadFrom(baseConfigFile(), { ENVIRONMENT_SUFFIX: 'pr77' });
    const env = cfg.environments.find((e) => e.suffix === 'pr77')!;
    expect(env.service.imageTag).toBe(baseConfigFile().defaults.service.imageTag);
  });
});

describe('SharedRegistry', () => {
  const registry = () => defaultSynth().files.find((f) => f.file === 'platform/registry.k8s.yaml')!.objects;

  test('GIVEN the default configuration THEN one repository is created with the platform, none per environment', () => {
    expect(ofKind(allObjects(defaultSynth().files), 'Repository')).toHaveLength(1);
    for (const objs of [preview(), prod()]) {
      expect(ofKind(objs, 'Repository')).toEqual([]);
    }
    const repo = find(registry(), 'Repository', 'catalog-api', 'crossplane-system');
    // seed: encrypted in ECR, scanned; tags immutable so a tag is one image forever
    expect(fp(repo)).toEqual({
      region: 'eu-north-1',
      encryptionConfiguration: [{ encryptionType: 'AES256' }],
      imageScanningConfiguration: { scanOnPush: true },
      imageTagMutability: 'IMMUTABLE',
      forceDelete: false,
      tags: { Environment: 'shared', Project: 'catalog-api', Name: 'catalog-api' },
    });
    expect(repo.spec.providerConfigRef).toEqual({ kind: 'ProviderConfig', name: 'aws' });
    expect(find(registry(), 'ProviderConfig', 'aws', 'crossplane-system').spec.credentials).toEqual({
      source: 'IRSA',
    });
  });

  test('THEN neither Crossplane nor Argo CD may delete it, and only untagged images expire', () => {
    const repo = find(registry(), 'Repository', 'catalog-api');
    expect(repo.spec.managementPolicies).not.toContain('Delete');
    expect(repo.spec.managementPolicies).not.toContain('*');
    expect(repo.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
    const rules = JSON.parse(fp(find(registry(), 'LifecyclePolicy', 'catalog-api-lifecycle')).policy).rules;
    expect(rules.map((r: any) => r.selection.tagStatus)).toEqual(['untagged']);
  });

  test('THEN the platform installs the ECR provider and the Argo CD project admits the repository', () => {
    const platform = defaultSynth().files.find((f) => f.file === 'platform/platform.k8s.yaml')!.objects;
    expect(ofKind(platform, 'Provider').map((p) => p.metadata.name)).toContain('provider-aws-ecr');
    const project = find(allObjects(defaultSynth().files), 'AppProject', 'catalog-api');
    expect(project.spec.namespaceResourceWhitelist).toContainEqual({
      group: 'ecr.aws.m.upbound.io',
      kind: 'Repository',
    });
  });

  test('GIVEN registry settings THEN name and region follow them, the account is the provider role’s', () => {
    const cfg = { ...baseConfigFile(), registry: { name: 'team/catalog', region: 'eu-west-1' } };
    cfg.platform.providerRoleArn = 'arn:aws:iam::210987654321:role/crossplane';
    const files = synth(loadFrom(cfg));
    const repo = ofKind(files.find((f) => f.file === 'platform/registry.k8s.yaml')!.objects, 'Repository')[0];
    expect(repo.metadata.annotations['crossplane.io/external-name']).toBe('team/catalog');
    expect(fp(repo).region).toBe('eu-west-1');
    const tag = baseConfigFile().defaults.service.imageTag;
    expect(container(objectsOf(files, S)).image).toBe(
      `210987654321.dkr.ecr.eu-west-1.amazonaws.com/team/catalog:${tag}`,
    );
  });

  test('GIVEN a bad repository name THEN loading fails naming registry.name', () => {
    const lines = errorsOf(() => loadFrom({ ...baseConfigFile(), registry: { name: 'Catalog API' } }));
    expect(lines).toContainEqual(
      expect.stringMatching(/registry\.name: is not an ecr repository name \(got "Catalog API"\); use 2 to 256/),
    );
  });
});

describe('set-image', () => {
  const text = `# comment kept
platform: {providerRoleArn: 'arn:aws:iam::123456789012:role/x', repoURL: 'https://example.com/r.git', targetRevision: main}
defaults:
  accountId: '123456789012'
  service:
    imageTag: '1.0.0' # CI writes this
environments:
  - suffix: prod
    profile: production
  - suffix: pr1
    profile: preview
    service:
      image: ghcr.io/x/y:1.0.0
`;

  test('GIVEN a suffix and a digest THEN only that environment changes, comments stay', () => {
    const out = setImageTag(text, 'prod', DIGEST, 'c.yaml');
    expect(out).toContain('# comment kept');
    expect(out).toContain("imageTag: '1.0.0' # CI writes this");
    expect(parse(out).environments[0]).toEqual({
      suffix: 'prod',
      profile: 'production',
      service: { imageTag: DIGEST },
    });
  });

  test('GIVEN defaults and a tag THEN the default changes', () => {
    expect(parse(setImageTag(text, 'defaults', '1.4.2', 'c.yaml')).defaults.service.imageTag).toBe('1.4.2');
  });

  test.each([
    ['prod', 'latest', /environments\[prod\]\.service\.imageTag: names a moving tag: .*\(got "latest"\)/],
    ['pr9', '1.2.3', /environments: has no environment with this suffix \(got "pr9"\)/],
    ['pr1', '1.2.3', /environments\[pr1\]\.service\.image: is set, so imageTag would have no effect/],
  ])('GIVEN %s %s THEN it refuses with the setting, the value and the fix', (target, value, re) => {
    expect(errorsOf(() => setImageTag(text, target, value, 'c.yaml'))).toEqual([expect.stringMatching(re)]);
  });

  test('GIVEN the command WHEN run THEN it rewrites the file only when the reference is valid, one line per error', () => {
    const dir = tempDir();
    const file = path.join(dir, 'environments.yaml');
    fs.writeFileSync(file, text);
    const out: string[] = [];
    const err: string[] = [];
    const run = (...args: string[]) =>
      setImageMain(args, {
        env: { CATALOG_CONFIG: file },
        cwd: dir,
        projectDir: dir,
        log: (l) => out.push(l),
        error: (l) => err.push(l),
      });
    expect(run('prod', 'stable')).toBe(1);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
    expect(err).toHaveLength(1);
    expect(err[0]).not.toMatch(/\n|at .*\.ts:\d+/);
    expect(run('prod')).toBe(2);
    expect(err[1]).toMatch(
      /expected 2 arguments, got 1; usage: npm run set-image -- <suffix\|defaults> <tag-or-digest>/,
    );
    expect(run('prod', '2.0.0')).toBe(0);
    expect(parse(fs.readFileSync(file, 'utf8')).environments[0].service.imageTag).toBe('2.0.0');
    expect(fs.readdirSync(dir)).toEqual(['environments.yaml']);
    expect(out).toEqual([expect.stringMatching(/prod: service\.imageTag = 2\.0\.0; now run npm run synth/)]);
  });
});
