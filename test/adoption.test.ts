import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { adopt, adoptionYaml, parseLookup } from '../lib/adoption/cli';
import { desiredResources } from '../lib/adoption/desired';
import { KIND_RULES } from '../lib/adoption/kinds';
import { LookedUpRule } from '../lib/adoption/match';
import { ADOPTION_CREATE_ANNOTATION, EXTERNAL_NAME, WITHOUT_DELETE } from '../lib/adoption/policies';
import { parseState, StateResource } from '../lib/adoption/state';
import { buildApp, render } from '../lib/app';
import { Adoption, AdoptionPhase, loadAdoptions } from '../lib/config/adoption';
import { ConfigError, UserError } from '../lib/config/errors';
import { Config } from '../lib/config/types';
import { formatViolation, Validator } from '../lib/validate';
import { runAdopt, synthAdopted } from './adoption-support';
import {
  baseConfigFile,
  fixtureConfig,
  FIXTURES_DIR,
  loadFrom,
  PROJECT_DIR,
  tempDir,
  withEnvironment,
} from './helpers';

const DIR = path.join(FIXTURES_DIR, 'adoption');
const read = (f: string) => fs.readFileSync(path.join(DIR, f), 'utf8');
const lookupOf = (f: string) => parseLookup(read(f), f);

/** The fixtures: state of the seed CDKTF stack per environment, and the lookups the report asks for. */
const FIXTURES: ReadonlyArray<{ suffix: string; state: string; lookup?: string; format: string }> = [
  { suffix: 'prod', state: 'prod.show.json', format: 'show-json' },
  { suffix: 'pr5706', state: 'pr5706.tfstate', lookup: 'pr5706.sg-rules.json', format: 'raw-v4' },
];

function adoptFixture(f: (typeof FIXTURES)[number], config: Config = fixtureConfig('seed'), phase?: AdoptionPhase) {
  return adopt(config, f.suffix, read(f.state), f.state, f.lookup ? lookupOf(f.lookup) : [], phase);
}

function stateOf(f: (typeof FIXTURES)[number]): readonly StateResource[] {
  return parseState(read(f.state), f.state).resources;
}

/** Every object of one environment, rendered, with or without its adoption. */
function envObjects(config: Config, suffix: string, adoption?: Adoption): any[] {
  const built = buildApp(config, { adoptions: adoption ? new Map([[suffix, adoption]]) : undefined });
  return render(built)
    .filter((f) => f.file.startsWith(`environments/${suffix}/`))
    .flatMap((f) => f.objects);
}

/** Objects with everything adoption may change taken out: annotations, management policies. */
function withoutAdoptionFields(objects: readonly any[]): any[] {
  return structuredClone(objects).map((o: any) => {
    const strip = (m: any) => {
      delete m.metadata.annotations;
      if (m.spec) delete m.spec.managementPolicies;
    };
    strip(o);
    if (o.kind === 'Object' && o.spec?.forProvider?.manifest) strip(o.spec.forProvider.manifest);
    return o;
  });
}

const validator = Validator.forProject(PROJECT_DIR);
function violationsOf(config: Config, adoptions: Map<string, Adoption>): string[] {
  const files = render(buildApp(config, { adoptions }));
  return validator
    .validate(files.flatMap((f) => f.objects.map((object) => ({ file: `dist/${f.file}`, object }))))
    .map(formatViolation);
}

describe('parseState', () => {
  test('GIVEN the same resources as show -json and as a raw v4 file WHEN parsed THEN both give the same resources', () => {
    const show = JSON.parse(read('prod.show.json'));
    const raw = {
      version: 4,
      terraform_version: '1.9.8',
      serial: 1,
      lineage: 'x',
      outputs: {},
      resources: show.values.root_module.resources.map((r: any) => ({
        mode: 'managed',
        type: r.type,
        name: r.name,
        provider: `provider["${r.provider_name}"]`,
        instances: [{ schema_version: 0, attributes: r.values }],
      })),
    };
    const a = parseState(JSON.stringify(show), 'show');
    const b = parseState(JSON.stringify(raw), 'raw');
    expect(a.format).toBe('show-json');
    expect(b.format).toBe('raw-v4');
    expect(b.resources).toEqual(a.resources);
    expect(a.resources.every((r) => r.provider.startsWith('registry.terraform.io/hashicorp/'))).toBe(true);
  });

  test('GIVEN a counted resource and a data source in a raw state THEN the instance gets its index and the data source is skipped', () => {
    const raw = {
      version: 4,
      resources: [
        { mode: 'data', type: 'aws_caller_identity', name: 'current', instances: [{ attributes: {} }] },
        {
          mode: 'managed',
          type: 'aws_subnet',
          name: 'public',
          provider: 'provider["registry.terraform.io/hashicorp/aws"]',
          instances: [
            { index_key: 0, attributes: { id: 'subnet-1' } },
            { index_key: 1, attributes: { id: 'subnet-2' } },
          ],
        },
      ],
    };
    expect(parseState(JSON.stringify(raw), 's').resources.map((r) => [r.address, r.provider])).toEqual([
      ['aws_subnet.public[0]', 'registry.terraform.io/hashicorp/aws'],
      ['aws_subnet.public[1]', 'registry.terraform.io/hashicorp/aws'],
    ]);
  });

  test.each([
    ['not json', '{', /^s: is not json .*; pass the output of `terraform show -json`/],
    ['a plan without values', '{"format_version":"1.2"}', /^s: has no values .*; run `terraform show -json`/],
    ['version 3', '{"version":3,"modules":[]}', /^s: is not a state this tool reads \(got version 3\); pass/],
  ])('GIVEN %s WHEN parsed THEN a user error names the file, the problem and the fix', (_, text, message) => {
    expect(() => parseState(text, 's')).toThrow(UserError);
    try {
      parseState(text, 's');
    } catch (e) {
      expect((e as UserError).lines).toEqual([expect.stringMatching(message)]);
    }
  });
});

/**
 * The external name provider-upjet-aws v2.6.0 expects per kind, written down independently of lib/adoption: the
 * state attribute it is (config/externalname.go at the line cited in lib/adoption/kinds.ts).
 */
const EXPECTED_EXTERNAL_NAME: Readonly<Record<string, (r: StateResource) => string>> = {
  'ec2.aws.m.upbound.io/VPC': (r) => r.attributes.id,
  'ec2.aws.m.upbound.io/Subnet': (r) => r.attributes.id,
  'ec2.aws.m.upbound.io/InternetGateway': (r) => r.attributes.id,
  'ec2.aws.m.upbound.io/NATGateway': (r) => r.attributes.id,
  'ec2.aws.m.upbound.io/EIP': (r) => r.attributes.allocation_id,
  'ec2.aws.m.upbound.io/RouteTable': (r) => r.attributes.id,
  'ec2.aws.m.upbound.io/Route': (r) => `${r.attributes.route_table_id}_${r.attributes.destination_cidr_block}`,
  'ec2.aws.m.upbound.io/RouteTableAssociation': (r) => r.attributes.id,
  'ec2.aws.m.upbound.io/SecurityGroup': (r) => r.attributes.id,
  'ec2.aws.m.upbound.io/SecurityGroupIngressRule': (r) => r.attributes.security_group_rule_id,
  'ec2.aws.m.upbound.io/SecurityGroupEgressRule': (r) => r.attributes.security_group_rule_id,
  'rds.aws.m.upbound.io/SubnetGroup': (r) => r.attributes.name,
  'rds.aws.m.upbound.io/Cluster': (r) => r.attributes.cluster_identifier,
  'rds.aws.m.upbound.io/ClusterInstance': (r) => r.attributes.identifier,
  's3.aws.m.upbound.io/Bucket': (r) => r.attributes.bucket,
  's3.aws.m.upbound.io/BucketServerSideEncryptionConfiguration': (r) => r.attributes.bucket,
  's3.aws.m.upbound.io/BucketPublicAccessBlock': (r) => r.attributes.bucket,
  's3.aws.m.upbound.io/BucketOwnershipControls': (r) => r.attributes.bucket,
  's3.aws.m.upbound.io/BucketLifecycleConfiguration': (r) => r.attributes.bucket,
  's3.aws.m.upbound.io/BucketPolicy': (r) => r.attributes.bucket,
  'elbv2.aws.m.upbound.io/LB': (r) => r.attributes.arn,
  'elbv2.aws.m.upbound.io/LBTargetGroup': (r) => r.attributes.arn,
  'elbv2.aws.m.upbound.io/LBListener': (r) => r.attributes.arn,
  'cloudfront.aws.m.upbound.io/Distribution': (r) => r.attributes.id,
  'iam.aws.m.upbound.io/Role': (r) => r.attributes.name,
  'ecs.aws.m.upbound.io/Cluster': (r) => r.attributes.name,
  'ecs.aws.m.upbound.io/ClusterCapacityProviders': (r) => r.attributes.cluster_name,
  'cloudwatchlogs.aws.m.upbound.io/Group': (r) => r.attributes.name,
  'ecs.aws.m.upbound.io/Service': (r) => r.attributes.name,
  'appautoscaling.aws.m.upbound.io/Target': (r) => r.attributes.resource_id,
  'appautoscaling.aws.m.upbound.io/Policy': (r) => r.attributes.name,
};

/** Kinds the seed stack never created: ours are created anew (and their external name is the documented one). */
const NOT_IN_SEED = new Set([
  'sns.aws.m.upbound.io/Topic',
  'cloudwatch.aws.m.upbound.io/MetricAlarm',
  'ssm.aws.m.upbound.io/Parameter',
  'iam.aws.m.upbound.io/RolePolicy',
  'ecs.aws.m.upbound.io/TaskDefinition',
]);

describe('external names', () => {
  const emittedKinds = [
    ...new Set(
      fixtureConfig('seed').environments.flatMap((e) =>
        desiredResources(envObjects(fixtureConfig('seed'), e.suffix)).map((d) => `${d.group}/${d.kind}`),
      ),
    ),
  ].sort();

  test('every kind we emit has an adoption rule with a citation of provider-upjet-aws v2.6.0', () => {
    const rules = new Map(KIND_RULES.map((r) => [r.kind, r]));
    for (const kind of emittedKinds) {
      expect(rules.get(kind)?.citation).toMatch(/^provider-upjet-aws v2\.6\.0 config\/externalname\.go:\d+/);
    }
  });

  const results = FIXTURES.map((f) => ({ f, result: adoptFixture(f), state: stateOf(f) }));
  const lookups = new Map(
    FIXTURES.filter((f) => f.lookup).flatMap((f) => lookupOf(f.lookup!).map((r) => [r.SecurityGroupRuleId, r])),
  );

  test.each(emittedKinds)('%s: every fixture resource gets the documented external name', (kind) => {
    let checked = 0;
    for (const { result, state } of results) {
      for (const r of result.report.resources.filter((x) => x.resource.startsWith(`${kind}/`))) {
        if (NOT_IN_SEED.has(kind)) {
          expect(r.action).toBe('create');
          continue;
        }
        if (r.action !== 'adopt') continue;
        checked++;
        // rules adopted through a lookup carry the sgr- id AWS printed
        const looked = lookups.get(r.externalName!);
        if (looked) {
          expect(kind).toMatch(/SecurityGroup(Ingress|Egress)Rule$/);
          continue;
        }
        const holder = state.find((s) => s.address === r.terraform)!;
        expect(holder).toBeDefined();
        if (kind === 'ec2.aws.m.upbound.io/Route' && holder.type === 'aws_route_table') {
          expect(r.externalName).toBe(`${holder.attributes.id}_0.0.0.0/0`);
        } else {
          expect(r.externalName).toBe(EXPECTED_EXTERNAL_NAME[kind](holder));
        }
      }
    }
    if (!NOT_IN_SEED.has(kind)) expect(checked).toBeGreaterThan(0);
  });
});

describe('matching', () => {
  test('GIVEN the state in another order and with other CDKTF addresses THEN every resource gets the same external name', () => {
    for (const f of FIXTURES) {
      const data = JSON.parse(read(f.state));
      const list = data.resources ?? data.values.root_module.resources;
      list.reverse();
      for (const r of list) {
        r.name = `renamed_${r.name.split('_').slice(0, -1).join('_')}_0000ABCD`;
        if (r.address) r.address = `${r.type}.${r.name}`;
      }
      const moved = adopt(
        fixtureConfig('seed'),
        f.suffix,
        JSON.stringify(data),
        f.state,
        f.lookup ? lookupOf(f.lookup) : [],
      );
      const names = (res: typeof moved) => res.report.resources.map((r) => [r.resource, r.action, r.externalName]);
      expect(names(moved)).toEqual(names(adoptFixture(f)));
    }
  });

  test('GIVEN inline security group rules without a lookup THEN the report says what to look up and the file says lookup', () => {
    const f = FIXTURES[1];
    const { report, adoption } = adopt(fixtureConfig('seed'), f.suffix, read(f.state), f.state);
    const pending = report.resources.filter((r) => r.action === 'lookup').map((r) => r.resource);
    expect(pending.sort()).toEqual(
      [
        'ec2.aws.m.upbound.io/SecurityGroupEgressRule/alb-sg-out-3000-pr5706',
        'ec2.aws.m.upbound.io/SecurityGroupEgressRule/ecs-sg-out-5432-pr5706',
        'ec2.aws.m.upbound.io/SecurityGroupIngressRule/alb-sg-in-80-pr5706',
        'ec2.aws.m.upbound.io/SecurityGroupIngressRule/ecs-sg-in-3000-pr5706',
        'ec2.aws.m.upbound.io/SecurityGroupIngressRule/rds-sg-in-5432-pr5706',
      ].sort(),
    );
    expect(report.lookups).toHaveLength(1);
    expect(report.lookups[0].command).toMatch(
      /^aws ec2 describe-security-group-rules --region eu-north-1 --filters Name=group-id,Values=sg-\w+,sg-\w+,sg-\w+ --output json > sg-rules\.json$/,
    );
    expect(report.lookups[0].input).toBe(
      'npm run adopt -- --state pr5706.tfstate --suffix pr5706 --lookup sg-rules.json',
    );
    expect(adoption.resources[pending[0]]).toEqual({
      lookup: expect.stringMatching(/^aws ec2 describe-security-group-rules /),
    });
  });

  test('GIVEN the preview fixture THEN the missing scaling policy is created and the extra resources are left alone', () => {
    const { report } = adoptFixture(FIXTURES[1]);
    expect(
      report.resources.find((r) => r.resource === 'appautoscaling.aws.m.upbound.io/Policy/ecs-cpu-scaling-pr5706'),
    ).toMatchObject({
      action: 'create',
      reason: expect.stringMatching(/^no aws_appautoscaling_policy in the state matches it/),
    });
    expect(report.leftAlone.map((x) => x.type).sort()).toEqual([
      'aws_ecr_repository',
      'aws_iam_role_policy',
      'aws_iam_role_policy_attachment',
      'aws_secretsmanager_secret_version',
      'random_password',
    ]);
    // the shared NAT's route table is named differently by the seed; it is found by the subnets associated with it
    expect(
      report.resources.find((r) => r.resource === 'ec2.aws.m.upbound.io/RouteTable/private-rt-a-pr5706'),
    ).toMatchObject({
      action: 'adopt',
      matchedBy: 'the subnets associated with it',
    });
  });

  test('GIVEN a state of another environment THEN adopt refuses with the fix and writes nothing', () => {
    expect(() => adopt(fixtureConfig('seed'), 'pr5706', read('prod.show.json'), 'prod.show.json')).toThrow(
      /prod\.show\.json: holds none of environment pr5706's resources .*; check --suffix/,
    );
  });
});

describe('drift', () => {
  const { report } = adoptFixture(FIXTURES[1]);
  const row = (resource: string, field: string) =>
    report.drift.find((d) => d.resource === resource && d.field === field);

  test('AWS cannot change it in place: the VPC and subnet CIDRs must follow the state (ForceNew, cited)', () => {
    expect(row('ec2.aws.m.upbound.io/VPC/vpc-pr5706', 'spec.forProvider.cidrBlock')).toMatchObject({
      attribute: 'cidr_block',
      state: '10.1.0.0/16',
      desired: '10.0.0.0/16',
      class: 'follow-state',
      citation: expect.stringMatching(
        /terraform-provider-aws@v0\.0\.0-20260305123303-f7691456b787 internal\/service\/ec2\/vpc_\.go:93$/,
      ),
      setting: 'network.vpcCidr',
    });
    expect(report.settings.filter((s) => s.required).map((s) => [s.setting, s.value])).toEqual([
      ['database.engineVersion', '16.6'],
      ['network.privateSubnetCidrs[0]', '10.1.3.0/24'],
      ['network.privateSubnetCidrs[1]', '10.1.4.0/24'],
      ['network.publicSubnetCidrs[0]', '10.1.1.0/24'],
      ['network.publicSubnetCidrs[1]', '10.1.2.0/24'],
      ['network.vpcCidr', '10.1.0.0/16'],
    ]);
  });

  test('AWS refuses a downgrade: a newer running engine version must be followed although Terraform updates it in place', () => {
    expect(row('rds.aws.m.upbound.io/Cluster/rds-cluster-pr5706', 'spec.forProvider.engineVersion')).toMatchObject({
      state: '16.6',
      desired: '16.4',
      class: 'follow-state',
      setting: 'database.engineVersion',
    });
  });

  test('changed in place on manage: instance class, backup retention, log retention, capacity; each offered as a setting', () => {
    expect(
      row('rds.aws.m.upbound.io/ClusterInstance/rds-instance-a-pr5706', 'spec.forProvider.instanceClass'),
    ).toMatchObject({
      attribute: 'instance_class',
      state: 'db.t3.large',
      class: 'in-place',
      setting: 'database.instanceClass',
    });
    const offered = Object.fromEntries(report.settings.filter((s) => !s.required).map((s) => [s.setting, s.value]));
    expect(offered).toEqual({
      'database.backupRetentionDays': 1,
      'database.instanceClass': 'db.t3.large',
      environmentTag: 'production',
      'service.logRetentionDays': 14,
      'service.maxCapacity': 8,
    });
  });

  test('only in our model: the state has no value (role descriptions); a kept password is no drift row', () => {
    // the cluster keeps Terraform's password: manageMasterUserPassword goes to initProvider, never applied in place
    expect(report.deliberate).toEqual(
      expect.arrayContaining([expect.objectContaining({ decision: expect.stringContaining('keepDatabasePassword') })]),
    );
    expect(
      row('rds.aws.m.upbound.io/Cluster/rds-cluster-pr5706', 'spec.forProvider.manageMasterUserPassword'),
    ).toBeUndefined();
    expect(row('iam.aws.m.upbound.io/Role/ecs-task-role-pr5706', 'spec.forProvider.description')?.class).toBe(
      'model-only',
    );
  });

  test('nested blocks map the upjet way: a one-item block list compares with our object, snake_case with camelCase', () => {
    expect(
      row('ecs.aws.m.upbound.io/Service/ecs-service-pr5706', 'spec.forProvider.deploymentCircuitBreaker.rollback'),
    ).toMatchObject({
      attribute: 'deployment_circuit_breaker.rollback',
      state: true,
      desired: false,
      class: 'in-place',
    });
    // equal JSON documents with other key order and equal sets in another order are not drift
    expect(row('elbv2.aws.m.upbound.io/LBTargetGroup/tg-pr5706', 'spec.forProvider.healthCheck.path')).toBeUndefined();
    expect(report.drift.some((d) => d.field.startsWith('spec.forProvider.subnetRefs'))).toBe(false);
  });

  test('GIVEN the offered settings applied to the environment THEN no drift the provider would refuse remains', () => {
    const file = withEnvironment('pr5706', {
      environmentTag: 'production',
      network: {
        vpcCidr: '10.1.0.0/16',
        publicSubnetCidrs: ['10.1.1.0/24', '10.1.2.0/24'],
        privateSubnetCidrs: ['10.1.3.0/24', '10.1.4.0/24'],
      },
      database: { engineVersion: '16.6', instanceClass: 'db.t3.large', backupRetentionDays: 1 },
      service: { logRetentionDays: 14, maxCapacity: 8 },
    });
    const { report: after } = adoptFixture(FIXTURES[1], loadFrom(file));
    expect(after.drift.filter((d) => d.class === 'follow-state')).toEqual([]);
    expect(after.settings).toEqual([]);
  });
});

describe('synth of an adopted environment', () => {
  const phases: AdoptionPhase[] = ['observe', 'manage'];
  const cases = FIXTURES.flatMap((f) => phases.map((phase) => [f.suffix, phase, f] as const));

  test.each(cases)(
    '%s in %s: differs from a fresh synth only in annotations, management policies and the kept password secret wiring',
    (suffix, phase, f) => {
      const config = fixtureConfig('seed');
      const { adoption } = adoptFixture(f, config, phase);
      const fresh = envObjects(config, suffix);
      const adopted = envObjects(config, suffix, adoption);
      const secretArn = stateOf(f).find((r) => r.type === 'aws_secretsmanager_secret')!.attributes.arn;
      // deliberate exception 1: an adopted cluster keeps its password (manageMasterUserPassword only on create)
      const cluster = (os: any[]) => os.find((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('rds.'));
      expect(cluster(adopted).spec.initProvider).toEqual({ manageMasterUserPassword: true });
      expect(cluster(adopted).spec.forProvider.manageMasterUserPassword).toBeUndefined();
      // deliberate exception 2 (docs/adr/0002, "Adopted environments"): the secret that password is in is observed,
      // the secret-ARN parameter is fed from it, and the task role reads exactly it; nothing else differs
      const extra = adopted.filter((o) => !fresh.some((x) => x.kind === o.kind && x.metadata.name === o.metadata.name));
      expect(extra.map((o) => `${o.apiVersion}/${o.kind}/${o.metadata.name}`)).toEqual([
        `secretsmanager.aws.m.upbound.io/v1beta1/Secret/db-credentials-${suffix}`,
      ]);
      const param = (os: any[]) =>
        os.find((o) => o.kind === 'Object' && o.metadata.name === `db-master-secret-arn-${suffix}`);
      expect(param(adopted).spec.references).toEqual([
        {
          patchesFrom: {
            apiVersion: 'secretsmanager.aws.m.upbound.io/v1beta1',
            kind: 'Secret',
            name: `db-credentials-${suffix}`,
            namespace: `catalog-api-${suffix}`,
            fieldPath: 'status.atProvider.arn',
          },
          toFieldPath: 'spec.forProvider.insecureValue',
        },
      ]);
      expect(param(adopted).spec.forProvider.manifest.spec.forProvider.description).toBe(
        `ARN of the Terraform-created master user secret of rds-cluster-${suffix}`,
      );
      const taskPolicy = (os: any[]) =>
        os.find((o) => o.kind === 'RolePolicy' && o.metadata.name === `ecs-task-role-${suffix}-policy`);
      expect(JSON.parse(taskPolicy(adopted).spec.forProvider.policy).Statement).toEqual([
        {
          Sid: 'ReadDatabaseSecret',
          Effect: 'Allow',
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          Resource: secretArn,
        },
      ]);
      const normalize = (os: any[], fromFresh: boolean) =>
        withoutAdoptionFields(os.filter((o) => !extra.includes(o))).map((o: any) => {
          if (o.kind === 'Cluster' && o.apiVersion.startsWith('rds.')) {
            delete o.spec.initProvider;
            delete o.spec.forProvider.manageMasterUserPassword;
          }
          if (!fromFresh && o.kind === 'Object' && o.metadata.name === `db-master-secret-arn-${suffix}`) {
            o.spec.references = param(fresh).spec.references;
            o.spec.forProvider.manifest.spec.forProvider.description =
              param(fresh).spec.forProvider.manifest.spec.forProvider.description;
          }
          if (!fromFresh && o.kind === 'RolePolicy' && o.metadata.name === `ecs-task-role-${suffix}-policy`) {
            o.spec.forProvider.policy = taskPolicy(fresh).spec.forProvider.policy;
          }
          return o;
        });
      expect(normalize(adopted, false)).toEqual(normalize(fresh, true));
      expect(adopted.filter((o) => !extra.includes(o)).map((o) => o.metadata.name)).toEqual(
        fresh.map((o) => o.metadata.name),
      );
    },
  );

  test.each(cases)(
    '%s in %s: every managed resource has an external name or a reason, with the phase policies',
    (suffix, phase, f) => {
      const config = fixtureConfig('seed');
      const { adoption } = adoptFixture(f, config, phase);
      const objects = envObjects(config, suffix, adoption);
      const managed = objects
        .map((o) => (o.kind === 'Object' ? o.spec.forProvider.manifest : o))
        .filter((m) => /\.aws\.m\.upbound\.io\//.test(m.apiVersion) && m.kind !== 'ProviderConfig');
      expect(managed.length).toBeGreaterThan(50);
      for (const m of managed) {
        const a = m.metadata.annotations ?? {};
        expect([a[EXTERNAL_NAME] !== undefined, a[ADOPTION_CREATE_ANNOTATION] !== undefined]).toContain(true);
        const adopted = adoption.resources[`${m.apiVersion.split('/')[0]}/${m.kind}/${m.metadata.name}`];
        if (adopted?.externalName) {
          expect(a[EXTERNAL_NAME]).toBe(adopted.externalName);
          const stateful = ['Cluster/rds', 'ClusterInstance/rds', 'Bucket/s3'].some((k) => {
            const [kind, group] = k.split('/');
            return m.kind === kind && m.apiVersion.startsWith(`${group}.`);
          });
          if (phase === 'observe') expect(m.spec.managementPolicies).toEqual(['Observe']);
          else if (stateful) expect(m.spec.managementPolicies).toEqual(WITHOUT_DELETE);
        }
      }
      expect(objects.find((o) => o.kind === 'Namespace').metadata.annotations).toMatchObject({
        'adoption.catalog-api/phase': phase,
      });
    },
  );

  test.each(phases)('GIVEN both fixture environments adopted in %s THEN every object validates', (phase) => {
    const config = fixtureConfig('seed');
    const adoptions = new Map(FIXTURES.map((f) => [f.suffix, adoptFixture(f, config, phase).adoption]));
    expect(violationsOf(config, adoptions)).toEqual([]);
  });

  test('GIVEN an adopted environment with a rule still to look up THEN the validator names it (ADOPT001)', () => {
    const config = fixtureConfig('seed');
    const f = FIXTURES[1];
    const { adoption } = adopt(config, f.suffix, read(f.state), f.state);
    const violations = violationsOf(config, new Map([[f.suffix, adoption]]));
    expect(violations).toHaveLength(5);
    expect(violations[0]).toMatch(
      /SecurityGroup(Ingress|Egress)Rule\/catalog-api-pr5706\/.*: metadata\.annotations: Required: environment catalog-api-pr5706 is adopted \(phase observe\) but this resource has no crossplane\.io\/external-name; run `npm run adopt` .* \[ADOPT001\]$/,
    );
  });

  test('GIVEN an adopted resource in observe with full management THEN the validator refuses it (ADOPT001)', () => {
    const config = fixtureConfig('seed');
    const { adoption } = adoptFixture(FIXTURES[0], config, 'observe');
    const files = render(buildApp(config, { adoptions: new Map([['prod', adoption]]) }));
    const set = files.flatMap((f) => f.objects.map((object) => ({ file: `dist/${f.file}`, object })));
    const vpc = set.find((o) => o.object.kind === 'VPC' && o.object.metadata.name === 'vpc-prod')!.object;
    delete vpc.spec.managementPolicies;
    expect(validator.validate(set).map(formatViolation)).toEqual([
      'dist/environments/prod/network.k8s.yaml: VPC/catalog-api-prod/vpc-prod: spec.managementPolicies: Invalid: an adopted resource in phase observe needs ["Observe"], not ["*"] [ADOPT001]',
    ]);
  });
});

describe('data safety', () => {
  test.each(FIXTURES.map((f) => [f.suffix, f] as const))(
    '%s: nothing deleted, renamed or replaced; the password stays',
    (_, f) => {
      const { report, adoption } = adoptFixture(f);
      // the cluster keeps the password that runs; its secret is adopted observe-only, its version (the value) and
      // random_password are left alone, never deleted
      expect(adoption.keepDatabasePassword).toBe(true);
      const secret = stateOf(f).find((r) => r.type === 'aws_secretsmanager_secret')!;
      expect(report.resources.find((r) => r.terraform === secret.address)).toMatchObject({
        action: 'adopt',
        resource: `secretsmanager.aws.m.upbound.io/Secret/db-credentials-${f.suffix}`,
        externalName: secret.attributes.arn,
      });
      expect(report.leftAlone.filter((x) => /secretsmanager|random_password/.test(x.type)).map((x) => x.what)).toEqual([
        expect.stringMatching(/^holds the password value: kept in AWS, left alone, never adopted/),
        expect.stringMatching(/^not an AWS resource; the password it generated is the one Aurora and the secret hold/),
      ]);
      // every state resource leaves Terraform's hands exactly once, data last, with checks before each step
      const rm = report.stateRm.flatMap((s) => s.commands.filter((c) => c.startsWith('terraform state rm ')));
      const addresses = rm.map((c) => c.replace(/^terraform state rm '(.*)'$/, '$1')).sort();
      expect(addresses).toEqual(
        stateOf(f)
          .map((r) => r.address)
          .sort(),
      );
      expect(report.stateRm.map((s) => s.step)).toEqual(['service', 'edge', 'network', 'data', 'verify']);
      expect(report.stateRm.every((s) => s.checks.length > 0)).toBe(true);
      const data = report.stateRm.find((s) => s.step === 'data')!;
      expect(data.commands.some((c) => c.includes('aws_rds_cluster.'))).toBe(true);
      expect(data.checks.join('\n')).toMatch(/cluster\.rds\.aws\.m\.upbound\.io keeps its AWS resource when deleted/);
      expect(data.checks.join('\n')).toMatch(
        /secret\.secretsmanager\.aws\.m\.upbound\.io keeps its AWS resource when deleted/,
      );
      expect(data.checks).toContain(
        `a recent snapshot exists: aws rds describe-db-cluster-snapshots --db-cluster-identifier rds-cluster-${f.suffix} --max-items 1`,
      );
      // no value of the state's sensitive attributes reaches the adoption file
      const text = adoptionYaml(adoption, f.state);
      expect(text).not.toMatch(/password:|result:|secret_string/);
      expect(parse(text).resources).toEqual(adoption.resources);
    },
  );
});

describe('loadAdoptions', () => {
  function project(files: Record<string, string>): string {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'config', 'adoption'), { recursive: true });
    for (const [name, text] of Object.entries(files))
      fs.writeFileSync(path.join(dir, 'config', 'adoption', name), text);
    return dir;
  }

  test('GIVEN the file adopt wrote THEN it loads as written', () => {
    const { adoption } = adoptFixture(FIXTURES[0]);
    const dir = project({ 'prod.yaml': adoptionYaml(adoption, 'prod.show.json') });
    expect(loadAdoptions(dir, ['prod', 'pr5706']).get('prod')).toEqual(adoption);
  });

  test('GIVEN no adoption folder THEN no environment is adopted', () => {
    expect(loadAdoptions(tempDir(), ['prod']).size).toBe(0);
  });

  test('GIVEN bad adoption files THEN one line per problem names the file, the setting, the value and the fix', () => {
    const dir = project({
      'prod.yaml': 'suffix: prod\nphase: obsrve\nkeepDatabasePassword: true\nresources: {}\n',
      'pr1.yaml': 'suffix: pr1\nphase: observe\nkeepDatabasePassword: true\nresources: {}\n',
      'pr5706.yaml': 'suffix: other\nphase: observe\nkeepDatabasePassword: true\nresources: {}\n',
      'pr9.yaml':
        'suffix: pr9\nphase: manage\nkeepDatabasePassword: false\nresources:\n  ec2.aws.m.upbound.io/VPC/vpc-pr9: {externalName: vpc-1, create: why}\n',
    });
    let lines: readonly string[] = [];
    try {
      loadAdoptions(dir, ['prod', 'pr5706', 'pr9']);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      lines = (e as ConfigError).lines;
    }
    expect(lines).toEqual([
      'config/adoption/pr1.yaml: suffix: names no configured environment (got "pr1"); add the environment to config/environments.yaml or delete this file',
      'config/adoption/pr5706.yaml: suffix: does not match the file name (got "other"); name the file other.yaml',
      'config/adoption/pr9.yaml: resources.ec2.aws.m.upbound.io/VPC/vpc-pr9: needs exactly one of externalName, create, lookup (got externalName, create); run `npm run adopt` again',
      'config/adoption/prod.yaml: phase: is not an allowed value (got "obsrve"); use one of observe, manage',
    ]);
  });
});

describe('npm run adopt', () => {
  const run = runAdopt;

  test('GIVEN a state, a lookup and --report THEN it writes the adoption file and the JSON report and prints the tables', () => {
    const dir = tempDir();
    const report = path.join(dir, 'report.json');
    const r = run(
      ['--state', 'pr5706.tfstate', '--suffix', 'pr5706', '--lookup', 'pr5706.sg-rules.json', '--report', report],
      dir,
    );
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const written = fs.readFileSync(path.join(dir, 'config', 'adoption', 'pr5706.yaml'), 'utf8');
    expect(written).toBe(adoptionYaml(adoptFixture(FIXTURES[1]).adoption, 'pr5706.tfstate'));
    expect(JSON.parse(fs.readFileSync(report, 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(adoptFixture(FIXTURES[1]).report)),
    );
    expect(r.out[0]).toBe(
      `adoption of pr5706 (catalog-api-pr5706) from pr5706.tfstate (raw-v4, ${stateOf(FIXTURES[1]).length} resources), phase observe`,
    );
    expect(r.out).toContain('drift (state → desired)');
    // the phase the user moved on to is kept when adopting again
    fs.writeFileSync(
      path.join(dir, 'config', 'adoption', 'pr5706.yaml'),
      written.replace('phase: observe', 'phase: manage'),
    );
    expect(run(['--state', 'pr5706.tfstate', '--suffix', 'pr5706', '--lookup', 'pr5706.sg-rules.json'], dir).code).toBe(
      0,
    );
    expect(parse(fs.readFileSync(path.join(dir, 'config', 'adoption', 'pr5706.yaml'), 'utf8')).phase).toBe('manage');
  });

  test.each([
    [
      ['--suffix', 'pr5706'],
      /^ {2}adopt: --state and --suffix are required \(got --suffix\); usage: npm run adopt -- --state <file>/,
    ],
    [
      ['--state', 'nope.json', '--suffix', 'pr5706'],
      /^ {2}--state: cannot read "nope\.json"; pass the path of an existing file$/,
    ],
    [
      ['--state', 'pr5706.tfstate', '--suffix', 'pr9'],
      /^ {2}--suffix: names no configured environment \(got "pr9"\); use one of prod, pr5706, or add the environment to config\/environments\.yaml first$/,
    ],
    [['--state', 'pr5706.tfstate', '--suffix', 'pr5706', '--bogus'], /^ {2}adopt: unknown option '--bogus'.*; usage:/],
  ])('GIVEN %j THEN it exits 1 naming the problem and writes nothing', (args, message) => {
    const dir = tempDir();
    const r = run(args, dir);
    expect(r.code).toBe(1);
    expect(r.err[0]).toBe('adopt failed; nothing was written');
    expect(r.err[1]).toMatch(message);
    expect(fs.existsSync(path.join(dir, 'config'))).toBe(false);
  });
});

describe('npm run synth with config/adoption', () => {
  function project(adoptionText: string) {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'config', 'adoption'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'config', 'adoption', 'pr5706.yaml'), adoptionText);
    return dir;
  }
  const synth = (dir: string) => synthAdopted(dir, validator);

  test('GIVEN an adoption file in the project THEN synth writes the adopted environment', () => {
    const { adoption } = adoptFixture(FIXTURES[1]);
    const dir = project(adoptionYaml(adoption, 'pr5706.tfstate'));
    expect(synth(dir)).toEqual({ rc: 0, errors: [] });
    const network = parseAllDocuments(
      fs.readFileSync(path.join(dir, 'dist', 'environments', 'pr5706', 'network.k8s.yaml'), 'utf8'),
    );
    const vpc = network.map((d) => d.toJS()).find((o) => o.kind === 'VPC');
    expect(vpc.metadata.annotations[EXTERNAL_NAME]).toBe(
      adoption.resources['ec2.aws.m.upbound.io/VPC/vpc-pr5706'].externalName,
    );
    expect(vpc.spec.managementPolicies).toEqual(['Observe']);
  });

  test('GIVEN a bad adoption file THEN synth fails naming it and writes nothing', () => {
    const dir = project('suffix: pr5706\nphase: later\nkeepDatabasePassword: true\nresources: {}\n');
    const r = synth(dir);
    expect(r.rc).toBe(1);
    expect(r.errors).toEqual([
      'synth failed: invalid configuration; nothing was written to dist/',
      '  config/adoption/pr5706.yaml: phase: is not an allowed value (got "later"); use one of observe, manage',
    ]);
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });
});

// keep the fixture set honest: the lookup file answers exactly the rules the preview state holds inline
test('fixtures: the lookup answers every inline rule of the preview state and names an extra rule AWS has', () => {
  const rules: LookedUpRule[] = lookupOf('pr5706.sg-rules.json');
  const inline = stateOf(FIXTURES[1])
    .filter((r) => r.type === 'aws_security_group')
    .flatMap((r) => [...r.attributes.ingress, ...r.attributes.egress]);
  expect(rules.length).toBe(inline.length + 1);
  expect(baseConfigFile().environments.map((e: any) => e.suffix)).toEqual(['prod', 'pr5706']);
});
