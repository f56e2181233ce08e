/**
 * AWS Price List files for the `npm run prices` tests, built in AWS's documented format (Bulk API service files and
 * `aws pricing get-products` answers) with made-up prices: 1.xx for what each item must pick, 9.xx for decoys a
 * careless match would take (another region, ARM Fargate, Infrequent Access logs, high-resolution alarms, Aurora
 * MySQL, a second S3 tier, reserved terms).
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { RegionalPriceTable } from '../lib/plan/cost';
import { REGIONAL_PRICES_FILE, runPrices } from '../lib/plan/prices-cli';
import { FIXTURES_DIR, tempDir } from './helpers';

export interface Item {
  readonly sku: string;
  readonly family?: string;
  readonly attrs: Record<string, string>;
  /** First tier, then further tiers (beginRange 51200, …). */
  readonly usd: readonly (string | number)[];
  readonly unit: string;
  readonly reserved?: string;
}

export const VERSION = '20261120093000';
export const PUBLISHED = '2026-11-20T09:30:00Z';

const dims = (i: Item) =>
  Object.fromEntries(
    i.usd.map((usd, n) => [
      `${i.sku}.JRTCKXETXF.${n}`,
      {
        rateCode: `${i.sku}.JRTCKXETXF.${n}`,
        description: `made-up price ${n}`,
        beginRange: n === 0 ? '0' : String(51200 * n),
        endRange: n === i.usd.length - 1 ? 'Inf' : String(51200 * (n + 1)),
        unit: i.unit,
        pricePerUnit: { USD: usd },
        appliesTo: [],
      },
    ]),
  );

const onDemand = (i: Item) => ({
  [`${i.sku}.JRTCKXETXF`]: {
    offerTermCode: 'JRTCKXETXF',
    sku: i.sku,
    effectiveDate: '2026-11-01T00:00:00Z',
    priceDimensions: dims(i),
    termAttributes: {},
  },
});

const product = (code: string, i: Item) => ({
  sku: i.sku,
  ...(i.family ? { productFamily: i.family } : {}),
  attributes: { servicecode: code, ...i.attrs },
});

/** A service price list file of the Bulk API. */
export function bulkFile(code: string, items: readonly Item[], version = VERSION, published = PUBLISHED): string {
  return JSON.stringify({
    formatVersion: 'v1.0',
    disclaimer: 'made up for tests',
    offerCode: code,
    version,
    publicationDate: published,
    products: Object.fromEntries(items.map((i) => [i.sku, product(code, i)])),
    terms: {
      OnDemand: Object.fromEntries(items.map((i) => [i.sku, onDemand(i)])),
      Reserved: Object.fromEntries(
        items
          .filter((i) => i.reserved)
          .map((i) => [i.sku, { [`${i.sku}.4NA7Y494T4`]: { priceDimensions: dims({ ...i, usd: [i.reserved!] }) } }]),
      ),
    },
  });
}

/** `aws pricing get-products` output: one JSON string per product. */
export function queryAnswer(code: string, items: readonly Item[]): string {
  return JSON.stringify({
    FormatVersion: 'aws_v1',
    PriceList: items.map((i) =>
      JSON.stringify({
        product: product(code, i),
        serviceCode: code,
        terms: { OnDemand: onDemand(i) },
        version: VERSION,
        publicationDate: PUBLISHED,
      }),
    ),
  });
}

export const eun1 = (usagetype: string, extra: Record<string, string> = {}) => ({
  regionCode: 'eu-north-1',
  location: 'EU (Stockholm)',
  usagetype,
  ...extra,
});
const apg = { databaseEngine: 'Aurora PostgreSQL' };

/** Every price the plan uses for eu-north-1, with decoys; made-up values. */
export const SERVICES: Record<string, Item[]> = {
  AmazonEC2: [
    { sku: 'NAT1', family: 'NAT Gateway', attrs: eun1('EUN1-NatGateway-Hours'), usd: ['1.01'], unit: 'Hrs' },
    { sku: 'NAT2', family: 'NAT Gateway', attrs: eun1('EUN1-NatGateway-Bytes'), usd: ['9.01'], unit: 'GB' },
    {
      sku: 'NAT3',
      family: 'NAT Gateway',
      attrs: { ...eun1('EU-NatGateway-Hours'), regionCode: 'eu-west-1' },
      usd: ['9.02'],
      unit: 'Hrs',
    },
  ],
  AmazonECS: [
    { sku: 'FCPU', family: 'Compute', attrs: eun1('EUN1-Fargate-vCPU-Hours:perCPU'), usd: ['1.02'], unit: 'hours' },
    { sku: 'FGB', family: 'Compute', attrs: eun1('EUN1-Fargate-GB-Hours'), usd: ['1.03'], unit: 'GB-Hours' },
    {
      sku: 'FARM',
      family: 'Compute',
      attrs: eun1('EUN1-Fargate-ARM-vCPU-Hours:perCPU'),
      usd: ['9.03'],
      unit: 'hours',
    },
    {
      sku: 'FSPOT',
      family: 'Compute',
      attrs: eun1('EUN1-SpotUsage-Fargate-vCPU-Hours:perCPU'),
      usd: ['9.04'],
      unit: 'hours',
    },
  ],
  AmazonRDS: [
    {
      sku: 'T3M',
      family: 'Database Instance',
      attrs: eun1('EUN1-InstanceUsage:db.t3.medium', { ...apg, instanceType: 'db.t3.medium' }),
      usd: ['1.04'],
      unit: 'Hrs',
      reserved: '9.05',
    },
    {
      sku: 'T3MMY',
      family: 'Database Instance',
      attrs: eun1('EUN1-InstanceUsage:db.t3.medium', { databaseEngine: 'Aurora MySQL', instanceType: 'db.t3.medium' }),
      usd: ['9.06'],
      unit: 'Hrs',
    },
    {
      sku: 'T3MIO',
      family: 'Database Instance',
      attrs: eun1('EUN1-InstanceUsageIOOptimized:db.t3.medium', { ...apg, instanceType: 'db.t3.medium' }),
      usd: ['9.07'],
      unit: 'Hrs',
    },
    {
      sku: 'R6G',
      family: 'Database Instance',
      attrs: eun1('EUN1-InstanceUsage:db.r6g.large', { ...apg, instanceType: 'db.r6g.large' }),
      usd: ['1.05'],
      unit: 'Hrs',
    },
    {
      sku: 'ACU',
      family: 'ServerlessV2',
      attrs: eun1('EUN1-Aurora:ServerlessV2Usage', apg),
      usd: ['1.06'],
      unit: 'ACU-Hr',
    },
    {
      sku: 'STO',
      family: 'Database Storage',
      attrs: eun1('EUN1-Aurora:StorageUsage', apg),
      usd: ['1.07'],
      unit: 'GB-Mo',
    },
  ],
  AWSELB: [
    {
      sku: 'ALB',
      family: 'Load Balancer-Application',
      attrs: eun1('EUN1-LoadBalancerUsage', { locationType: 'AWS Region' }),
      usd: ['1.08'],
      unit: 'Hrs',
    },
    {
      sku: 'LCU',
      family: 'Load Balancer-Application',
      attrs: eun1('EUN1-LCUUsage', { locationType: 'AWS Region' }),
      usd: ['1.09'],
      unit: 'LCU-Hrs',
    },
    {
      sku: 'NLB',
      family: 'Load Balancer-Network',
      attrs: eun1('EUN1-LoadBalancerUsage', { locationType: 'AWS Region' }),
      usd: ['9.08'],
      unit: 'Hrs',
    },
    {
      sku: 'ALBOUT',
      family: 'Load Balancer-Application',
      attrs: eun1('EUN1-Outposts-LoadBalancerUsage', { locationType: 'AWS Outposts' }),
      usd: ['9.09'],
      unit: 'Hrs',
    },
  ],
  AmazonCloudWatch: [
    {
      sku: 'ALM',
      family: 'Alarm',
      attrs: eun1('EUN1-CW:AlarmMonitorUsage', { alarmType: 'Standard' }),
      usd: ['1.10'],
      unit: 'Alarms',
    },
    {
      sku: 'ALMHR',
      family: 'Alarm',
      attrs: eun1('EUN1-CW:HighResAlarmMonitorUsage', { alarmType: 'High Resolution' }),
      usd: ['9.10'],
      unit: 'Alarms',
    },
    { sku: 'ING', family: 'Data Payload', attrs: eun1('EUN1-DataProcessing-Bytes'), usd: ['1.11'], unit: 'GB' },
    { sku: 'INGIA', family: 'Data Payload', attrs: eun1('EUN1-DataProcessingIA-Bytes'), usd: ['9.11'], unit: 'GB' },
    { sku: 'LST', family: 'Storage Snapshot', attrs: eun1('EUN1-TimedStorage-ByteHrs'), usd: ['1.12'], unit: 'GB-Mo' },
  ],
  AmazonS3: [
    {
      sku: 'S3STD',
      family: 'Storage',
      attrs: eun1('EUN1-TimedStorage-ByteHrs', { volumeType: 'Standard' }),
      usd: ['1.13', '9.12', '9.13'],
      unit: 'GB-Mo',
    },
    {
      sku: 'S3IA',
      family: 'Storage',
      attrs: eun1('EUN1-TimedStorage-SIA-ByteHrs', { volumeType: 'Standard - Infrequent Access' }),
      usd: ['9.14'],
      unit: 'GB-Mo',
    },
  ],
};

/** What each selector must pick from SERVICES. */
export const EXPECTED: Record<string, number> = {
  natGatewayHour: 1.01,
  fargateVcpuHour: 1.02,
  fargateGbHour: 1.03,
  'auroraInstanceHour:db.t3.medium': 1.04,
  'auroraInstanceHour:db.r6g.large': 1.05,
  auroraServerlessAcuHour: 1.06,
  auroraStorageGbMonth: 1.07,
  albHour: 1.08,
  albLcuHour: 1.09,
  alarmMonth: 1.1,
  logsIngestGb: 1.11,
  logsStoreGbMonth: 1.12,
  s3GbMonth: 1.13,
};

/** The seed fixture configuration: eu-north-1, db.t3.medium. */
export const SEED_CONFIG = path.join(FIXTURES_DIR, 'seed.yaml');

/** A project folder holding `table` as `lib/plan/regional-prices.json` and the given files. */
export function pricesProject(files: Record<string, string | Buffer> = {}, table: RegionalPriceTable = {}): string {
  const dir = tempDir('catalog-prices-');
  fs.mkdirSync(path.join(dir, 'lib', 'plan'), { recursive: true });
  fs.writeFileSync(path.join(dir, REGIONAL_PRICES_FILE), `${JSON.stringify(table, null, 2)}\n`);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

/** `npm run prices` in-process in `dir` (files and configuration relative to it): exit code, output, the table after. */
export function runPricesIn(dir: string, argv: string[], config = SEED_CONFIG) {
  let out = '';
  let err = '';
  const code = runPrices({
    argv,
    env: { CATALOG_CONFIG: config },
    cwd: dir,
    projectDir: dir,
    out: (t) => (out += t),
    err: (t) => (err += t),
  });
  const table = JSON.parse(fs.readFileSync(path.join(dir, REGIONAL_PRICES_FILE), 'utf8')) as RegionalPriceTable;
  return { code, out, err, table };
}
