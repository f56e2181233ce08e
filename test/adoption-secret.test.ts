import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { adopt, adoptionYaml, adoptMain, parseLookup } from '../lib/adoption/cli';
import { synthAdopted } from './adoption-support';
import { WITHOUT_DELETE } from '../lib/adoption/policies';
import { formatReport } from '../lib/adoption/report';
import { parseState, StateResource } from '../lib/adoption/state';
import { buildApp, render } from '../lib/app';
import { Adoption, AdoptionPhase, loadAdoptions } from '../lib/config/adoption';
import { ConfigError, UserError } from '../lib/config/errors';
import { Config } from '../lib/config/types';
import { formatViolation, Validator } from '../lib/validate';
import { runValidateCli } from '../lib/validate/cli';
import { resolveObject } from '../lib/wiring/simulate';
import { fixtureConfig, FIXTURES_DIR, PROJECT_DIR, tempDir } from './helpers';

/**
 * An adopted cluster that keeps the password Terraform generated: the secret Terraform keeps it in is adopted
 * observe-only, its ARN feeds DB_SECRET_ARN through the parameter the service already reads, and the task role may
 * read exactly that secret (docs/adr/0002-database-credentials.md, "Adopted environments").
 */

const DIR = path.join(FIXTURES_DIR, 'adoption');
const read = (f: string) => fs.readFileSync(path.join(DIR, f), 'utf8');

const FIXTURES = [
  { suffix: 'prod', state: 'prod.show.json', lookup: undefined },
  { suffix: 'pr5706', state: 'pr5706.tfstate', lookup: 'pr5706.sg-rules.json' },
] as const;
type Fixture = (typeof FIXTURES)[number];
const PHASES: AdoptionPhase[] = ['observe', 'manage'];

const SECRET_API = 'secretsmanager.aws.m.upbound.io/v1beta1';
const secretKey = (suffix: string) => `secretsmanager.aws.m.upbound.io/Secret/db-credentials-${suffix}`;

function adoptText(f: Fixture, stateText: string, phase?: AdoptionPhase, config: Config = fixtureConfig('seed')) {
  return adopt(config, f.suffix, stateText, f.state, f.lookup ? parseLookup(read(f.lookup), f.lookup) : [], phase);
}
const adoptFixture = (f: Fixture, phase?: AdoptionPhase) => adoptText(f, read(f.state), phase);

function stateSecret(f: Fixture): StateResource {
  return parseState(read(f.state), f.state).resources.find((r) => r.type === 'aws_secretsmanager_secret')!;
}

/** The fixture's state with its aws_secretsmanager_secret changed by `edit` (or removed when it returns undefined). */
function editedState(f: Fixture, edit: (attributes: any) => any): string {
  const data = JSON.parse(read(f.state));
  if (data.values) {
    const list = data.values.root_module.resources;
    const i = list.findIndex((r: any) => r.type === 'aws_secretsmanager_secret');
    const changed = edit(list[i].values);
    if (changed === undefined) list.splice(i, 1);
    else list[i].values = changed;
  } else {
    const i = data.resources.findIndex((r: any) => r.type === 'aws_secretsmanager_secret');
    const changed = edit(data.resources[i].instances[0].attributes);
    if (changed === undefined) data.resources.splice(i, 1);
    else data.resources[i].instances[0].attributes = changed;
  }
  return JSON.stringify(data);
}

function envObjects(suffix: string, adoption?: Adoption): any[] {
  const built = buildApp(fixtureConfig('seed'), { adoptions: adoption ? new Map([[suffix, adoption]]) : undefined });
  return render(built)
    .filter((f) => f.file.startsWith(`environments/${suffix}/`))
    .flatMap((f) => f.objects);
}

const byName = (objects: readonly any[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
const secretsIn = (objects: readonly any[]) =>
  objects.filter((o) => o.kind === 'Secret' && o.apiVersion === SECRET_API);
/** Every managed resource, wrapped manifests included. */
const manifests = (objects: readonly any[]) =>
  objects.map((o) => (o.kind === 'Object' && o.spec?.forProvider?.manifest ? o.spec.forProvider.manifest : o));
const taskRoleStatements = (objects: readonly any[], suffix: string) =>
  JSON.parse(byName(objects, 'RolePolicy', `ecs-task-role-${suffix}-policy`).spec.forProvider.policy).Statement;

describe('npm run adopt: the secret of a kept password', () => {
  test.each(FIXTURES.map((f) => [f.suffix, f] as const))(
    '%s: GIVEN the seed state WHEN adopted THEN the secret Terraform created is adopted by its ARN and its version never',
    (_, f) => {
      const { adoption, report } = adoptFixture(f);
      const secret = stateSecret(f);
      expect(adoption.keepDatabasePassword).toBe(true);
      // provider-upjet-aws v2.6.0 config/externalname.go:2465: IdentifierFromProvider, the Terraform id (the ARN)
      expect(adoption.resources[secretKey(f.suffix)]).toEqual({
        externalName: secret.attributes.id,
        terraform: secret.address,
      });
      expect(secret.attributes.id).toBe(secret.attributes.arn);
      expect(secret.attributes.arn).toMatch(
        new RegExp(`^arn:aws:secretsmanager:eu-north-1:123456789012:secret:db-credentials-${f.suffix}-\\w{6}$`),
      );
      expect(report.resources.find((r) => r.resource === secretKey(f.suffix))).toMatchObject({
        action: 'adopt',
        matchedBy: 'name',
        citation:
          'provider-upjet-aws v2.6.0 config/externalname.go:2465 (IdentifierFromProvider: the Terraform id, the secret ARN)',
      });
      expect(Object.keys(adoption.resources).filter((k) => /secretsmanager/.test(k))).toEqual([secretKey(f.suffix)]);
      expect(report.leftAlone.find((x) => x.type === 'aws_secretsmanager_secret_version')?.what).toMatch(
        /never adopted/,
      );
      // the adoption file holds the ARN, no value
      expect(adoptionYaml(adoption, f.state)).not.toMatch(/secret_string|secretString|^\s*password:/m);
    },
  );

  test('GIVEN a state without the secret THEN adopt refuses, naming the cluster, the secret and the fix', () => {
    const f = FIXTURES[0];
    expect(() =>
      adoptText(
        f,
        editedState(f, () => undefined),
      ),
    ).toThrow(UserError);
    try {
      adoptText(
        f,
        editedState(f, () => undefined),
      );
    } catch (e) {
      expect((e as UserError).lines).toEqual([
        'prod.show.json: cluster rds-cluster-prod keeps the password Terraform generated, but the state holds 0 aws_secretsmanager_secret named "db-credentials-prod" (want 1); pass the state of the stack that created the cluster, with its secret',
      ]);
    }
  });

  test('GIVEN the secret encrypted with a customer managed key THEN adopt refuses: the task role would need a KMS grant', () => {
    const f = FIXTURES[1];
    const key = 'arn:aws:kms:eu-north-1:123456789012:key/0d3e4a6b-93c1-4d0e-9b1e-5f2c8a7e6d41';
    const text = editedState(f, (a) => ({ ...a, kms_key_id: key }));
    expect(() => adoptText(f, text)).toThrow(
      new RegExp(
        `is encrypted with the customer managed KMS key "${key}", on which the task role would need kms:Decrypt`,
      ),
    );
  });

  test('GIVEN the secret naming the AWS managed key THEN it is adopted as with no key', () => {
    const f = FIXTURES[1];
    const text = editedState(f, (a) => ({ ...a, kms_key_id: 'alias/aws/secretsmanager' }));
    expect(adoptText(f, text).adoption.resources[secretKey(f.suffix)]?.externalName).toBe(
      stateSecret(f).attributes.arn,
    );
  });

  test('GIVEN a cluster whose password RDS already manages THEN no secret is adopted and the Terraform one is left alone', () => {
    const f = FIXTURES[0];
    const data = JSON.parse(read(f.state));
    data.values.root_module.resources.find(
      (r: any) => r.type === 'aws_rds_cluster',
    ).values.manage_master_user_password = true;
    const { adoption, report } = adoptText(f, JSON.stringify(data));
    expect(adoption.keepDatabasePassword).toBe(false);
    expect(adoption.resources[secretKey('prod')]).toBeUndefined();
    expect(report.databaseSecret).toBeUndefined();
    expect(report.leftAlone.find((x) => x.type === 'aws_secretsmanager_secret')?.what).toMatch(
      /^not read by our tasks/,
    );
  });

  test('the report says what the secret holds, how to check its shape read-only, and what to do if it differs', () => {
    const f = FIXTURES[0];
    const { report } = adoptFixture(f);
    const arn = stateSecret(f).attributes.arn;
    const get = `aws secretsmanager get-secret-value --region eu-north-1 --secret-id ${arn} --query SecretString --output text`;
    expect(report.databaseSecret).toEqual({
      resource: secretKey('prod'),
      arn,
      holds: `a JSON object with the key(s) password: the running task definition reads ${arn}:password::; whether it also holds username the state cannot say (secret_string is sensitive and not read here)`,
      checks: [
        `${get} | jq -r 'if type == "object" then keys | join(",") else "not a JSON object" end'`,
        `aws secretsmanager describe-secret --region eu-north-1 --secret-id ${arn} --query '{key: KmsKeyId, stages: VersionIdsToStages}'`,
      ],
      expected: expect.stringMatching(/^the first prints password,username/),
      ifDifferent: [
        expect.stringMatching(
          new RegExp(
            `^password without username: .* jq -c --arg u catalogadmin '\\. \\+ \\{username: \\$u\\}' \\| aws secretsmanager put-secret-value --region eu-north-1 --secret-id ${arn} --secret-string file:///dev/stdin --query VersionId; to undo, move AWSCURRENT back: aws secretsmanager update-secret-version-stage `,
          ),
        ),
        expect.stringMatching(/^no password key, or not a JSON object: .*do not set phase manage/),
        expect.stringMatching(/^a key in describe-secret: /),
      ],
    });
    // the checks only read, and the value only ever reaches jq, which prints key names
    for (const c of report.databaseSecret!.checks) {
      expect(c).toMatch(/^aws secretsmanager (get-secret-value|describe-secret) /);
    }
    expect(report.databaseSecret!.checks[0]).toMatch(/--output text \| jq -r '[^']*keys[^']*'$/);
    const text = formatReport(report);
    expect(text).toContain('database password secret (kept from Terraform, observed only)');
    expect(text).toContain(`  check (read-only, prints no value): ${report.databaseSecret!.checks[0]}`);
  });
});

describe('KeptMasterSecret', () => {
  const cases = FIXTURES.flatMap((f) => PHASES.map((phase) => [f.suffix, phase, f] as const));

  test.each(cases)(
    '%s in %s: the secret is observed only, named by its ARN, with nothing but its name and region',
    (suffix, phase, f) => {
      const { adoption } = adoptFixture(f, phase);
      const objects = envObjects(suffix, adoption);
      const [secret, ...more] = secretsIn(objects);
      expect(more).toEqual([]);
      expect(secret.metadata.name).toBe(`db-credentials-${suffix}`);
      expect(secret.metadata.annotations['crossplane.io/external-name']).toBe(stateSecret(f).attributes.arn);
      expect(secret.spec.managementPolicies).toEqual(['Observe']);
      expect(secret.spec.forProvider).toEqual({ region: 'eu-north-1', name: `db-credentials-${suffix}` });
      expect(secret.spec.writeConnectionSecretToRef).toBeUndefined();
      if (suffix === 'prod') {
        expect(secret.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
      } else {
        expect(secret.metadata.annotations['exception.policy.catalog-api/DEL001']).toMatch(/^observed only: /);
      }
      // no version, so no value: nothing emitted could write or hold the password
      expect(manifests(objects).filter((o) => o.kind === 'SecretVersion')).toEqual([]);
      expect(JSON.stringify(objects)).not.toMatch(/secretString|secretBinary|masterPassword/);
    },
  );

  test.each(FIXTURES.map((f) => [f.suffix, f] as const))(
    '%s: the secret-ARN parameter is fed from the adopted secret, and the task definition is the same',
    (suffix, f) => {
      const { adoption } = adoptFixture(f, 'manage');
      const objects = envObjects(suffix, adoption);
      const fresh = envObjects(suffix);
      const param = byName(objects, 'Object', `db-master-secret-arn-${suffix}`);
      const arn = stateSecret(f).attributes.arn;
      const secret = secretsIn(objects)[0];
      const cluster = objects.find((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('rds.'));
      const observed: Record<string, any> = {
        // what the provider reports once it has observed them; the cluster has no RDS-managed secret
        [`Secret/${secret.metadata.name}`]: { ...secret, status: { atProvider: { arn, id: arn } } },
        [`Cluster/${cluster.metadata.name}`]: { ...cluster, status: { atProvider: { endpoint: 'x' } } },
      };
      const lookup = (_: string, kind: string, ns: string, name: string) =>
        ns === `catalog-api-${suffix}` ? observed[`${kind}/${name}`] : undefined;
      const applied = resolveObject(param, lookup).applied;
      expect(applied.spec.forProvider.insecureValue).toBe(arn);
      expect(applied.metadata.annotations['crossplane.io/external-name']).toBe(
        `/catalog-api/${suffix}/db-master-secret-arn`,
      );
      // before the provider has observed the secret, the parameter waits
      expect(resolveObject(param, () => undefined).missing).toEqual([
        `Secret/catalog-api-${suffix}/db-credentials-${suffix} status.atProvider.arn`,
      ]);
      // the task definition reads the same parameter, so it is the one a fresh environment has
      const taskDefinition = (os: any[]) => manifests(os).find((o) => o.kind === 'TaskDefinition');
      const strip = (o: any) => {
        const c = structuredClone(o);
        delete c.metadata.annotations;
        delete c.spec.managementPolicies;
        return c;
      };
      expect(strip(taskDefinition(objects))).toEqual(strip(taskDefinition(fresh)));
      expect(JSON.stringify(taskDefinition(objects))).toContain(`/catalog-api/${suffix}/db-master-secret-arn`);
    },
  );

  test.each(FIXTURES.map((f) => [f.suffix, f] as const))(
    '%s: the task role may read exactly that secret; the execution role is unchanged',
    (suffix, f) => {
      const { adoption } = adoptFixture(f, 'manage');
      const objects = envObjects(suffix, adoption);
      const fresh = envObjects(suffix);
      expect(taskRoleStatements(objects, suffix)).toEqual([
        {
          Sid: 'ReadDatabaseSecret',
          Effect: 'Allow',
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          Resource: stateSecret(f).attributes.arn,
        },
      ]);
      // the seed's secret names no key (aws/secretsmanager): no KMS grant
      expect(stateSecret(f).attributes.kms_key_id).toBeUndefined();
      const policy = (os: any[]) =>
        byName(os, 'RolePolicy', `ecs-task-execution-role-${suffix}-policy`).spec.forProvider.policy;
      expect(policy(objects)).toBe(policy(fresh));
    },
  );

  test('a fresh environment is as before: no secret, the parameter from the cluster, the RDS-managed grant', () => {
    const objects = envObjects('prod');
    expect(secretsIn(objects)).toEqual([]);
    expect(byName(objects, 'Object', 'db-master-secret-arn-prod').spec.references).toEqual([
      {
        patchesFrom: {
          apiVersion: 'rds.aws.m.upbound.io/v1beta1',
          kind: 'Cluster',
          name: 'rds-cluster-prod',
          namespace: 'catalog-api-prod',
          fieldPath: 'status.atProvider.masterUserSecret[0].secretArn',
        },
        toFieldPath: 'spec.forProvider.insecureValue',
      },
    ]);
    expect(taskRoleStatements(objects, 'prod')).toEqual([
      expect.objectContaining({
        Resource: 'arn:aws:secretsmanager:eu-north-1:123456789012:secret:rds!cluster-*',
        Condition: {
          StringEquals: {
            'secretsmanager:ResourceTag/aws:rds:primaryDBClusterArn':
              'arn:aws:rds:eu-north-1:123456789012:cluster:rds-cluster-prod',
            'secretsmanager:ResourceTag/aws:secretsmanager:owningService': 'rds',
          },
        },
      }),
    ]);
  });

  test('GIVEN keepDatabasePassword set to false after adoption THEN the cluster moves to an RDS-managed password and the wiring follows', () => {
    const { adoption } = adoptFixture(FIXTURES[0], 'manage');
    const switched: Adoption = { ...adoption, keepDatabasePassword: false };
    const objects = envObjects('prod', switched);
    const fresh = envObjects('prod');
    const cluster = objects.find((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('rds.'));
    expect(cluster.spec.forProvider.manageMasterUserPassword).toBe(true);
    expect(cluster.spec.initProvider).toBeUndefined();
    expect(secretsIn(objects)).toEqual([]);
    const param = (os: any[]) => byName(os, 'Object', 'db-master-secret-arn-prod').spec.references;
    expect(param(objects)).toEqual(param(fresh));
    expect(taskRoleStatements(objects, 'prod')).toEqual(taskRoleStatements(fresh, 'prod'));
  });
});

describe('the platform of an adopted environment', () => {
  test('GIVEN the secret adopted THEN its provider family is installed, its kind activated and its status readable by provider-kubernetes', () => {
    const config = fixtureConfig('seed');
    const platform = (adoptions?: Map<string, Adoption>) =>
      render(buildApp(config, { adoptions })).find((f) => f.file === 'platform/platform.k8s.yaml')!.objects;
    const adopted = platform(new Map([['prod', adoptFixture(FIXTURES[0]).adoption]]));
    expect(byName(adopted, 'Provider', 'provider-aws-secretsmanager').spec.package).toMatch(
      /\/provider-aws-secretsmanager:v2\.6\.0$/,
    );
    expect(adopted.find((o) => o.kind === 'ManagedResourceActivationPolicy').spec.activate).toContain(
      'secrets.secretsmanager.aws.m.upbound.io',
    );
    expect(adopted.find((o) => o.kind === 'ClusterRole').rules).toContainEqual({
      apiGroups: ['secretsmanager.aws.m.upbound.io'],
      resources: ['secrets'],
      verbs: ['get', 'list', 'watch', 'update'],
    });
    expect(byName(platform(), 'Provider', 'provider-aws-secretsmanager')).toBeUndefined();
  });
});

describe('npm run validate of an adopted tree', () => {
  const validator = Validator.forProject(PROJECT_DIR);

  test.each(PHASES)('GIVEN both fixture environments adopted in %s WHEN synthesized THEN validate exits 0', (phase) => {
    const dir = tempDir('catalog-adopt-secret-');
    fs.mkdirSync(path.join(dir, 'config', 'adoption'), { recursive: true });
    for (const f of FIXTURES) {
      fs.writeFileSync(
        path.join(dir, 'config', 'adoption', `${f.suffix}.yaml`),
        adoptionYaml(adoptFixture(f, phase).adoption, f.state),
      );
    }
    const { rc, errors } = synthAdopted(dir, validator);
    expect({ rc, errors }).toEqual({ rc: 0, errors: [] });
    const database = fs.readFileSync(path.join(dir, 'dist', 'environments', 'prod', 'database.k8s.yaml'), 'utf8');
    expect(database).toContain('kind: Secret\n');
    const out: string[] = [];
    const err: string[] = [];
    expect(runValidateCli([], dir, { out: (l) => out.push(l), err: (l) => err.push(l) })).toBe(0);
    expect(err).toEqual([]);
    expect(out.join('\n')).toMatch(/, 0 violations/);
  });
});

describe('loadAdoptions', () => {
  test('GIVEN a kept password without the secret it is in THEN the adoption file is refused with the fix', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'config', 'adoption'), { recursive: true });
    const { adoption } = adoptFixture(FIXTURES[0]);
    const text = adoptionYaml(
      {
        ...adoption,
        resources: Object.fromEntries(Object.entries(adoption.resources).filter(([k]) => k !== secretKey('prod'))),
      },
      'prod.show.json',
    );
    fs.writeFileSync(path.join(dir, 'config', 'adoption', 'prod.yaml'), text);
    let lines: readonly string[] = [];
    try {
      loadAdoptions(dir, ['prod']);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      lines = (e as ConfigError).lines;
    }
    expect(lines).toEqual([
      'config/adoption/prod.yaml: resources: needs exactly one secretsmanager.aws.m.upbound.io/Secret/<name> entry with an externalName, the secret the kept password is in (got 0); run `npm run adopt` again',
    ]);
  });
});

describe('npm run adopt again after the switch to an RDS-managed password', () => {
  test('GIVEN an adoption file with keepDatabasePassword false WHEN adopt runs again on the old state THEN the switch stays', () => {
    const dir = tempDir();
    const out: string[] = [];
    const run = () =>
      adoptMain(['--state', 'prod.show.json', '--suffix', 'prod'], {
        env: { CATALOG_CONFIG: path.join(FIXTURES_DIR, 'seed.yaml') },
        cwd: DIR,
        projectDir: dir,
        log: (l) => out.push(l),
        error: (l) => out.push(l),
      });
    expect(run()).toBe(0);
    const file = path.join(dir, 'config', 'adoption', 'prod.yaml');
    expect(parse(fs.readFileSync(file, 'utf8')).keepDatabasePassword).toBe(true);
    expect(out).not.toContainEqual(expect.stringMatching(/^keepDatabasePassword stays false/));
    // the user switches (README runbook step 7); the state still shows the password Terraform generated
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace('keepDatabasePassword: true', 'keepDatabasePassword: false'),
    );
    out.length = 0;
    expect(run()).toBe(0);
    expect(parse(fs.readFileSync(file, 'utf8')).keepDatabasePassword).toBe(false);
    expect(out).toContain(
      'keepDatabasePassword stays false, as config/adoption/prod.yaml had it: the cluster was switched to an RDS-managed password (README, "Adopting the CDKTF stack", step 7)',
    );
  });
});

describe('ADOPT001 for the adopted secret', () => {
  test('GIVEN the secret in manage with the policies of a stateful resource THEN the validator wants Observe only', () => {
    const config = fixtureConfig('seed');
    const { adoption } = adoptFixture(FIXTURES[0], 'manage');
    const files = render(buildApp(config, { adoptions: new Map([['prod', adoption]]) }));
    const set = files.flatMap((f) => f.objects.map((object) => ({ file: `dist/${f.file}`, object })));
    const secret = set.find((o) => o.object.kind === 'Secret' && o.object.apiVersion === SECRET_API)!.object;
    const validator = Validator.forProject(PROJECT_DIR);
    expect(validator.validate(set).map(formatViolation)).toEqual([]);
    secret.spec.managementPolicies = WITHOUT_DELETE;
    expect(validator.validate(set).map(formatViolation)).toEqual([
      'dist/environments/prod/database.k8s.yaml: Secret/catalog-api-prod/db-credentials-prod: spec.managementPolicies: Invalid: an adopted resource in phase manage needs ["Observe"], not ["Observe","Create","Update","LateInitialize"] [ADOPT001]',
    ]);
  });
});
