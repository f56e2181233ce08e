/**
 * Reads AWS Price List files and picks the prices of the plan's cost estimate for one region, so that a region's own
 * prices come from AWS's published price list, pinned to the version of the file they were read from.
 *
 * Two inputs, both AWS's own formats:
 * - a service price list file of the Price List Bulk API, JSON (`{ offerCode, version, publicationDate, products,
 *   terms }`), e.g. `https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonRDS/current/eu-north-1/index.json`
 *   (format: https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/reading-service-price-list-file-for-services.html);
 * - the output of the Price List Query API, `aws pricing get-products` (`{ PriceList: [<JSON string>, …] }`, each
 *   string one product with its `serviceCode`, `terms`, `version` and `publicationDate`).
 *
 * Which product is which price follows Infracost v0.10.45, whose AWS prices are read from the same price list: its
 * product filters (service code, product family, attributes, usage type) are cited per item in `priceSelectors`.
 */
import { priceItemName, RegionalItem, RegionalPriceTable, RegionalPrices, SourcedPrice } from './cost';

/** A problem with a price list file or the command line: one line, no stack trace. */
export class PriceListError extends Error {}

/** Where the Price List Bulk API serves its files (no credentials needed). */
export const PRICE_LIST_ENDPOINT = 'https://pricing.us-east-1.amazonaws.com';

/** An item of the regional price table: a `RegionalItem`, or `auroraInstanceHour:<instance class>`. */
export type PriceItem = RegionalItem | `auroraInstanceHour:${string}`;

/** How one price is found in the price list. */
export interface PriceSelector {
  readonly item: PriceItem;
  /** Price List service code, e.g. `AmazonRDS`. */
  readonly serviceCode: string;
  readonly productFamily?: string;
  /** Product attributes that must be equal (an attribute the product lacks counts as `''`). */
  readonly attributes: Readonly<Record<string, string>>;
  /** The usage type without its region prefix (`EUN1-`, `EU-`, none in us-east-1), e.g. `NatGateway-Hours`. */
  readonly usageType: string;
  /** The Infracost v0.10.45 file and lines whose filter this follows. */
  readonly cite: string;
}

/** The Aurora engine of the stack's database (lib/database), as the price list names it. */
const AURORA_POSTGRESQL = 'Aurora PostgreSQL';
const INFRACOST = 'infracost v0.10.45 internal/resources/aws/';

/**
 * The selectors of every price the plan uses that differs by region, with the given Aurora instance classes.
 * The public IPv4 charge is not among them: it is the same in every region and its product is not in Infracost.
 */
export function priceSelectors(instanceClasses: readonly string[]): PriceSelector[] {
  const rds = (item: PriceItem, productFamily: string, usageType: string, cite: string, extra = {}) => ({
    item,
    serviceCode: 'AmazonRDS',
    productFamily,
    attributes: { databaseEngine: AURORA_POSTGRESQL, ...extra },
    usageType,
    cite: INFRACOST + cite,
  });
  const alb = (item: PriceItem, usageType: string, cite: string) => ({
    item,
    serviceCode: 'AWSELB',
    productFamily: 'Load Balancer-Application',
    attributes: { locationType: 'AWS Region' },
    usageType,
    cite: INFRACOST + cite,
  });
  const fixed: PriceSelector[] = [
    {
      item: 'natGatewayHour',
      serviceCode: 'AmazonEC2',
      productFamily: 'NAT Gateway',
      attributes: {},
      usageType: 'NatGateway-Hours',
      cite: `${INFRACOST}nat_gateway.go:46-53`,
    },
    {
      item: 'fargateVcpuHour',
      serviceCode: 'AmazonECS',
      productFamily: 'Compute',
      attributes: {},
      usageType: 'Fargate-vCPU-Hours:perCPU',
      cite: `${INFRACOST}ecs_service.go:62-73`,
    },
    {
      item: 'fargateGbHour',
      serviceCode: 'AmazonECS',
      productFamily: 'Compute',
      attributes: {},
      usageType: 'Fargate-GB-Hours',
      cite: `${INFRACOST}ecs_service.go:47-58`,
    },
    rds('auroraServerlessAcuHour', 'ServerlessV2', 'Aurora:ServerlessV2Usage', 'rds_cluster_instance.go:168-187'),
    rds('auroraStorageGbMonth', 'Database Storage', 'Aurora:StorageUsage', 'rds_cluster.go:67-69, 166-185'),
    alb('albHour', 'LoadBalancerUsage', 'lb.go:110-120'),
    alb('albLcuHour', 'LCUUsage', 'lb.go:155-165'),
    {
      item: 'alarmMonth',
      serviceCode: 'AmazonCloudWatch',
      productFamily: 'Alarm',
      attributes: { alarmType: 'Standard' },
      usageType: 'CW:AlarmMonitorUsage',
      cite: `${INFRACOST}cloudwatch_metric_alarm.go:59-60, 70-79`,
    },
    {
      item: 'logsIngestGb',
      serviceCode: 'AmazonCloudWatch',
      productFamily: 'Data Payload',
      attributes: {},
      usageType: 'DataProcessing-Bytes',
      cite: `${INFRACOST}cloudwatch_log_group.go:61-68`,
    },
    {
      item: 'logsStoreGbMonth',
      serviceCode: 'AmazonCloudWatch',
      productFamily: 'Storage Snapshot',
      attributes: {},
      usageType: 'TimedStorage-ByteHrs',
      cite: `${INFRACOST}cloudwatch_log_group.go:77-84`,
    },
    {
      item: 's3GbMonth',
      serviceCode: 'AmazonS3',
      attributes: { volumeType: 'Standard', operation: '' },
      usageType: 'TimedStorage-ByteHrs',
      cite: `${INFRACOST}s3_standard_storage_class.go:49, s3_storage_class_helpers.go:54-74`,
    },
  ];
  const instances = [...new Set(instanceClasses)].sort().map((cls) =>
    rds(`auroraInstanceHour:${cls}`, 'Database Instance', `InstanceUsage:${cls}`, 'rds_cluster_instance.go:143-159', {
      instanceType: cls,
    }),
  );
  return [...fixed, ...instances];
}

/** One price of one product, as the price list states it. */
export interface PriceListPrice {
  readonly usd: number;
  readonly unit: string;
  /** Lower end of the usage tier; `0` for the first tier. */
  readonly beginRange: string;
}

/** One product of a price list with its on-demand prices. */
export interface PriceListProduct {
  readonly serviceCode: string;
  readonly sku: string;
  readonly productFamily?: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** The price list version, e.g. `20261120161204`. */
  readonly version: string;
  readonly publicationDate: string;
  readonly prices: readonly PriceListPrice[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every tier of the on-demand prices of one product's offer terms (`{ <sku>.<term>: { priceDimensions } }`). */
function onDemandPrices(offerTerms: unknown): PriceListPrice[] {
  const out: PriceListPrice[] = [];
  for (const term of isObject(offerTerms) ? Object.values(offerTerms) : []) {
    if (!isObject(term) || !isObject(term.priceDimensions)) continue;
    for (const d of Object.values(term.priceDimensions)) {
      // AWS writes prices as strings; a file converted by other tools may carry JSON numbers
      const usd = isObject(d) && isObject(d.pricePerUnit) ? d.pricePerUnit.USD : undefined;
      if (!isObject(d) || (typeof usd !== 'string' && typeof usd !== 'number')) continue;
      // the format's description names the tier bounds startingRange; the files carry beginRange
      const begin = d.beginRange ?? d.startingRange ?? '0';
      out.push({ usd: Number(usd), unit: String(d.unit ?? ''), beginRange: String(begin) });
    }
  }
  return out;
}

function product(
  p: unknown,
  serviceCode: string,
  version: string,
  publicationDate: string,
  offerTerms: unknown,
): PriceListProduct | undefined {
  if (!isObject(p) || typeof p.sku !== 'string') return undefined;
  const attributes = isObject(p.attributes)
    ? Object.fromEntries(Object.entries(p.attributes).map(([k, v]) => [k, String(v)]))
    : {};
  return {
    serviceCode,
    sku: p.sku,
    productFamily: typeof p.productFamily === 'string' ? p.productFamily : undefined,
    attributes,
    version,
    publicationDate,
    prices: onDemandPrices(offerTerms),
  };
}

/** Every price is pinned to its file version (in the URL) and dated by its publication date: both must be there. */
function checkVersion(version: string, published: string, subject: string): void {
  if (!/^[\w.-]+$/.test(version) || !/^\d{4}-\d{2}-\d{2}/.test(published)) {
    throw new PriceListError(
      `${subject} has no version and publication date (got version '${version}', publicationDate '${published}'); ` +
        'the prices would not be pinned to a file version: give the file as AWS serves it',
    );
  }
}

/**
 * The products of one price list file's text: a Bulk API service price list file, or `aws pricing get-products`
 * output. Throws `PriceListError` naming the file when the text is neither.
 */
export function readPriceList(text: string, file: string): PriceListProduct[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new PriceListError(`${file}: is not JSON (${(e as Error).message}); give a price list file as AWS serves it`);
  }
  if (isObject(doc) && isObject(doc.products) && typeof doc.offerCode === 'string') {
    const { offerCode } = doc;
    const version = String(doc.version ?? '');
    const published = String(doc.publicationDate ?? '');
    checkVersion(version, published, `${file}:`);
    const onDemand = isObject(doc.terms) && isObject(doc.terms.OnDemand) ? doc.terms.OnDemand : {};
    return Object.entries(doc.products).flatMap(([sku, p]) => {
      const one = product(p, offerCode, version, published, onDemand[sku]);
      return one ? [one] : [];
    });
  }
  if (isObject(doc) && Array.isArray(doc.PriceList)) {
    // the AWS CLI fetches every page unless told not to; a NextToken means products are missing
    if (typeof doc.NextToken === 'string' && doc.NextToken !== '') {
      throw new PriceListError(
        `${file}: is one page of get-products output (it has a NextToken); run the query without --no-paginate ` +
          'or --max-items, so the AWS CLI fetches every page',
      );
    }
    return doc.PriceList.flatMap((entry, i) => {
      let e: unknown = entry;
      if (typeof entry === 'string') {
        try {
          e = JSON.parse(entry);
        } catch {
          throw new PriceListError(`${file}: PriceList[${i}] is not a JSON document; give the output of get-products`);
        }
      }
      if (!isObject(e)) return [];
      checkVersion(String(e.version ?? ''), String(e.publicationDate ?? ''), `${file}: PriceList[${i}]`);
      const terms = isObject(e.terms) ? e.terms.OnDemand : undefined;
      const one = product(
        e.product,
        String(e.serviceCode ?? ''),
        String(e.version ?? ''),
        String(e.publicationDate ?? ''),
        terms,
      );
      return one ? [one] : [];
    });
  }
  throw new PriceListError(
    `${file}: is neither a service price list file (offerCode, products, terms) nor get-products output (PriceList); ` +
      'see `npm run prices -- --commands` for how to get one',
  );
}

/** `EUN1-NatGateway-Hours`, `EU-NatGateway-Hours` and `NatGateway-Hours` are the same usage in their regions. */
function usageTypeMatches(usageType: string | undefined, wanted: string): boolean {
  return usageType !== undefined && /^(?:[A-Z]+[0-9]*-)?(.*)$/.exec(usageType)![1] === wanted;
}

/** The price list's own URL of the file version a product was read from. */
export function priceListUrl(serviceCode: string, version: string, region: string): string {
  return `${PRICE_LIST_ENDPOINT}/offers/v1.0/aws/${serviceCode}/${version}/${region}/index.json`;
}

export interface FoundPrice extends SourcedPrice {
  readonly unit: string;
}

export interface PricesFound {
  readonly found: ReadonlyMap<PriceItem, FoundPrice>;
  /** Selectors with no product in the files. */
  readonly missing: readonly PriceSelector[];
  /** Selectors with products of different prices: the files cannot tell which is meant. */
  readonly ambiguous: readonly string[];
}

/**
 * The prices of `region` in `products`: per selector, the first-tier on-demand USD price of the products whose
 * `regionCode` is `region` and whose service, family, attributes and usage type match. Products of several price list
 * versions: the newest wins.
 */
export function findPrices(
  region: string,
  products: readonly PriceListProduct[],
  selectors: readonly PriceSelector[],
): PricesFound {
  const found = new Map<PriceItem, FoundPrice>();
  const missing: PriceSelector[] = [];
  const ambiguous: string[] = [];
  for (const s of selectors) {
    const matches = products.filter(
      (p) =>
        p.serviceCode === s.serviceCode &&
        p.attributes.regionCode === region &&
        (s.productFamily === undefined || p.productFamily === s.productFamily) &&
        Object.entries(s.attributes).every(([k, v]) => (p.attributes[k] ?? '') === v) &&
        usageTypeMatches(p.attributes.usagetype, s.usageType),
    );
    const newest = matches.reduce((v, p) => (p.version > v ? p.version : v), '');
    const priced = matches
      .filter((p) => p.version === newest)
      .flatMap((p) => p.prices.filter((x) => Number(x.beginRange) === 0).map((x) => ({ p, x })));
    const values = [...new Set(priced.map(({ x }) => x.usd))];
    if (priced.length === 0) {
      missing.push(s);
    } else if (values.length > 1) {
      ambiguous.push(
        `${priceItemName(s.item)} in ${region}: ${priced.length} products match with different prices ` +
          `(${priced.map(({ p, x }) => `${p.sku} ${p.attributes.usagetype} $${x.usd}`).join(', ')})`,
      );
    } else {
      const { p, x } = priced.sort((a, b) => (a.p.sku < b.p.sku ? -1 : a.p.sku > b.p.sku ? 1 : 0))[0];
      if (!Number.isFinite(x.usd) || x.usd <= 0) {
        ambiguous.push(
          `${priceItemName(s.item)} in ${region}: product ${p.sku} has price ${x.usd}, not a positive number`,
        );
        continue;
      }
      found.set(s.item, {
        value: x.usd,
        unit: x.unit,
        source: `${priceListUrl(p.serviceCode, p.version, region)} SKU ${p.sku} (USD per ${x.unit})`,
        taken: p.publicationDate.slice(0, 10),
      });
    }
  }
  return { found, missing, ambiguous };
}

/** `table` with `region`'s prices replaced by `found` where found; keys sorted so the file is stable. */
export function mergeRegion(
  table: RegionalPriceTable,
  region: string,
  found: ReadonlyMap<PriceItem, SourcedPrice>,
): RegionalPriceTable {
  const old: RegionalPrices = table[region] ?? {};
  const items: Record<string, SourcedPrice> = {};
  const instances: Record<string, SourcedPrice> = { ...old.auroraInstanceHour };
  for (const [k, v] of Object.entries(old)) {
    if (k !== 'auroraInstanceHour') items[k] = v as SourcedPrice;
  }
  for (const [item, p] of found) {
    const plain: SourcedPrice = { value: p.value, source: p.source, taken: p.taken };
    const [key, cls] = item.split(':');
    if (cls) instances[cls] = plain;
    else items[key] = plain;
  }
  const sorted = <T>(o: Record<string, T>) =>
    Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
    );
  const next = sorted<unknown>({
    ...items,
    ...(Object.keys(instances).length > 0 ? { auroraInstanceHour: sorted(instances) } : {}),
  }) as RegionalPrices;
  return sorted({ ...table, [region]: next }) as RegionalPriceTable;
}

/**
 * Shell commands that fetch the price list files `findPrices` needs for `region`, one per service: the Bulk API file
 * (no credentials), or the smaller Query API answer filtered by what every selector of the service shares.
 */
export function priceListCommands(region: string, selectors: readonly PriceSelector[]): string[] {
  const services = [...new Set(selectors.map((s) => s.serviceCode))].sort();
  return services.flatMap((code) => {
    const mine = selectors.filter((s) => s.serviceCode === code);
    const shared: Record<string, string> = {};
    const families = [...new Set(mine.map((s) => s.productFamily))];
    if (families.length === 1 && families[0] !== undefined) shared.productFamily = families[0];
    for (const [k, v] of Object.entries(mine[0].attributes)) {
      if (v !== '' && mine.every((s) => s.attributes[k] === v)) shared[k] = v;
    }
    const filters = Object.entries({ regionCode: region, ...shared })
      .map(([k, v]) => ` Type=TERM_MATCH,Field=${k},Value='${v}'`)
      .join('');
    const file = `${code}-${region}.json`;
    const bulk = `curl -fsSLo ${file} ${PRICE_LIST_ENDPOINT}/offers/v1.0/aws/${code}/current/${region}/index.json`;
    // --output json: the configured default output (table, text, yaml) would not be a price list file
    const query = `aws pricing get-products --region us-east-1 --output json --service-code ${code} --filters${filters} > ${file}`;
    // the EC2 file holds every EC2 price of the region (instances, volumes, …); the query only the NAT gateway's
    return code === 'AmazonEC2'
      ? [query, `  # or, without credentials, every EC2 price of the region: ${bulk}`]
      : [bulk, `  # or, smaller, with AWS credentials: ${query}`];
  });
}
