/**
 * `npm run prices` with the files and set-ups a user meets: a whole Bulk API file of a large service, files saved
 * with a byte order mark, prices as numbers, files of another region, a run from another folder, an instance class
 * only the configuration names, us-east-1, a table that cannot be written. Price lists are built here in AWS's
 * documented format with made-up prices.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { stringify } from 'yaml';
import { buildApp, render } from '../lib/app';
import { loadConfig } from '../lib/config/load';
import { PRICE_TABLE, pricesFor, RegionalPriceTable, regionalTableProblems } from '../lib/plan/cost';
import { buildPlan } from '../lib/plan/index';
import { objectsFromFiles } from '../lib/plan/objects';
import { priceListCommands, priceSelectors } from '../lib/plan/price-list';
import { REGIONAL_PRICES_FILE, runPrices } from '../lib/plan/prices-cli';
import { baseConfigFile, PROJECT_DIR, tempDir, withEnvironment } from './helpers';
import {
  bulkFile,
  eun1 as supportEun1,
  Item,
  pricesProject,
  runPricesIn,
  SEED_CONFIG,
  SERVICES,
  VERSION,
} from './price-list-support';

/** Every product here is in eu-north-1 and an AWS Region (the load balancer items need the latter). */
const eun1 = (usagetype: string, extra: Record<string, string> = {}) =>
  supportEun1(usagetype, { locationType: 'AWS Region', ...extra });

const NAT: Item = {
  sku: 'NAT1',
  family: 'NAT Gateway',
  attrs: eun1('EUN1-NatGateway-Hours'),
  usd: ['1.01'],
  unit: 'Hrs',
};
const AURORA = (cls: string, usd: string): Item => ({
  sku: `RDS${cls.replace(/\W/g, '')}`,
  family: 'Database Instance',
  attrs: eun1(`EUN1-InstanceUsage:${cls}`, { databaseEngine: 'Aurora PostgreSQL', instanceType: cls }),
  usd: [usd],
  unit: 'Hrs',
});

const project = pricesProject;
const run = runPricesIn;

/** A configuration file in `dir`: the seed fixture with `patch` merged into its production environment. */
function configWith(dir: string, patch: unknown, extra: unknown[] = []): string {
  const cfg = withEnvironment('prod', patch);
  cfg.environments.push(...extra);
  const file = path.join(dir, 'environments.yaml');
  fs.writeFileSync(file, stringify(cfg));
  return file;
}

describe('npm run prices: what AWS serves', () => {
  test('GIVEN the whole Bulk API file of a service with more products than a call may take arguments (EC2 has hundreds of thousands) WHEN run THEN its price is pinned, no crash', () => {
    const decoys = Array.from({ length: 200_000 }, (_, n) => `"D${n}":{"sku":"D${n}","attributes":{}}`).join(',');
    const text = bulkFile('AmazonEC2', [NAT]).replace('"products":{', `"products":{${decoys},`);
    const dir = project({ 'AmazonEC2.json': text });
    const r = run(dir, ['AmazonEC2.json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.table['eu-north-1'].natGatewayHour?.value).toBe(1.01);
  });

  test.each([
    [
      'UTF-8 with a byte order mark',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(bulkFile('AmazonEC2', [NAT]))]),
    ],
    [
      'UTF-16LE with a byte order mark (Windows PowerShell’s `>`)',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(bulkFile('AmazonEC2', [NAT]), 'utf16le')]),
    ],
  ])('GIVEN a price list file saved as %s WHEN run THEN it is read like any other', (_, bytes) => {
    const dir = project({ 'AmazonEC2.json': bytes });
    const r = run(dir, ['AmazonEC2.json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.table['eu-north-1'].natGatewayHour?.value).toBe(1.01);
  });

  test('GIVEN prices written as JSON numbers instead of strings WHEN run THEN they are read as prices', () => {
    const dir = project({ 'AmazonEC2.json': bulkFile('AmazonEC2', [{ ...NAT, usd: [1.01] }]) });
    const r = run(dir, ['AmazonEC2.json']);
    expect(r.err).toBe('');
    expect(r.table['eu-north-1'].natGatewayHour?.value).toBe(1.01);
  });

  test('GIVEN files of another region, or products without a regionCode WHEN run THEN exit 1 names what the files hold and nothing is written', () => {
    const west = { ...NAT, attrs: { ...NAT.attrs, regionCode: 'eu-west-1', usagetype: 'EU-NatGateway-Hours' } };
    const noRegion = Object.fromEntries(Object.entries(NAT.attrs).filter(([k]) => k !== 'regionCode'));
    const dir = project({
      'west.json': bulkFile('AmazonEC2', [west]),
      'old.json': bulkFile('AmazonEC2', [{ ...NAT, attrs: noRegion }]),
    });
    const r = run(dir, ['west.json']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'eu-north-1: the files hold no price of eu-north-1 the plan uses (their products are of eu-west-1); give its price list files',
    );
    expect(r.table).toEqual({});
    const old = run(dir, ['old.json']);
    expect(old.code).toBe(1);
    expect(old.err).toContain(
      'eu-north-1: the files hold no price of eu-north-1 the plan uses (1 product has no regionCode attribute); give its price list files',
    );
    expect(old.table).toEqual({});
  });
});

describe('npm run prices --commands', () => {
  test('GIVEN an AWS CLI whose configured output is table, text or yaml WHEN the printed query is run THEN it still writes JSON', () => {
    const queries = priceListCommands('eu-north-1', priceSelectors(['db.t3.medium'])).filter((l) =>
      l.includes('aws pricing get-products'),
    );
    expect(queries).toHaveLength(6);
    for (const q of queries)
      expect(q).toMatch(/aws pricing get-products --region us-east-1 --output json --service-code /);
  });
});

describe('npm run prices: what a file must say about itself', () => {
  test('GIVEN a Bulk API file without its version and publication date, or a get-products product without them WHEN run THEN exit 2 names the file and nothing is written', () => {
    const bulk = JSON.parse(bulkFile('AmazonEC2', [NAT]));
    delete bulk.version;
    delete bulk.publicationDate;
    const query = {
      FormatVersion: 'aws_v1',
      PriceList: [JSON.stringify({ product: bulk.products.NAT1, serviceCode: 'AmazonEC2', terms: bulk.terms })],
    };
    const dir = project({ 'bulk.json': JSON.stringify(bulk), 'query.json': JSON.stringify(query) });
    const r = run(dir, ['bulk.json']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      "prices failed: bulk.json: has no version and publication date (got version '', publicationDate ''); " +
        'the prices would not be pinned to a file version: give the file as AWS serves it\n',
    );
    expect(r.table).toEqual({});
    const q = run(dir, ['query.json']);
    expect(q.code).toBe(2);
    expect(q.err).toMatch(/^prices failed: query\.json: PriceList\[0\] has no version and publication date/);
    expect(q.table).toEqual({});
  });
});

describe('npm run prices: one page of get-products', () => {
  test('GIVEN get-products output that is one page of the answer (NextToken: run with --no-paginate or --max-items) WHEN run THEN exit 2 says to run the query whole', () => {
    const bulk = JSON.parse(bulkFile('AmazonEC2', [NAT]));
    const entry = { product: bulk.products.NAT1, serviceCode: 'AmazonEC2', terms: bulk.terms, version: VERSION };
    const page = {
      FormatVersion: 'aws_v1',
      PriceList: [JSON.stringify({ ...entry, publicationDate: '2026-11-20T09:30:00Z' })],
      NextToken: 'eyJuZXh0IjoxMDB9',
    };
    const dir = project({ 'AmazonEC2.json': JSON.stringify(page) });
    const r = run(dir, ['AmazonEC2.json']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'prices failed: AmazonEC2.json: is one page of get-products output (it has a NextToken); run the query ' +
        'without --no-paginate or --max-items, so the AWS CLI fetches every page\n',
    );
    expect(r.table).toEqual({});
  });
});

describe('npm run prices: the table it writes', () => {
  test('GIVEN a product whose SKU would not make a valid source WHEN run THEN exit 1 names the entry and nothing is written', () => {
    const dir = project({ 'AmazonEC2.json': bulkFile('AmazonEC2', [{ ...NAT, sku: 'NAT 1' }]) });
    const r = run(dir, ['AmazonEC2.json']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^prices failed, lib\/plan\/regional-prices\.json not changed:\n {2}eu-north-1\.natGatewayHour\.source: '.+ SKU NAT 1 \(USD per Hrs\)' is neither a public URL nor a repository file at a commit \(from the files\)\n$/,
    );
    expect(r.table).toEqual({});
  });

  test('GIVEN prices written by the command WHEN the table is checked like the live one THEN it has no problem', () => {
    const dir = project({ 'AmazonEC2.json': bulkFile('AmazonEC2', [NAT]) });
    const r = run(dir, ['AmazonEC2.json']);
    expect(r.code).toBe(0);
    expect(regionalTableProblems(r.table)).toEqual([]);
    // the checks still catch what the plan cannot use
    const nat = r.table['eu-north-1'].natGatewayHour!;
    const broken = {
      'eu-north-1': {
        natGatewayHour: { ...nat, value: '1.01' },
        albHour: { ...nat, source: 'AWS price list' },
        albLcuHour: { ...nat, taken: '2026-02-30' },
        natGatewayHours: nat,
        auroraInstanceHour: { 'db.r6g.large': { ...nat, value: 0 } },
      },
    };
    expect(regionalTableProblems(broken as unknown as RegionalPriceTable)).toEqual([
      "eu-north-1.natGatewayHour.value: '1.01' is not a positive number",
      "eu-north-1.albHour.source: 'AWS price list' is neither a public URL nor a repository file at a commit",
      "eu-north-1.albLcuHour.taken: '2026-02-30' is not a calendar date (YYYY-MM-DD)",
      expect.stringMatching(/^eu-north-1\.natGatewayHours: not a price item \(natGatewayHour, /),
      'eu-north-1.auroraInstanceHour.db.r6g.large.value: 0 is not a positive number',
    ]);
  });

  test('GIVEN a hand-edited table with a price that is not a number WHEN run THEN exit 2 names the entry and nothing is written', () => {
    const table = {
      'eu-north-1': { albHour: { value: '0.02', source: 'https://example.org/alb', taken: '2026-01-01' } },
    };
    const dir = project({ 'AmazonEC2.json': bulkFile('AmazonEC2', [NAT]) }, table as unknown as RegionalPriceTable);
    const r = run(dir, ['AmazonEC2.json']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `prices failed: ${REGIONAL_PRICES_FILE}: eu-north-1.albHour.value: '0.02' is not a positive number; fix it or restore the file from git\n`,
    );
    expect(r.table).toEqual(table);
  });

  test('GIVEN an Aurora instance class only the configuration names WHEN its price is pinned THEN the plan prices the instances with it', () => {
    const dir = project({ 'AmazonRDS.json': bulkFile('AmazonRDS', [AURORA('db.r6g.large', '1.05')]) });
    const config = configWith(dir, { database: { instanceClass: 'db.r6g.large' } });
    const r = run(dir, ['AmazonRDS.json'], config);
    expect(r.code).toBe(0);
    expect(r.table['eu-north-1'].auroraInstanceHour?.['db.r6g.large']?.value).toBe(1.05);
    expect(PRICE_TABLE.regions['us-east-1'].auroraInstanceHour['db.r6g.large']).toBeUndefined();
    expect(pricesFor('eu-north-1', r.table).prices.auroraInstanceHour['db.r6g.large']).toBe(1.05);

    const cfg = loadConfig({ env: { CATALOG_CONFIG: config }, cwd: dir });
    const objects = objectsFromFiles(new Map(render(buildApp(cfg)).map((f) => [f.file, f.text])));
    const prod = buildPlan('HEAD', [], objects, r.table).cost.find((c) => c.scope === 'prod')!;
    expect(prod.unpriced).toEqual([]);
    const instances = prod.items.filter((i) => i.label.startsWith('Aurora db.r6g.large'));
    expect(instances.length).toBeGreaterThan(0);
    for (const i of instances) expect(i.after!.max).toBeCloseTo(1.05 * PRICE_TABLE.hoursPerMonth, 2);
  });

  test('GIVEN a write that fails WHEN run THEN exit 2 with one line naming the table, which is unchanged', () => {
    const dir = project({ 'AmazonEC2.json': bulkFile('AmazonEC2', [NAT]) });
    // the temporary file's name taken by a folder: the write fails as on a full disk or read-only checkout
    fs.mkdirSync(path.join(dir, `${REGIONAL_PRICES_FILE}.${process.pid}.tmp`));
    const r = run(dir, ['AmazonEC2.json']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^prices failed: lib\/plan\/regional-prices\.json: cannot be written \(EISDIR[^)]*\); .+\n$/);
    expect(r.table).toEqual({});
  });
});

describe('npm run prices: us-east-1', () => {
  test('GIVEN --region us-east-1 WHEN run THEN exit 2: its prices are the fallback table in lib/plan/cost.ts, not this one', () => {
    const dir = project({ 'AmazonEC2.json': bulkFile('AmazonEC2', [NAT]) });
    const r = run(dir, ['--region', 'us-east-1', 'AmazonEC2.json']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      "prices failed: --region us-east-1: us-east-1's prices are PRICE_TABLE in lib/plan/cost.ts, the rates every " +
        'other region falls back to, and the plan never reads them from lib/plan/regional-prices.json; give another ' +
        'region\n',
    );
    expect(r.table).toEqual({});
  });

  test('GIVEN a configuration with environments in us-east-1 and eu-north-1 WHEN run THEN eu-north-1 is pinned and us-east-1 is named as skipped', () => {
    const dir = project({ 'AmazonEC2.json': bulkFile('AmazonEC2', [NAT]) });
    const east = {
      ...baseConfigFile().environments.find((e: { suffix: string }) => e.suffix === 'prod'),
      suffix: 'east',
      region: 'us-east-1',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      deployRoleArn: 'arn:aws:iam::123456789012:role/catalog-api-deployer-east',
    };
    const config = configWith(dir, {}, [east]);
    const r = run(dir, ['AmazonEC2.json'], config);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(Object.keys(r.table)).toEqual(['eu-north-1']);
    expect(r.out).toContain('us-east-1: skipped: its prices are PRICE_TABLE in lib/plan/cost.ts');
    const commands = run(dir, ['--commands'], config);
    expect(commands.out).not.toContain('/current/us-east-1/');
    expect(commands.out).toContain('# us-east-1: skipped: its prices are PRICE_TABLE in lib/plan/cost.ts');
  });
});

describe('npm run prices: two regions', () => {
  test('GIVEN a configuration with environments in eu-north-1 and eu-west-1 and files of eu-north-1 only WHEN run THEN exit 1 says how to pin eu-north-1 alone, which then works', () => {
    const dir = project({ 'AmazonEC2.json': bulkFile('AmazonEC2', [NAT]) });
    const west = {
      ...baseConfigFile().environments.find((e: { suffix: string }) => e.suffix === 'prod'),
      suffix: 'west',
      region: 'eu-west-1',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      deployRoleArn: 'arn:aws:iam::123456789012:role/catalog-api-deployer-west',
    };
    const config = configWith(dir, {}, [west]);
    const r = run(dir, ['AmazonEC2.json'], config);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'prices failed, lib/plan/regional-prices.json not changed:\n' +
        '  eu-west-1: the files hold no price of eu-west-1 the plan uses (their products are of eu-north-1); give its ' +
        'price list files (npm run prices -- --region eu-west-1 --commands), or pin one region at a time with ' +
        '--region <region>\n',
    );
    expect(r.table).toEqual({});
    const one = run(dir, ['--region', 'eu-north-1', 'AmazonEC2.json'], config);
    expect(one.code).toBe(0);
    expect(Object.keys(one.table)).toEqual(['eu-north-1']);
  });
});

describe('npm run prices: from another folder', () => {
  test('GIVEN a relative CATALOG_CONFIG and files in the folder npm was run in WHEN run THEN the configuration resolves as in every script and the files where the user is', () => {
    const project = tempDir('catalog-prices-project-');
    const here = tempDir('catalog-prices-here-');
    fs.mkdirSync(path.join(project, 'lib', 'plan'), { recursive: true });
    fs.writeFileSync(path.join(project, REGIONAL_PRICES_FILE), '{}\n');
    fs.copyFileSync(SEED_CONFIG, path.join(project, 'seed.yaml'));
    fs.writeFileSync(path.join(here, 'AmazonECS.json'), bulkFile('AmazonECS', SERVICES.AmazonECS));
    let err = '';
    const code = runPrices({
      argv: ['AmazonECS.json'],
      env: { CATALOG_CONFIG: 'seed.yaml' },
      cwd: project,
      filesDir: here,
      projectDir: project,
      out: () => undefined,
      err: (t) => (err += t),
    });
    expect(err).toBe('');
    expect(code).toBe(0);
    const table = JSON.parse(fs.readFileSync(path.join(project, REGIONAL_PRICES_FILE), 'utf8'));
    expect(Object.keys(table['eu-north-1']).sort()).toEqual(['fargateGbHour', 'fargateVcpuHour']);
  });

  test('GIVEN npm run from a folder outside the project with a file named relative to it WHEN run THEN the file is read from that folder', () => {
    const here = tempDir('catalog-prices-cwd-');
    // not a price list: the command stops before writing anything, after it has found and read the file
    fs.writeFileSync(path.join(here, 'AmazonEC2.json'), '[]');
    const r = spawnSync('npm', ['--prefix', PROJECT_DIR, 'run', '-s', 'prices', '--', 'AmazonEC2.json'], {
      cwd: here,
      encoding: 'utf8',
      env: { ...process.env, CATALOG_CONFIG: SEED_CONFIG },
    });
    expect(r.stderr).toBe(
      'prices failed: AmazonEC2.json: is neither a service price list file (offerCode, products, terms) nor ' +
        'get-products output (PriceList); see `npm run prices -- --commands` for how to get one\n',
    );
    expect(r.status).toBe(2);
  });
});
