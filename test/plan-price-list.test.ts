/**
 * `npm run prices`: AWS Price List files (the Bulk API's service files and `aws pricing get-products` output) become
 * the regional prices of the plan's cost estimate, each pinned to its file version and SKU (price lists from
 * ./price-list-support.ts, made-up prices).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildApp, render } from '../lib/app';
import { PRICE_ITEM_NAMES, PRICE_TABLE, RegionalPriceTable } from '../lib/plan/cost';
import { buildPlan } from '../lib/plan/index';
import { objectsFromFiles } from '../lib/plan/objects';
import {
  findPrices,
  mergeRegion,
  PriceListError,
  priceListCommands,
  priceSelectors,
  readPriceList,
} from '../lib/plan/price-list';
import { fixtureConfig, PROJECT_DIR, tempDir } from './helpers';
import {
  bulkFile,
  eun1,
  EXPECTED,
  pricesProject,
  PUBLISHED,
  queryAnswer,
  runPricesIn,
  SERVICES,
  VERSION,
} from './price-list-support';

const allProducts = () =>
  Object.entries(SERVICES).flatMap(([code, items], n) =>
    // half the services as Bulk API files, half as get-products answers
    readPriceList(n % 2 === 0 ? bulkFile(code, items) : queryAnswer(code, items), `${code}.json`),
  );

const selectors = priceSelectors(['db.t3.medium', 'db.r6g.large']);

describe('readPriceList', () => {
  test('GIVEN a Bulk API service file and the same products as get-products output WHEN read THEN both give the same products with their on-demand prices only', () => {
    const items = SERVICES.AmazonRDS;
    const bulk = readPriceList(bulkFile('AmazonRDS', items), 'bulk.json');
    const query = readPriceList(queryAnswer('AmazonRDS', items), 'query.json');
    expect(bulk).toEqual(query);
    const t3 = bulk.find((p) => p.sku === 'T3M')!;
    expect(t3).toMatchObject({
      serviceCode: 'AmazonRDS',
      productFamily: 'Database Instance',
      version: VERSION,
      publicationDate: PUBLISHED,
    });
    // the reserved term's price is not an on-demand price
    expect(t3.prices).toEqual([{ usd: 1.04, unit: 'Hrs', beginRange: '0' }]);
  });

  test('GIVEN text that is not JSON, or JSON of another shape WHEN read THEN the error names the file and what to give', () => {
    expect(() => readPriceList('{"products": ', 'AmazonRDS.json')).toThrow(PriceListError);
    expect(() => readPriceList('{"products": ', 'AmazonRDS.json')).toThrow(/^AmazonRDS\.json: is not JSON \(/);
    expect(() => readPriceList('{"Items": []}', 'x.json')).toThrow(
      /^x\.json: is neither a service price list file .* nor get-products output .*--commands/,
    );
    expect(() => readPriceList('{"PriceList": ["{"]}', 'q.json')).toThrow(
      /^q\.json: PriceList\[0\] is not a JSON document/,
    );
  });
});

describe('findPrices', () => {
  test('GIVEN price lists of every service with decoys WHEN eu-north-1 is priced THEN each item takes its own product, pinned to the file version and SKU', () => {
    const { found, missing, ambiguous } = findPrices('eu-north-1', allProducts(), selectors);
    expect(ambiguous).toEqual([]);
    expect(missing).toEqual([]);
    expect(Object.fromEntries([...found].map(([k, p]) => [k, p.value]))).toEqual(EXPECTED);
    const nat = found.get('natGatewayHour')!;
    expect(nat).toEqual({
      value: 1.01,
      unit: 'Hrs',
      source: `https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/${VERSION}/eu-north-1/index.json SKU NAT1 (USD per Hrs)`,
      taken: '2026-11-20',
    });
    // every regional item but the public IPv4 charge (same everywhere) has a selector
    const items = new Set(selectors.map((s) => s.item));
    expect(Object.keys(PRICE_ITEM_NAMES).filter((k) => !items.has(k as never))).toEqual(['publicIpv4Hour']);
    for (const s of selectors) expect(s.cite).toMatch(/^infracost v0\.10\.45 internal\/resources\/aws\/\w+\.go:\d/);
  });

  test('GIVEN us-east-1 usage types without a region prefix WHEN priced THEN they match; another region’s products never do', () => {
    const usItems = SERVICES.AmazonECS.map((i) => ({
      ...i,
      attrs: { ...i.attrs, regionCode: 'us-east-1', usagetype: i.attrs.usagetype.replace(/^EUN1-/, '') },
    }));
    const us = findPrices('us-east-1', readPriceList(bulkFile('AmazonECS', usItems), 'ecs.json'), selectors);
    expect(us.found.get('fargateVcpuHour')?.value).toBe(1.02);
    expect(us.found.get('fargateGbHour')?.value).toBe(1.03);
    const eu = findPrices('eu-north-1', readPriceList(bulkFile('AmazonECS', usItems), 'ecs.json'), selectors);
    expect(eu.found.size).toBe(0);
    expect(eu.missing.map((s) => s.item)).toContain('fargateVcpuHour');
  });

  test('GIVEN two products of one item with different prices WHEN priced THEN the item is ambiguous and names both SKUs', () => {
    const twice = [
      ...SERVICES.AmazonEC2,
      { sku: 'NAT9', family: 'NAT Gateway', attrs: eun1('EUN1-NatGateway-Hours'), usd: ['1.99'], unit: 'Hrs' },
    ];
    const r = findPrices('eu-north-1', readPriceList(bulkFile('AmazonEC2', twice), 'ec2.json'), selectors);
    expect(r.found.has('natGatewayHour')).toBe(false);
    expect(r.ambiguous).toEqual([
      'NAT gateway hour in eu-north-1: 2 products match with different prices (NAT1 EUN1-NatGateway-Hours $1.01, NAT9 EUN1-NatGateway-Hours $1.99)',
    ]);
  });

  test('GIVEN two versions of a price list WHEN priced THEN the newer version’s price and URL are taken', () => {
    const older = readPriceList(
      bulkFile('AmazonEC2', SERVICES.AmazonEC2, '20250101000000', '2025-01-01T00:00:00Z'),
      'a',
    );
    const newer = SERVICES.AmazonEC2.map((i) => (i.sku === 'NAT1' ? { ...i, usd: ['1.21'] } : i));
    const r = findPrices('eu-north-1', [...older, ...readPriceList(bulkFile('AmazonEC2', newer), 'b')], selectors);
    expect(r.ambiguous).toEqual([]);
    expect(r.found.get('natGatewayHour')).toMatchObject({ value: 1.21, taken: '2026-11-20' });
    expect(r.found.get('natGatewayHour')!.source).toContain(`/AmazonEC2/${VERSION}/eu-north-1/`);
  });
});

describe('mergeRegion', () => {
  const table: RegionalPriceTable = {
    'eu-north-1': {
      publicIpv4Hour: { value: 0.005, source: 'https://example.org/ipv4', taken: '2024-02-01' },
      natGatewayHour: { value: 0.5, source: 'https://example.org/old', taken: '2020-01-01' },
    },
    'ap-south-1': { albHour: { value: 0.7, source: 'https://example.org/alb', taken: '2025-01-01' } },
  };

  test('GIVEN a table and found prices WHEN merged THEN found items replace theirs, others stay, and keys are sorted', () => {
    const { found } = findPrices('eu-north-1', allProducts(), selectors);
    const merged = mergeRegion(table, 'eu-north-1', found);
    expect(Object.keys(merged)).toEqual(['ap-south-1', 'eu-north-1']);
    expect(merged['ap-south-1']).toEqual(table['ap-south-1']);
    const eu = merged['eu-north-1'];
    expect(eu.publicIpv4Hour).toEqual(table['eu-north-1'].publicIpv4Hour);
    expect(eu.natGatewayHour?.value).toBe(1.01);
    expect(eu.auroraInstanceHour).toMatchObject({ 'db.r6g.large': { value: 1.05 }, 'db.t3.medium': { value: 1.04 } });
    const keys = Object.keys(eu);
    expect(keys).toEqual([...keys].sort());
    // the file is written as JSON.stringify(…, 2) and must pass the repository's formatting check unchanged
    const text = `${JSON.stringify(merged, null, 2)}\n`;
    const file = path.join(tempDir('catalog-prices-'), 'regional-prices.json');
    fs.writeFileSync(file, text);
    const check = spawnSync(process.execPath, [require.resolve('prettier/bin/prettier.cjs'), '--check', file], {
      cwd: PROJECT_DIR,
      encoding: 'utf8',
    });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});

describe('npm run prices', () => {
  /** A project folder with the configuration of the seed fixture (eu-north-1, db.t3.medium) and a price table. */
  /** The seed's configuration, every service's price list (EC2's as a get-products answer) and `table`. */
  const project = (table: RegionalPriceTable = {}) =>
    pricesProject(
      Object.fromEntries(
        Object.entries(SERVICES).map(([code, items]) => [
          `${code}.json`,
          code === 'AmazonEC2' ? queryAnswer(code, items) : bulkFile(code, items),
        ]),
      ),
      table,
    );
  const run = (dir: string, argv: string[], env: { CATALOG_CONFIG?: string } = {}) =>
    runPricesIn(dir, argv, env.CATALOG_CONFIG);

  const files = Object.keys(SERVICES).map((code) => `${code}.json`);

  test('GIVEN the price list files of the configured region WHEN run THEN every price is pinned and the plan of an eu-north-1 environment takes none from us-east-1', () => {
    const dir = project({
      'eu-north-1': { publicIpv4Hour: { value: 0.005, source: 'https://example.org/ipv4', taken: '2024-02-01' } },
    });
    const r = run(dir, files);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      `eu-north-1: NAT gateway hour: none → $1.01 per Hrs (https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/${VERSION}/eu-north-1/index.json SKU NAT1 (USD per Hrs), 2026-11-20)`,
    );
    expect(r.out).toMatch(/wrote lib\/plan\/regional-prices\.json; review the diff and commit it\n$/);
    const eu = r.table['eu-north-1'];
    expect(eu.natGatewayHour?.value).toBe(1.01);
    expect(eu.auroraInstanceHour?.['db.t3.medium']?.value).toBe(1.04);
    // the seed's database class is priced; a class nobody configures is not written
    expect(Object.keys(eu.auroraInstanceHour ?? {})).toEqual(['db.t3.medium']);

    const seed = objectsFromFiles(new Map(render(buildApp(fixtureConfig('seed'))).map((f) => [f.file, f.text])));
    const plan = buildPlan('HEAD', [], seed, r.table);
    const prod = plan.cost.find((c) => c.scope === 'prod')!;
    expect(prod.fallbackPrices).toEqual({});
    const nat = prod.items.find((i) => i.label.startsWith('NAT gateway'))!.after!;
    expect(nat.max).toBeCloseTo(1.01 * PRICE_TABLE.hoursPerMonth, 2);

    // a second run with the same files changes nothing
    const again = run(dir, files);
    expect(again.code).toBe(0);
    expect(again.table).toEqual(r.table);
    expect(again.out).toContain('NAT gateway hour: $1.01 → $1.01');
  });

  test('GIVEN only some services’ files WHEN run THEN the found prices are written and the rest are named as left as they were', () => {
    const dir = project();
    const r = run(dir, ['AmazonECS.json']);
    expect(r.code).toBe(0);
    expect(Object.keys(r.table['eu-north-1']).sort()).toEqual(['fargateGbHour', 'fargateVcpuHour']);
    expect(r.out).toContain(
      'eu-north-1: not in the files, left as they were: NAT gateway hour (AmazonEC2), Aurora Serverless v2 ACU hour (AmazonRDS)',
    );
  });

  test('GIVEN --commands WHEN run THEN it prints one download per service for each configured region and writes nothing', () => {
    const dir = project();
    const r = run(dir, ['--commands']);
    expect(r.code).toBe(0);
    expect(r.table).toEqual({});
    for (const code of ['AWSELB', 'AmazonCloudWatch', 'AmazonECS', 'AmazonRDS', 'AmazonS3']) {
      expect(r.out).toContain(
        `curl -fsSLo ${code}-eu-north-1.json https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/${code}/current/eu-north-1/index.json`,
      );
    }
    expect(r.out).toContain(
      "aws pricing get-products --region us-east-1 --output json --service-code AmazonEC2 --filters Type=TERM_MATCH,Field=regionCode,Value='eu-north-1' Type=TERM_MATCH,Field=productFamily,Value='NAT Gateway' > AmazonEC2-eu-north-1.json",
    );
    const other = run(dir, ['--commands', '--region', 'ap-south-1']);
    expect(other.out).toContain('/AmazonRDS/current/ap-south-1/index.json');
    expect(other.out).not.toContain('eu-north-1');
    expect(priceListCommands('eu-north-1', selectors).filter((l) => !l.startsWith(' '))).toHaveLength(6);
  });

  test('GIVEN --help WHEN run THEN the usage with every exit code is printed, exit 0, nothing written', () => {
    const dir = project();
    const r = run(dir, ['--help']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toMatch(
      /^usage: npm run prices -- \[--region <region>\] \(--commands \| <price-list-file>\.\.\.\) \[--help\]\n/,
    );
    expect(r.out).toMatch(/Exit codes: 0 written; 1 when .*; 2 on /s);
    expect(r.table).toEqual({});
  });

  test.each([
    [[], /^prices failed: no price list file given; run with --commands/],
    [['--json'], /^prices failed: unknown argument '--json'; see --help/],
    [['--region'], /^prices failed: --region needs an AWS region, got nothing; e\.g\. --region eu-north-1/],
    [['--region', 'Stockholm', 'x.json'], /^prices failed: --region needs an AWS region, got 'Stockholm'/],
    [['missing.json'], /^prices failed: missing\.json: cannot be read \(ENOENT[^)]*\); check the path/],
    [['lib'], /^prices failed: lib: cannot be read \(EISDIR/],
  ])('GIVEN bad arguments %j WHEN run THEN exit 2, one line, nothing written', (argv, message) => {
    const dir = project();
    const r = run(dir, argv as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.out).toBe('');
    expect(r.table).toEqual({});
  });

  test('GIVEN an ambiguous item or a region the files lack WHEN run THEN exit 1 and the table is not changed', () => {
    const dir = project();
    fs.writeFileSync(
      path.join(dir, 'nat.json'),
      bulkFile('AmazonEC2', [
        ...SERVICES.AmazonEC2,
        { sku: 'NAT9', family: 'NAT Gateway', attrs: eun1('EUN1-NatGateway-Hours'), usd: ['1.99'], unit: 'Hrs' },
      ]),
    );
    const r = run(dir, ['nat.json', 'AmazonECS.json']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'prices failed, lib/plan/regional-prices.json not changed:\n  NAT gateway hour in eu-north-1: 2 products',
    );
    expect(r.table).toEqual({});
    const other = run(dir, ['--region', 'ap-south-1', ...files]);
    expect(other.code).toBe(1);
    expect(other.err).toContain(
      'ap-south-1: the files hold no price of ap-south-1 the plan uses (their products are of eu-north-1, eu-west-1); give its price list files (npm run prices -- --region ap-south-1 --commands)',
    );
    expect(other.table).toEqual({});
    expect(fs.readdirSync(path.join(dir, 'lib', 'plan'))).toEqual(['regional-prices.json']);
  });

  test('GIVEN a configuration with a problem WHEN run THEN exit 2 with the configuration’s own message', () => {
    const dir = project();
    const r = run(dir, files, { CATALOG_CONFIG: path.join(dir, 'nope.yaml') });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^prices failed: the configuration names the regions and instance classes to price:\n.*nope\.yaml/,
    );
    expect(r.table).toEqual({});
  });
});
