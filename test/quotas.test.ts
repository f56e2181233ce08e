import * as path from 'node:path';
import { DEFAULT_QUOTAS, quotaWarnings } from '../lib/config/quotas';
import { baseConfigFile, loadFrom, tempDir } from './helpers';
import { runMain, snapshotDir, writeConfig } from './process';

const previews = (n: number, extra: object = {}) =>
  Array.from({ length: n }, (_, i) => ({ suffix: `pr${i + 1}`, profile: 'preview', ...extra }));

/** The base configuration file with exactly these environments. */
function configWith(environments: object[]): any {
  const cfg = baseConfigFile();
  cfg.environments = environments;
  return cfg;
}

describe('quotaWarnings', () => {
  test('GIVEN the AWS default quotas THEN each is 5 and names its Service Quotas code', () => {
    expect(DEFAULT_QUOTAS.map((q) => [q.name, q.service, q.code, q.defaultValue])).toEqual([
      ['VPCs per Region', 'vpc', 'L-F678F1CE', 5],
      ['Internet gateways per Region', 'vpc', 'L-A4707A72', 5],
      ['EC2-VPC Elastic IPs', 'ec2', 'L-0263D0A3', 5],
      ['NAT gateways per Availability Zone', 'vpc', 'L-FE5A380F', 5],
    ]);
  });

  test('GIVEN 5 single-NAT previews in one account and region THEN nothing is said', () => {
    expect(quotaWarnings(loadFrom(configWith(previews(5))).environments)).toEqual([]);
  });

  test('GIVEN 6 single-NAT previews THEN every exceeded quota, its code and how many fit are named', () => {
    const lines = quotaWarnings(loadFrom(configWith(previews(6))).environments);
    const at = 'warning: account 123456789012 eu-north-1';
    expect(lines).toEqual([
      `${at}: the 6 environments there need 6 VPCs, over the default quota of 5; raise "VPCs per Region" (Service Quotas service vpc, code L-F678F1CE) to at least 6`,
      `${at}: the 6 environments there need 6 internet gateways, over the default quota of 5; raise "Internet gateways per Region" (Service Quotas service vpc, code L-A4707A72) to at least 6`,
      `${at}: the 6 environments there need 6 Elastic IPs, over the default quota of 5; raise "EC2-VPC Elastic IPs" (Service Quotas service ec2, code L-0263D0A3) to at least 6`,
      'warning: account 123456789012 zone eu-north-1a: the 6 environments there need 6 NAT gateways, over the default quota of 5; raise "NAT gateways per Availability Zone" (Service Quotas service vpc, code L-FE5A380F) to at least 6',
      `${at}: 5 of its 6 environments (pr1, pr2, pr3, pr4, pr5, pr6) fit the default quotas, counted in configuration order; a default VPC still present in the region takes one VPC and one internet gateway more`,
    ]);
  });

  test('GIVEN a per-AZ production environment and previews THEN NAT Elastic IPs are counted per zone', () => {
    // production: 2 zones → 2 NAT gateways and 2 Elastic IPs; 4 previews → 4 more: 6 Elastic IPs, 5 VPCs
    const envs = loadFrom(
      configWith([
        { suffix: 'prod', profile: 'production', deployRoleArn: 'arn:aws:iam::123456789012:role/deployer' },
        ...previews(4),
      ]),
    ).environments;
    const lines = quotaWarnings(envs);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/need 6 Elastic IPs, over the default quota of 5; raise "EC2-VPC Elastic IPs"/);
    expect(lines[1]).toMatch(/: 4 of its 5 environments \(prod, pr1, pr2, pr3, pr4\) fit the default quotas/);
  });

  test('GIVEN environments spread over regions and accounts THEN each account and region is counted apart', () => {
    const envs = loadFrom(
      configWith([
        ...previews(5),
        ...previews(5).map((e) => ({
          ...e,
          suffix: `w${e.suffix}`,
          region: 'eu-west-1',
          availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        })),
        ...previews(5).map((e) => ({ ...e, suffix: `o${e.suffix}`, accountId: '210987654321' })),
      ]),
    ).environments;
    expect(quotaWarnings(envs)).toEqual([]);
  });
});

describe('synth entry point with more environments than the default quotas', () => {
  test('GIVEN 6 previews in one account and region WHEN synthesized THEN it warns on stderr and still writes dist/', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'dist');
    const file = writeConfig(dir, 'config.yaml', configWith(previews(6)));
    const r = await runMain({ env: { CATALOG_CONFIG: file, CDK8S_OUTDIR: out } });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^warning: account 123456789012 eu-north-1: the 6 environments there need 6 VPCs/m);
    expect(r.stderr).toMatch(/^warning: .*: 5 of its 6 environments .* fit the default quotas/m);
    expect(Object.keys(snapshotDir(out))).toEqual(expect.arrayContaining(['environments/pr6/network.k8s.yaml']));
  });
});
