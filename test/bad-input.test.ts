import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { baseConfigFile, tempDir, withEnvironment } from './helpers';
import { pool, runMain, snapshotDir, writeConfig } from './process';

/** [case, config file content (object or raw text) or undefined for none, extra env, the message expected] */
type Case = [string, unknown, Record<string, string>, RegExp];

const env = (patch: unknown) => withEnvironment('pr5706', patch);
const top = (patch: Record<string, unknown>) => ({ ...baseConfigFile(), ...patch });
const onlyProd = (patch: Record<string, unknown>) => ({
  ...baseConfigFile(),
  environments: [{ suffix: 'prod', profile: 'production', ...patch }],
});

const CASES: Case[] = [
  [
    'malformed YAML',
    'platform: [unclosed\n',
    {},
    /case-0\.yaml:1:20: malformed yaml\/json: .* \(got "platform: \[unclosed"\); fix the syntax on line 1 at column 20/,
  ],
  [
    'malformed JSON',
    '{"platform": {"providerRoleArn": "x",}',
    {},
    /case-1\.yaml:1:39: malformed yaml\/json: flow map must end with a \}/,
  ],
  ['a tab-indented YAML block', 'platform:\n\tproviderRoleArn: x\n', {}, /malformed yaml\/json/],
  ['duplicate YAML key', 'platform: {}\nplatform: {}\n', {}, /map keys must be unique/],
  ['an empty file', '', {}, /\(file\): is empty \(got nothing\); write the platform and environments settings/],
  [
    'a list instead of a mapping',
    '- a\n- b\n',
    {},
    /\(file\): must be a mapping \(key: value\), not a list \(got \["a","b"\]\); write it as a mapping \(key: value\)/,
  ],
  [
    'unknown top-level key',
    top({ enviroments: [] }),
    {},
    /enviroments: is not a known setting \(got \[\]\); did you mean environments\? rename it, or remove it/,
  ],
  [
    'unknown nested key',
    env({ database: { engine_version: '16.4' } }),
    {},
    /environments\[pr5706\]\.database\.engine_version: is not a known setting \(got "16\.4"\)/,
  ],
  [
    'wrong type: string for a number',
    env({ service: { cpu: '1024' } }),
    {},
    /service\.cpu: must be a (whole )?number, not a string \(got "1024"\); write it as a (whole )?number/,
  ],
  [
    'wrong type: number for a string',
    env({ database: { engineVersion: 16.4 } }),
    {},
    /database\.engineVersion: must be a quoted string, not a number \(got 16\.4\); write it as a quoted string/,
  ],
  ['wrong type: list for a mapping', env({ tags: ['a'] }), {}, /tags: must be a mapping \(key: value\), not a list/],
  [
    'wrong type: boolean as text',
    env({ service: { containerInsights: 'yes' } }),
    {},
    /containerInsights: must be true or false, not a string/,
  ],
  [
    'min capacity above max',
    env({ service: { minCapacity: 6, maxCapacity: 4, desiredCount: 4 } }),
    {},
    /service\.minCapacity: is above service\.maxCapacity \(4\) \(got 6\); set minCapacity at or below maxCapacity/,
  ],
  [
    'desired count outside the range',
    env({ service: { desiredCount: 20 } }),
    {},
    /service\.desiredCount: is outside the scaling range 2\.\.10 \(got 20\)/,
  ],
  [
    'Fargate CPU that does not exist',
    env({ service: { cpu: 1000 } }),
    {},
    /service\.cpu: is not a fargate cpu size \(got 1000\); use one of 256, 512, 1024/,
  ],
  [
    'Fargate memory not allowed for the CPU',
    env({ service: { cpu: 1024, memory: 1024 } }),
    {},
    /service\.memory: is not a fargate memory size for cpu 1024 \(got 1024\); use one of 2048, 3072/,
  ],
  [
    'log retention CloudWatch does not accept',
    env({ service: { logRetentionDays: 10 } }),
    {},
    /service\.logRetentionDays: is not a retention cloudwatch logs accepts \(got 10\); use one of 1, 3, 5, 7, 14/,
  ],
  [
    'backup retention above 35',
    env({ database: { backupRetentionDays: 40 } }),
    {},
    /database\.backupRetentionDays: is outside 1\.\.35, the range aurora accepts \(got 40\)/,
  ],
  [
    'backup retention 0',
    env({ database: { backupRetentionDays: 0 } }),
    {},
    /database\.backupRetentionDays: is outside 1\.\.35/,
  ],
  [
    'container port out of range',
    env({ service: { containerPort: 70000 } }),
    {},
    /service\.containerPort: must be at most 65535 \(got 70000\); use a number from 1 to 65535$/,
  ],
  [
    'CPU target above 100%',
    env({ service: { cpuTargetPercent: 120 } }),
    {},
    /cpuTargetPercent: must be at most 100 \(got 120\); use a number from 1 to 100$/,
  ],
  [
    'image tag latest',
    env({ service: { imageTag: 'latest' } }),
    {},
    /service\.imageTag: names a moving tag: .* \(got "latest"\); use the digest \(sha256:<64 hex>\)/,
  ],
  [
    'invalid CIDR',
    env({ network: { vpcCidr: '10.0.0/16' } }),
    {},
    /network\.vpcCidr: is not an IPv4 CIDR block \(got "10\.0\.0\/16"\)/,
  ],
  [
    'CIDR with host bits',
    env({ network: { publicSubnetCidrs: ['10.0.1.7/24', '10.0.2.0/24'] } }),
    {},
    /publicSubnetCidrs\[0\]: has host bits set: the network address of \/24 is 10\.0\.1\.0/,
  ],
  [
    'subnet outside the VPC',
    env({ network: { privateSubnetCidrs: ['10.0.3.0/24', '192.168.4.0/24'] } }),
    {},
    /privateSubnetCidrs\[1\]: is outside the vpc 10\.0\.0\.0\/16 \(got "192\.168\.4\.0\/24"\)/,
  ],
  [
    'overlapping subnets',
    env({
      network: {
        publicSubnetCidrs: ['10.0.0.0/22', '10.0.4.0/24'],
        privateSubnetCidrs: ['10.0.1.0/24', '10.0.6.0/24'],
      },
    }),
    {},
    /privateSubnetCidrs\[0\]: overlaps environments\[pr5706\]\.network\.publicSubnetCidrs\[0\] \(10\.0\.0\.0\/22\) \(got "10\.0\.1\.0\/24"\)/,
  ],
  [
    'AZ outside the region',
    env({ availabilityZones: ['eu-north-1a', 'eu-central-1b'] }),
    {},
    /availabilityZones\[1\]: is not a zone of region eu-north-1 \(got "eu-central-1b"\); use eu-north-1 followed by a zone letter/,
  ],
  [
    'suffix not valid in a Kubernetes name',
    env({ suffix: 'PR_5706' }),
    {},
    /suffix: is not valid in kubernetes and aws names \(got "PR_5706"\)/,
  ],
  [
    'suffix too long for the load balancer name',
    env({ suffix: 'preview-feature-branch-login1' }),
    {},
    /makes the load balancer name 'alb-preview-feature-branch-login1' 33 characters long, over the limit of 32/,
  ],
  [
    'CIDR in short form',
    env({ network: { vpcCidr: '10.0/16' } }),
    {},
    /network\.vpcCidr: is not an IPv4 CIDR block \(got "10\.0\/16"\)/,
  ],
  [
    'suffix too long for the target group and load balancer',
    env({ suffix: 'a'.repeat(30) }),
    {},
    /target group name 'tg-a{30}' 33 characters long, over the limit of 32/,
  ],
  [
    'suffix too long for the IAM role',
    env({ suffix: 'b'.repeat(41) }),
    {},
    /iam role name 'ecs-task-execution-role-b{41}' 65 characters long, over the limit of 64/,
  ],
  [
    'duplicate environment names',
    top({
      environments: [
        { suffix: 'pr1', profile: 'preview' },
        { suffix: 'pr1', profile: 'preview' },
      ],
    }),
    {},
    /environments\[0\] and environments\[1\]: both use suffix \(got "pr1"\); give every environment its own suffix/,
  ],
  [
    'production without an account id',
    { ...onlyProd({ deployRoleArn: 'arn:aws:iam::123456789012:role/x' }), defaults: undefined },
    {},
    /environments\[prod\]\.accountId: is required \(got nothing\); set accountId in defaults or on the environment/,
  ],
  [
    'production without a deploy role',
    onlyProd({}),
    {},
    /environments\[prod\]\.deployRoleArn: is required for a production environment \(got nothing\)/,
  ],
  [
    'production turning deletion protection off',
    onlyProd({ deployRoleArn: 'arn:aws:iam::123456789012:role/x', database: { deletionProtection: false } }),
    {},
    /database\.deletionProtection: is off in a production environment \(got false\)/,
  ],
  [
    'unsupported engine version 16',
    env({ database: { engineVersion: '16' } }),
    {},
    /database\.engineVersion: is not a supported aurora postgresql version \(got "16"\)/,
  ],
  [
    'unsupported engine version 9.6',
    env({ database: { engineVersion: '9.6' } }),
    {},
    /database\.engineVersion: is not a supported aurora postgresql version \(got "9\.6"\)/,
  ],
  [
    'engine version with a patch level',
    env({ database: { engineVersion: '16.4.1' } }),
    {},
    /engineVersion: is not a supported aurora postgresql version \(got "16\.4\.1"\)/,
  ],
  [
    'reserved master user name',
    env({ database: { masterUsername: 'postgres' } }),
    {},
    /database\.masterUsername: is not a valid or allowed master user name \(got "postgres"\)/,
  ],
  [
    'unknown NAT strategy',
    env({ network: { natGateways: 'ha' } }),
    {},
    /network\.natGateways: is not an allowed value \(got "ha"\); use one of single, per-az/,
  ],
  [
    'unknown profile',
    env({ profile: 'staging' }),
    {},
    /profile: is not an allowed value \(got "staging"\); use one of production, preview/,
  ],
  [
    'health check path without a slash',
    env({ loadBalancer: { healthCheckPath: 'health' } }),
    {},
    /loadBalancer\.healthCheckPath: must start with \/ \(got "health"\); write it as \/health$/,
  ],
  [
    'capacity provider named twice',
    env({
      service: {
        capacityProviderStrategy: [
          { capacityProvider: 'FARGATE', weight: 1, base: 0 },
          { capacityProvider: 'FARGATE', weight: 1, base: 0 },
        ],
      },
    }),
    {},
    /capacityProviderStrategy: names a capacity provider twice/,
  ],
  ['tag with the aws: prefix', env({ tags: { 'aws:owner': 'me' } }), {}, /tags\.aws:owner: is not a valid aws tag/],
  [
    'account id of 11 digits',
    env({ accountId: '12345678901' }),
    {},
    /accountId: is not a 12-digit aws account id \(got "12345678901"\)/,
  ],
  [
    'invalid ENVIRONMENT_SUFFIX',
    baseConfigFile(),
    { ENVIRONMENT_SUFFIX: 'feature/login' },
    /environment: ENVIRONMENT_SUFFIX\.suffix: is not valid in kubernetes and aws names \(got "feature\/login"\)/,
  ],
  [
    'ENVIRONMENT_SUFFIX too long',
    baseConfigFile(),
    { ENVIRONMENT_SUFFIX: 'c'.repeat(40) },
    /environment: ENVIRONMENT_SUFFIX\.suffix: makes the load balancer name/,
  ],
  [
    'ENVIRONMENT_SUFFIX naming a configured environment',
    baseConfigFile(),
    { ENVIRONMENT_SUFFIX: 'prod' },
    /environment: ENVIRONMENT_SUFFIX: names an environment .* already has \(got "prod"\); unset it/,
  ],
  [
    'unknown CATALOG_ variable',
    baseConfigFile(),
    { CATALOG_CONFG: 'x.yaml' },
    /environment: CATALOG_CONFG: is not a known variable \(got "x\.yaml"\); unset it or use one of ENVIRONMENT_SUFFIX, CATALOG_CONFIG/,
  ],
  [
    'configuration file that does not exist',
    undefined,
    {},
    /missing\.yaml: cannot read the configuration file: no such file or directory \(ENOENT\); create it, or set CATALOG_CONFIG/,
  ],
];

describe('bad input', () => {
  const dir = tempDir('catalog-bad-');
  const out = path.join(dir, 'dist');
  let before: Record<string, string>;
  let results: Array<{ status: number | null; stderr: string; stdout: string }>;

  beforeAll(async () => {
    // GIVEN a dist/ from a good run
    const good = writeConfig(dir, 'good.yaml', baseConfigFile());
    const first = await runMain({ env: { CATALOG_CONFIG: good, CDK8S_OUTDIR: out } });
    expect(first.status).toBe(0);
    before = snapshotDir(out);
    // WHEN every bad input is synthesized into it
    results = await pool(
      CASES.map(([, content, extra], i) => () => {
        const file =
          content === undefined ? path.join(dir, 'missing.yaml') : writeConfig(dir, `case-${i}.yaml`, content);
        return runMain({ env: { ...extra, CATALOG_CONFIG: file, CDK8S_OUTDIR: out } });
      }),
    );
  });

  test(`the suite has at least 40 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  test.each(CASES.map((c, i) => [c[0], i, c[3]] as const))(
    '%s: exit 1, the setting, the value and the fix, no stack trace, dist/ untouched',
    (_name, i, expected) => {
      const r = results[i];
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines[0]).toBe(`synth failed: invalid configuration; nothing was written to ${out}/`);
      expect(lines.slice(1).some((l) => expected.test(l))).toBe(true);
      for (const l of lines.slice(1)) {
        // one problem per line: where, what was received, how to fix it
        expect(l).toMatch(/^ {2}\S.*: .+/);
        expect(l).toMatch(/\(got .*\); |malformed yaml\/json: .*; fix|cannot read the configuration file: .*; /);
      }
      expect(r.stderr).not.toMatch(/^\s+at |Error:|\.ts:\d+/m);
      expect(snapshotDir(out)).toEqual(before);
      expect(fs.readdirSync(dir).filter((f) => f.startsWith('dist.'))).toEqual([]);
    },
  );

  test('a file given as JSON is read like YAML', async () => {
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, JSON.stringify(baseConfigFile()));
    const r = await runMain({ env: { CATALOG_CONFIG: file, CDK8S_OUTDIR: path.join(dir, 'json-dist') } });
    expect(r.status).toBe(0);
    void stringify;
  });
});
