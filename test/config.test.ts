import { ConfigError } from '../lib/config/errors';
import { baseConfigFile, loadFrom, seedConfig, withEnvironment } from './helpers';

function errorsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) {
      return [...err.lines];
    }
    throw err;
  }
  throw new Error('expected a ConfigError, but the configuration loaded');
}

describe('configuration defaults', () => {
  test('the preview environment carries every seed value', () => {
    // GIVEN the seed configuration
    const env = seedConfig().environments.find((e) => e.suffix === 'pr5706')!;
    // THEN
    expect(env.region).toBe('eu-north-1');
    expect(env.availabilityZones).toEqual(['eu-north-1a', 'eu-north-1b']);
    expect(env.network).toEqual({
      vpcCidr: '10.0.0.0/16',
      publicSubnetCidrs: ['10.0.1.0/24', '10.0.2.0/24'],
      privateSubnetCidrs: ['10.0.3.0/24', '10.0.4.0/24'],
      natGateways: 'single',
    });
    expect(env.profile).toBe('preview');
  });

  test('production defaults to a NAT gateway per AZ and protected data', () => {
    const env = seedConfig().environments.find((e) => e.suffix === 'prod')!;
    expect(env.network.natGateways).toBe('per-az');
    expect(env.database.deletionProtection).toBe(true);
    expect(env.environmentTag).toBe('production');
  });

  test('ENVIRONMENT_SUFFIX adds a preview environment', () => {
    // WHEN
    const config = seedConfig({ ENVIRONMENT_SUFFIX: 'pr1234' });
    // THEN
    const env = config.environments.find((e) => e.suffix === 'pr1234');
    expect(env?.profile).toBe('preview');
    expect(config.environments.map((e) => e.suffix)).toEqual(['prod', 'pr5706', 'pr1234']);
  });

  test('ENVIRONMENT_SUFFIX naming a configured environment is an error, not a silent no-op', () => {
    expect(() => seedConfig({ ENVIRONMENT_SUFFIX: 'pr5706' })).toThrow(
      /environment: ENVIRONMENT_SUFFIX: names an environment .* already has \(got "pr5706"\)/,
    );
  });

  test('an environment setting overrides the profile and the file defaults', () => {
    const config = loadFrom(withEnvironment('pr5706', { network: { natGateways: 'per-az' } }));
    expect(config.environments.find((e) => e.suffix === 'pr5706')!.network.natGateways).toBe('per-az');
  });
});

const longSuffix = 'p'.repeat(30);
/** [case, config mutation or raw text, env, expected message fragments] */
const ERROR_CASES: Array<[string, unknown, Record<string, string>, RegExp[]]> = [
  [
    'bad vpc cidr',
    withEnvironment('pr5706', { network: { vpcCidr: '10.0.0.0/33' } }),
    {},
    [/environments\[pr5706\]\.network\.vpcCidr: is not an IPv4 CIDR block \(got "10\.0\.0\.0\/33"\); use/],
  ],
  [
    'cidr with host bits',
    withEnvironment('pr5706', { network: { vpcCidr: '10.0.0.1/16' } }),
    {},
    [/vpcCidr: has host bits set.*10\.0\.0\.0/],
  ],
  [
    'vpc prefix too large',
    withEnvironment('pr5706', {
      network: { vpcCidr: '10.0.0.0/8', publicSubnetCidrs: ['10.0.1.0/24', '10.0.2.0/24'] },
    }),
    {},
    [/vpcCidr: has a prefix length outside \/16\.\.\/28/],
  ],
  [
    'subnet outside the vpc',
    withEnvironment('pr5706', { network: { publicSubnetCidrs: ['10.1.1.0/24', '10.0.2.0/24'] } }),
    {},
    [/publicSubnetCidrs\[0\]: is outside the vpc 10\.0\.0\.0\/16 \(got "10\.1\.1\.0\/24"\)/],
  ],
  [
    'overlapping subnets',
    withEnvironment('pr5706', { network: { privateSubnetCidrs: ['10.0.1.0/25', '10.0.4.0/24'] } }),
    {},
    [/privateSubnetCidrs\[0\]: overlaps environments\[pr5706\]\.network\.publicSubnetCidrs\[0\]/],
  ],
  [
    'subnet count differs from AZ count',
    withEnvironment('pr5706', { network: { privateSubnetCidrs: ['10.0.3.0/24'] } }),
    {},
    [/privateSubnetCidrs: has 1 entry for 2 availability zones/],
  ],
  [
    'AZ not in the region',
    withEnvironment('pr5706', { availabilityZones: ['eu-north-1a', 'eu-west-1b'] }),
    {},
    [/availabilityZones\[1\]: is not a zone of region eu-north-1 \(got "eu-west-1b"\)/],
  ],
  [
    'a single AZ',
    withEnvironment('pr5706', {
      availabilityZones: ['eu-north-1a'],
      network: { publicSubnetCidrs: ['10.0.1.0/24'], privateSubnetCidrs: ['10.0.3.0/24'] },
    }),
    {},
    [/availabilityZones: needs at least 2 zones/],
  ],
  [
    'duplicate AZ',
    withEnvironment('pr5706', { availabilityZones: ['eu-north-1a', 'eu-north-1a'] }),
    {},
    [/availabilityZones: lists a zone twice/],
  ],
  [
    'bad region',
    withEnvironment('pr5706', { region: 'europe-north', availabilityZones: ['europe-northa', 'europe-northb'] }),
    {},
    [/region: is not an aws region of the commercial partition \(got "europe-north"\); use one of af-south-1, /],
  ],
  [
    'suffix with upper case',
    withEnvironment('pr5706', { suffix: 'PR5706' }),
    {},
    [/suffix: is not valid in kubernetes and aws names \(got "PR5706"\)/],
  ],
  ['suffix with a double hyphen', withEnvironment('pr5706', { suffix: 'pr--1' }), {}, [/suffix: is not valid/]],
  [
    'suffix too long for the load balancer name',
    withEnvironment('pr5706', { suffix: longSuffix }),
    {},
    [
      new RegExp(`load balancer name 'alb-${longSuffix}' 34 characters long, over the limit of 32`),
      /shorten the suffix by at least 2/,
    ],
  ],
  [
    'suffix too long for the IAM role',
    withEnvironment('pr5706', { suffix: 'q'.repeat(41) }),
    {},
    [/iam role name 'ecs-task-execution-role-q+' 65 characters long, over the limit of 64/],
  ],
  [
    'suffix too long for the S3 bucket',
    withEnvironment('pr5706', { suffix: 'r'.repeat(42) }),
    {},
    [/s3 bucket name 'alb-logs-r+-123456789012' 64 characters long/],
  ],
  [
    'invalid ENVIRONMENT_SUFFIX',
    baseConfigFile(),
    { ENVIRONMENT_SUFFIX: 'Bad_Suffix' },
    [/^environment: ENVIRONMENT_SUFFIX\.suffix: is not valid .*\(got "Bad_Suffix"\)/],
  ],
  [
    'unknown setting',
    withEnvironment('pr5706', { network: { natGateway: 'single' } }),
    {},
    [
      /environments\[pr5706\]\.network\.natGateway: is not a known setting \(got "single"\); did you mean natGateways\? rename it/,
    ],
  ],
  [
    'unknown top-level setting',
    { ...baseConfigFile(), enviroments: [] },
    {},
    [/: enviroments: is not a known setting/],
  ],
  [
    'wrong type',
    withEnvironment('pr5706', { network: { vpcCidr: 10 } }),
    {},
    [/network\.vpcCidr: must be a quoted string, not a number \(got 10\); write it as a quoted string/],
  ],
  [
    'wrong enum',
    withEnvironment('pr5706', { network: { natGateways: 'two' } }),
    {},
    [/natGateways: is not an allowed value \(got "two"\); use one of single, per-az/],
  ],
  [
    'unknown profile',
    withEnvironment('pr5706', { profile: 'staging' }),
    {},
    [/profile: is not an allowed value \(got "staging"\); use one of production, preview/],
  ],
  [
    'account id not 12 digits',
    withEnvironment('pr5706', { accountId: '1234' }),
    {},
    [/accountId: is not a 12-digit aws account id \(got "1234"\)/],
  ],
  [
    'account id as a number',
    withEnvironment('pr5706', { accountId: 123456789012 }),
    {},
    [/accountId: must be a quoted string, not a number/],
  ],
  [
    'production without a deploy role',
    { ...baseConfigFile(), environments: [{ suffix: 'prod', profile: 'production' }] },
    {},
    [/environments\[prod\]\.deployRoleArn: is required for a production environment/],
  ],
  [
    'duplicate suffixes',
    {
      ...baseConfigFile(),
      environments: [
        { suffix: 'a1', profile: 'preview' },
        { suffix: 'a1', profile: 'preview' },
      ],
    },
    {},
    [/environments\[0\] and environments\[1\]: both use suffix \(got "a1"\)/],
  ],
  ['malformed yaml', 'platform: [unclosed\n', {}, [/environments\.yaml:1:20: malformed yaml\/json/]],
  [
    'duplicate yaml key',
    'platform: {}\nplatform: {}\nenvironments: []\n',
    {},
    [/malformed yaml\/json: map keys must be unique/],
  ],
  [
    'unknown CATALOG_ variable',
    baseConfigFile(),
    { CATALOG_CONFG: 'x' },
    [/^environment: CATALOG_CONFG: is not a known variable/],
  ],
  [
    'bad provider role arn',
    { ...baseConfigFile(), platform: { ...baseConfigFile().platform, providerRoleArn: 'crossplane' } },
    {},
    [/platform\.providerRoleArn: is not an iam role arn \(got "crossplane"\)/],
  ],
];

describe('configuration errors', () => {
  test.each(ERROR_CASES)('rejects %s with a message naming setting, value and fix', (_name, content, env, expected) => {
    // WHEN
    const lines = errorsOf(() => loadFrom(content, env));
    // THEN every line is one problem, and the expected ones are there
    for (const re of expected) {
      expect(lines.some((l) => re.test(l))).toBe(true);
    }
    for (const line of lines) {
      expect(line).not.toMatch(/\n|at .*\.ts:\d+/);
    }
  });

  test('reports every problem at once', () => {
    const lines = errorsOf(() => loadFrom(withEnvironment('pr5706', { network: { vpcCidr: 'x' }, accountId: '1' })));
    expect(lines.length).toBeGreaterThanOrEqual(2);
  });
});
