import { ConfigError } from '../lib/config/errors';
import { REGIONS } from '../lib/config/regions';
import { baseConfigFile, find, loadFrom, objectsOf, ofKind, synth } from './helpers';

/**
 * AWS, "Enable access logs for your Application Load Balancer", step 2: the regions available before August 2022
 * and their Elastic Load Balancing log-delivery accounts (commercial partition). Every other region delivers as the
 * service principal.
 */
const DOCUMENTED_ELB_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '127311923021',
  'us-east-2': '033677994240',
  'us-west-1': '027434742980',
  'us-west-2': '797873946194',
  'af-south-1': '098369216593',
  'ap-east-1': '754344448648',
  'ap-southeast-3': '589379963580',
  'ap-south-1': '718504428378',
  'ap-northeast-3': '383597477331',
  'ap-northeast-2': '600734575887',
  'ap-southeast-1': '114774131450',
  'ap-southeast-2': '783225319266',
  'ap-northeast-1': '582318560864',
  'ca-central-1': '985666609251',
  'eu-central-1': '054676820928',
  'eu-west-1': '156460612806',
  'eu-west-2': '652711504416',
  'eu-south-1': '635631232127',
  'eu-west-3': '009996457667',
  'eu-north-1': '897822967062',
  'me-south-1': '076674570225',
  'sa-east-1': '507241528517',
};
const SERVICE_PRINCIPAL = 'logdelivery.elasticloadbalancing.amazonaws.com';

const suffixOf = (region: string) => `r-${region}`;

/** One preview environment per accepted region, each with that region's first two zone letters. */
function everyRegion() {
  const cfg = baseConfigFile();
  cfg.environments = Object.keys(REGIONS).map((region) => ({
    suffix: suffixOf(region),
    profile: 'preview',
    region,
    availabilityZones: [`${region}a`, `${region}b`],
  }));
  return loadFrom(cfg);
}

function loadError(region: string): string {
  const cfg = baseConfigFile();
  cfg.environments = [{ suffix: 'pr1', profile: 'preview', region, availabilityZones: [`${region}a`, `${region}b`] }];
  try {
    loadFrom(cfg);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error(`region ${region} was accepted`);
}

describe('region table', () => {
  test('GIVEN the documented pre-August-2022 regions THEN each is accepted with its documented account', () => {
    for (const [region, account] of Object.entries(DOCUMENTED_ELB_ACCOUNTS)) {
      expect([region, REGIONS[region]?.elbLogAccount]).toEqual([region, account]);
    }
  });

  test('GIVEN a region not in the documented account list THEN it has no account (service principal only)', () => {
    const later = Object.keys(REGIONS).filter((r) => !(r in DOCUMENTED_ELB_ACCOUNTS));
    expect(later.length).toBeGreaterThan(0);
    for (const region of later) {
      expect([region, REGIONS[region].elbLogAccount]).toEqual([region, undefined]);
    }
  });
});

describe('LogBucket in every accepted region', () => {
  const files = synth(everyRegion());

  test.each(Object.keys(REGIONS))(
    'GIVEN an environment in %s WHEN synthesized THEN ELB can deliver its logs',
    (region) => {
      const objects = objectsOf(files, suffixOf(region));
      const [policy] = ofKind(objects, 'BucketPolicy');
      const doc = JSON.parse(policy.spec.forProvider.policy);
      const writers = doc.Statement.filter((s: any) => s.Effect === 'Allow' && s.Action === 's3:PutObject');
      const principals = writers.map((s: any) => s.Principal);
      const account = DOCUMENTED_ELB_ACCOUNTS[region];
      expect(principals).toEqual([
        ...(account ? [{ AWS: `arn:aws:iam::${account}:root` }] : []),
        { Service: SERVICE_PRINCIPAL },
      ]);
      for (const w of writers) {
        expect(w.Resource).toBe(`arn:aws:s3:::alb-logs-${suffixOf(region)}-123456789012/alb/AWSLogs/123456789012/*`);
      }
      // CloudFront's metrics exist only in us-east-1, whatever the environment's region
      expect(find(objects, 'Topic', `alarms-global-${suffixOf(region)}`).spec.forProvider.region).toBe('us-east-1');
      expect(find(objects, 'VPC', `vpc-${suffixOf(region)}`).spec.forProvider.region).toBe(region);
    },
  );
});

describe('region validation', () => {
  test.each([
    ['cn-north-1', /is in the aws-cn \(China\) partition/],
    ['us-gov-west-1', /is in the aws-us-gov \(GovCloud\) partition/],
    ['us-iso-east-1', /is in the aws-iso \(US isolated\) partition/],
    ['eusc-de-east-1', /is in the aws-eusc \(European Sovereign Cloud\) partition/],
    ['xx-made-up-1', /is not an aws region of the commercial partition/],
  ])('GIVEN region %s WHEN loaded THEN it is rejected naming the setting, the value and the fix', (region, why) => {
    const message = loadError(region);
    expect(message).toMatch(new RegExp(`environments\\[pr1\\]\\.region: `));
    expect(message).toMatch(why);
    expect(message).toContain(`(got "${region}")`);
    expect(message).toMatch(/use one of af-south-1, .*us-west-2/);
  });
});

describe('partition of role ARNs', () => {
  test('GIVEN a deploy role in the GovCloud partition WHEN loaded THEN it is rejected', () => {
    const cfg = baseConfigFile();
    cfg.environments = [
      { suffix: 'prod', profile: 'production', deployRoleArn: 'arn:aws-us-gov:iam::123456789012:role/deployer' },
    ];
    expect(() => loadFrom(cfg)).toThrow(/environments\[prod\]\.deployRoleArn: is not an iam role arn/);
  });
});
