/**
 * The AWS regions an environment may use, with what differs per region. Only the commercial partition (`aws`):
 * the ARNs we write (`arn:aws:...`), CloudFront's metrics region (us-east-1) and the log-delivery accounts belong
 * to it; China (`aws-cn`), GovCloud (`aws-us-gov`), the ISO and European Sovereign Cloud partitions are rejected.
 *
 * Sources:
 *   - regions of the `aws` partition: the AWS SDK's partition metadata (aws-sdk-go-base `endpoints`, as
 *     terraform-provider-aws 6.34, which provider-upjet-aws v2.6.0 wraps (Makefile:14), names them);
 *   - `elbLogAccount`: AWS, "Enable access logs for your Application Load Balancer", step 2 "Attach a policy to your
 *     S3 bucket" (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html):
 *     regions available before August 2022 deliver logs from a per-region Elastic Load Balancing account; regions
 *     available as of August 2022 or later have none and deliver as the service principal
 *     `logdelivery.elasticloadbalancing.amazonaws.com`. The same table is terraform-provider-aws's
 *     `aws_elb_service_account` (internal/service/elb/service_account_data_source.go, `accountIDPerRegionMap`).
 */
export interface RegionInfo {
  /** Elastic Load Balancing's log-delivery account, for regions opened before August 2022; else undefined. */
  readonly elbLogAccount?: string;
}

export const REGIONS: Readonly<Record<string, RegionInfo>> = {
  'af-south-1': { elbLogAccount: '098369216593' },
  'ap-east-1': { elbLogAccount: '754344448648' },
  'ap-east-2': {},
  'ap-northeast-1': { elbLogAccount: '582318560864' },
  'ap-northeast-2': { elbLogAccount: '600734575887' },
  'ap-northeast-3': { elbLogAccount: '383597477331' },
  'ap-south-1': { elbLogAccount: '718504428378' },
  'ap-south-2': {},
  'ap-southeast-1': { elbLogAccount: '114774131450' },
  'ap-southeast-2': { elbLogAccount: '783225319266' },
  'ap-southeast-3': { elbLogAccount: '589379963580' },
  'ap-southeast-4': {},
  'ap-southeast-5': {},
  'ap-southeast-6': {},
  'ap-southeast-7': {},
  'ca-central-1': { elbLogAccount: '985666609251' },
  'ca-west-1': {},
  'eu-central-1': { elbLogAccount: '054676820928' },
  'eu-central-2': {},
  'eu-north-1': { elbLogAccount: '897822967062' },
  'eu-south-1': { elbLogAccount: '635631232127' },
  'eu-south-2': {},
  'eu-west-1': { elbLogAccount: '156460612806' },
  'eu-west-2': { elbLogAccount: '652711504416' },
  'eu-west-3': { elbLogAccount: '009996457667' },
  'il-central-1': {},
  'me-central-1': {},
  'me-south-1': { elbLogAccount: '076674570225' },
  'mx-central-1': {},
  'sa-east-1': { elbLogAccount: '507241528517' },
  'us-east-1': { elbLogAccount: '127311923021' },
  'us-east-2': { elbLogAccount: '033677994240' },
  'us-west-1': { elbLogAccount: '027434742980' },
  'us-west-2': { elbLogAccount: '797873946194' },
};

/** Partitions other than `aws`, by region-name prefix, for a precise error. */
export const OTHER_PARTITIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^cn-/, 'aws-cn (China)'],
  [/^us-gov-/, 'aws-us-gov (GovCloud)'],
  [/^us-iso[a-z]*-/, 'aws-iso (US isolated)'],
  [/^eu-iso[a-z]*-/, 'aws-iso-e (EU isolated)'],
  [/^eusc-/, 'aws-eusc (European Sovereign Cloud)'],
];

/** The region's entry; throws for a region configuration validation would have rejected. */
export function regionInfo(region: string): RegionInfo {
  const info = REGIONS[region];
  if (!info) {
    throw new Error(`region '${region}' is not supported; configuration validation should have rejected it`);
  }
  return info;
}
