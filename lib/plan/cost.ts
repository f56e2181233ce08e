import { awsView, AwsView, getPath, objectKey, PlanObject } from './objects';
import regionalPricesJson from './regional-prices.json';

/**
 * Monthly list prices in USD used for the plan's cost ESTIMATE. Entered by hand on the date below from AWS's public
 * pricing pages (listed in `sources`); not a quote, and without data transfer, requests, I/O, taxes or discounts.
 * Other regions' own prices are in `REGIONAL_PRICES`, item by item with their sources; an item a region lacks is
 * priced at `fallbackRegion`'s rate and the plan names it. Update the numbers and the date together.
 */
export const PRICE_TABLE = {
  taken: '2026-11-29',
  currency: 'USD',
  hoursPerMonth: 730,
  sources: [
    'https://aws.amazon.com/vpc/pricing/',
    'https://aws.amazon.com/fargate/pricing/',
    'https://aws.amazon.com/rds/aurora/pricing/',
    'https://aws.amazon.com/elasticloadbalancing/pricing/',
    'https://aws.amazon.com/cloudfront/pricing/',
    'https://aws.amazon.com/cloudwatch/pricing/',
    'https://aws.amazon.com/s3/pricing/',
  ],
  fallbackRegion: 'us-east-1',
  regions: {
    'us-east-1': {
      natGatewayHour: 0.045,
      publicIpv4Hour: 0.005,
      fargateVcpuHour: 0.04048,
      fargateGbHour: 0.004445,
      /** Fargate Spot prices float; AWS advertises up to 70% off: estimated at 30% of on-demand. */
      fargateSpotFactor: 0.3,
      auroraInstanceHour: { 'db.t3.medium': 0.082 } as Readonly<Record<string, number>>,
      auroraServerlessAcuHour: 0.12,
      auroraStorageGbMonth: 0.1,
      albHour: 0.0225,
      albLcuHour: 0.008,
      /** CloudFront has no fixed monthly fee; it is priced by traffic and requests, which the plan cannot know. */
      cloudfrontMonth: 0,
      alarmMonth: 0.1,
      logsIngestGb: 0.5,
      logsStoreGbMonth: 0.03,
      s3GbMonth: 0.023,
    },
  } as Readonly<Record<string, RegionPrices>>,
  /** Usage the plan assumes where the price depends on it. */
  assumptions: {
    albLcus: 1,
    auroraStorageGb: 10,
    logGbPerMonth: 1,
    bucketGb: 1,
  },
} as const;

/** A price of one region with where it was read and when. */
export interface SourcedPrice {
  readonly value: number;
  /** URL, or repository, path and commit, of the public page or file that states it. */
  readonly source: string;
  /** When the source stated it (YYYY-MM-DD). */
  readonly taken: string;
}

/** The prices that differ by region (the Spot factor is an assumption, CloudFront has no fixed fee anywhere). */
export type RegionalItem = Exclude<keyof RegionPrices, 'fargateSpotFactor' | 'cloudfrontMonth' | 'auroraInstanceHour'>;

/** What each price is, for the plan's notes. */
export const PRICE_ITEM_NAMES: Readonly<Record<RegionalItem, string>> = {
  natGatewayHour: 'NAT gateway hour',
  publicIpv4Hour: 'public IPv4 address hour',
  fargateVcpuHour: 'Fargate vCPU hour',
  fargateGbHour: 'Fargate GB hour',
  auroraServerlessAcuHour: 'Aurora Serverless v2 ACU hour',
  auroraStorageGbMonth: 'Aurora storage GB-month',
  albHour: 'ALB hour',
  albLcuHour: 'ALB LCU hour',
  alarmMonth: 'CloudWatch alarm month',
  logsIngestGb: 'CloudWatch Logs ingestion GB',
  logsStoreGbMonth: 'CloudWatch Logs storage GB-month',
  s3GbMonth: 'S3 Standard GB-month',
};

/** One region's own prices: per item, and per Aurora instance class. */
export type RegionalPrices = Partial<Record<RegionalItem, SourcedPrice>> & {
  readonly auroraInstanceHour?: Readonly<Record<string, SourcedPrice>>;
};

/** Regions' own prices, by region. */
export type RegionalPriceTable = Readonly<Record<string, RegionalPrices>>;

/**
 * Prices of regions other than `PRICE_TABLE.fallbackRegion`, item by item, each with its source and the date the
 * source stated it (`lib/plan/regional-prices.json`). `npm run prices` writes them from AWS's Price List files
 * (lib/plan/price-list.ts); the entries it has not replaced were entered by hand from the public source they name
 * (fgcalc's Fargate figures as first committed in 74ff9048b59a40e5b994d3645a58b773d3868f1a, 2021-01-09, unchanged at
 * the cited commit). Every item a region lacks is priced at the fallback region's rate and the plan names it
 * (`ScopeCost.fallbackPrices`).
 */
export const REGIONAL_PRICES: RegionalPriceTable = regionalPricesJson as RegionalPriceTable;

/** One region's prices, own where `REGIONAL_PRICES` has them, else the fallback region's, and which were which. */
export function pricesFor(
  region: string,
  table: RegionalPriceTable = REGIONAL_PRICES,
): { prices: RegionPrices; fallback: ReadonlySet<string> } {
  const base = PRICE_TABLE.regions[PRICE_TABLE.fallbackRegion];
  if (region === PRICE_TABLE.fallbackRegion) {
    return { prices: base, fallback: new Set() };
  }
  const own = table[region] ?? {};
  const fallback = new Set<string>();
  const prices: Record<string, unknown> = { ...base };
  for (const item of Object.keys(PRICE_ITEM_NAMES) as RegionalItem[]) {
    const p = own[item];
    if (p) prices[item] = p.value;
    else fallback.add(item);
  }
  const instance: Record<string, number> = { ...base.auroraInstanceHour };
  for (const cls of Object.keys(base.auroraInstanceHour)) {
    if (!own.auroraInstanceHour?.[cls]) fallback.add(`auroraInstanceHour:${cls}`);
  }
  // a class the fallback region lacks (one only the configuration names) is priced where the region has it
  for (const [cls, p] of Object.entries(own.auroraInstanceHour ?? {})) instance[cls] = p.value;
  prices.auroraInstanceHour = instance;
  return { prices: prices as unknown as RegionPrices, fallback };
}

/**
 * What is wrong with a regional price table (`lib/plan/regional-prices.json`), one line per entry: a region or item
 * the plan does not know, a value that is not a positive number, a source that is neither a public URL (optionally
 * followed by what it names there, as `npm run prices` writes `<price list file URL> SKU <sku> (USD per <unit>)`) nor a
 * repository file at a commit, a date that is not a calendar date. Empty when the plan can use every entry.
 */
export function regionalTableProblems(table: RegionalPriceTable): string[] {
  const problems: string[] = [];
  const show = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  const check = (at: string, p: unknown) => {
    if (!isObject(p)) {
      problems.push(`${at}: ${show(p)} is not an entry { value, source, taken }`);
      return;
    }
    const extra = Object.keys(p).filter((k) => !['value', 'source', 'taken'].includes(k));
    if (extra.length > 0) problems.push(`${at}: unknown field ${extra.join(', ')}; an entry has value, source, taken`);
    if (typeof p.value !== 'number' || !Number.isFinite(p.value) || p.value <= 0) {
      problems.push(`${at}.value: ${show(p.value)} is not a positive number`);
    }
    if (
      typeof p.source !== 'string' ||
      !/^(https:\/\/\S+( SKU \S+ \(USD per [^)]+\))?|github\.com\/[\w.-]+\/[\w.-]+ \S+ at [0-9a-f]{40}\b.*)$/.test(
        p.source,
      )
    ) {
      problems.push(`${at}.source: ${show(p.source)} is neither a public URL nor a repository file at a commit`);
    }
    const taken =
      typeof p.taken === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(p.taken) ? new Date(`${p.taken}T00:00:00Z`) : undefined;
    if (!taken || Number.isNaN(taken.getTime()) || taken.toISOString().slice(0, 10) !== p.taken) {
      problems.push(`${at}.taken: ${show(p.taken)} is not a calendar date (YYYY-MM-DD)`);
    }
  };
  for (const [region, items] of Object.entries(table as Record<string, unknown>)) {
    if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region) || !isObject(items)) {
      problems.push(`${region}: not a region with its prices`);
      continue;
    }
    for (const [item, p] of Object.entries(items)) {
      if (item === 'auroraInstanceHour' && isObject(p)) {
        for (const [cls, q] of Object.entries(p)) {
          if (!/^db\.[a-z0-9]+\.[a-z0-9]+$/.test(cls))
            problems.push(`${region}.auroraInstanceHour.${cls}: not an instance class`);
          else check(`${region}.auroraInstanceHour.${cls}`, q);
        }
      } else if (!Object.hasOwn(PRICE_ITEM_NAMES, item)) {
        problems.push(
          `${region}.${item}: not a price item (${Object.keys(PRICE_ITEM_NAMES).join(', ')}, auroraInstanceHour)`,
        );
      } else {
        check(`${region}.${item}`, p);
      }
    }
  }
  return problems;
}

/** The name of a price item (`auroraInstanceHour:<class>` for an instance class). */
export function priceItemName(item: string): string {
  const [key, cls] = item.split(':');
  return cls ? `Aurora ${cls} hour` : PRICE_ITEM_NAMES[key as RegionalItem];
}

export interface RegionPrices {
  readonly natGatewayHour: number;
  readonly publicIpv4Hour: number;
  readonly fargateVcpuHour: number;
  readonly fargateGbHour: number;
  readonly fargateSpotFactor: number;
  readonly auroraInstanceHour: Readonly<Record<string, number>>;
  readonly auroraServerlessAcuHour: number;
  readonly auroraStorageGbMonth: number;
  readonly albHour: number;
  readonly albLcuHour: number;
  readonly cloudfrontMonth: number;
  readonly alarmMonth: number;
  readonly logsIngestGb: number;
  readonly logsStoreGbMonth: number;
  readonly s3GbMonth: number;
}

/** One priced resource: monthly USD at the service's minimum and maximum task count (equal for everything else). */
export interface CostItem {
  readonly key: string;
  readonly label: string;
  readonly region: string;
  readonly min: number;
  readonly max: number;
  /** Set when a price it uses is not the region's own: the fallback region. */
  readonly pricedAs?: string;
  /** The price items (`PRICE_ITEM_NAMES` keys) priced at the fallback region's rate. */
  readonly fallbackItems?: readonly string[];
}

export interface ScopeCost {
  readonly scope: string;
  readonly before: { readonly min: number; readonly max: number };
  readonly after: { readonly min: number; readonly max: number };
  /** Sum of increases (new or dearer resources), at min and max tasks. */
  readonly adds: { readonly min: number; readonly max: number };
  /** Sum of decreases (removed or cheaper resources), as positive numbers. */
  readonly removes: { readonly min: number; readonly max: number };
  /** Resources whose estimate changed, by key. */
  readonly items: readonly { readonly label: string; readonly before?: CostItem; readonly after?: CostItem }[];
  /** Regions with a price at the fallback region's rate. */
  readonly fallbackRegions: readonly string[];
  /** Per region, the names of its prices taken from the fallback region (e.g. `NAT gateway hour`), sorted. */
  readonly fallbackPrices: Readonly<Record<string, readonly string[]>>;
  /** What could not be priced (e.g. an instance class missing from the table). */
  readonly unpriced: readonly string[];
}

const H = PRICE_TABLE.hoursPerMonth;
const round = (n: number) => Math.round(n * 100) / 100;

/** Tasks on on-demand FARGATE and on FARGATE_SPOT for `n` tasks under a capacity provider strategy. */
export function splitTasks(n: number, strategy: unknown): { onDemand: number; spot: number } {
  const items = (Array.isArray(strategy) ? strategy : []) as Record<string, unknown>[];
  if (items.length === 0) {
    return { onDemand: n, spot: 0 };
  }
  const isSpot = (i: Record<string, unknown>) => i.capacityProvider === 'FARGATE_SPOT';
  let left = n;
  let spot = 0;
  let onDemand = 0;
  for (const i of items) {
    const base = Math.min(left, Number(i.base ?? 0));
    left -= base;
    if (isSpot(i)) spot += base;
    else onDemand += base;
  }
  const total = items.reduce((s, i) => s + Number(i.weight ?? 0), 0);
  if (total > 0 && left > 0) {
    const spotWeight = items.filter(isSpot).reduce((s, i) => s + Number(i.weight ?? 0), 0);
    const spotShare = Math.round((left * spotWeight) / total);
    spot += spotShare;
    onDemand += left - spotShare;
  }
  return { onDemand, spot };
}

/** Estimated monthly cost of each priced managed resource in a set of objects (one scope). */
export function costItems(
  objects: readonly PlanObject[],
  table: RegionalPriceTable = REGIONAL_PRICES,
): { items: CostItem[]; unpriced: string[] } {
  const views = objects
    .map((o) => ({ o, v: awsView(o) }))
    .filter((x): x is { o: PlanObject; v: AwsView } => x.v !== undefined);
  const items: CostItem[] = [];
  const unpriced: string[] = [];
  for (const { o, v } of views) {
    // CloudFront is global and billed like us-east-1
    const region = String(v.forProvider.region ?? 'us-east-1');
    const { prices: p, fallback } = pricesFor(region, table);
    const kind = v.kind.replace('.aws.m.upbound.io', '');
    const item = (label: string, uses: readonly string[], min: number, max = min, part = 'main') => {
      const fallbackItems = uses.filter((u) => fallback.has(u));
      items.push({
        key: `${objectKey(o)}|${part}`,
        label: `${label} ${o.name}`,
        region,
        min: round(min),
        max: round(max),
        ...(fallbackItems.length > 0 ? { pricedAs: PRICE_TABLE.fallbackRegion, fallbackItems } : {}),
      });
    };
    const a = PRICE_TABLE.assumptions;
    switch (kind) {
      case 'ec2/NATGateway':
        item('NAT gateway', ['natGatewayHour'], p.natGatewayHour * H);
        break;
      case 'ec2/EIP':
        item('Elastic IP (public IPv4)', ['publicIpv4Hour'], p.publicIpv4Hour * H);
        break;
      case 'elbv2/LB':
        item(`ALB (${a.albLcus} LCU)`, ['albHour', 'albLcuHour'], (p.albHour + a.albLcus * p.albLcuHour) * H);
        break;
      case 'rds/ClusterInstance': {
        const cls = String(v.forProvider.instanceClass ?? '');
        const hour = p.auroraInstanceHour[cls];
        if (hour === undefined) {
          unpriced.push(`${o.name}: no price for instance class ${cls}`);
        } else {
          item(`Aurora ${cls}`, [`auroraInstanceHour:${cls}`], hour * H);
        }
        break;
      }
      case 'rds/Cluster': {
        const acu = getPath(v.forProvider, 'serverlessv2ScalingConfiguration.minCapacity');
        item(
          `Aurora storage (${a.auroraStorageGb} GB baseline)`,
          ['auroraStorageGbMonth'],
          a.auroraStorageGb * p.auroraStorageGbMonth,
        );
        if (acu !== undefined) {
          item(
            'Aurora Serverless v2 (min ACU)',
            ['auroraServerlessAcuHour'],
            Number(acu) * p.auroraServerlessAcuHour * H,
            undefined,
            'acu',
          );
        }
        break;
      }
      case 'ecs/Service': {
        const fargate = fargateCost(views, v, p);
        if (fargate) {
          item(`Fargate tasks (${fargate.tasks})`, ['fargateVcpuHour', 'fargateGbHour'], fargate.min, fargate.max);
        } else {
          unpriced.push(`${o.name}: task size or task count not found`);
        }
        break;
      }
      case 'cloudfront/Distribution':
        item('CloudFront (no fixed fee; traffic not estimated)', [], p.cloudfrontMonth);
        break;
      case 'cloudwatch/MetricAlarm':
        item('CloudWatch alarm', ['alarmMonth'], p.alarmMonth);
        break;
      case 'cloudwatchlogs/Group':
        item(
          `CloudWatch logs (${a.logGbPerMonth} GB/month)`,
          ['logsIngestGb', 'logsStoreGbMonth'],
          a.logGbPerMonth * (p.logsIngestGb + p.logsStoreGbMonth),
        );
        break;
      case 's3/Bucket':
        item(`S3 (${a.bucketGb} GB)`, ['s3GbMonth'], a.bucketGb * p.s3GbMonth);
        break;
    }
  }
  return { items, unpriced };
}

function fargateCost(
  views: readonly { o: PlanObject; v: AwsView }[],
  service: AwsView,
  p: RegionPrices,
): { min: number; max: number; tasks: string } | undefined {
  const tdName = getPath(service.forProvider, 'taskDefinitionRef.name');
  const td = views.find(
    ({ o, v }) =>
      v.kind === 'ecs.aws.m.upbound.io/TaskDefinition' &&
      (o.name === tdName || getPath(o.body, 'spec.forProvider.manifest.metadata.name') === tdName),
  )?.v;
  const target = views.find(({ v }) => v.kind === 'appautoscaling.aws.m.upbound.io/Target')?.v;
  if (!td) {
    return undefined;
  }
  const vcpu = Number(td.forProvider.cpu) / 1024;
  const gb = Number(td.forProvider.memory) / 1024;
  const desired = Number(service.forProvider.desiredCount ?? 1);
  const minTasks = Number(target?.forProvider.minCapacity ?? desired);
  const maxTasks = Number(target?.forProvider.maxCapacity ?? desired);
  if (![vcpu, gb, minTasks, maxTasks].every(Number.isFinite)) {
    return undefined;
  }
  const perTask = (vcpu * p.fargateVcpuHour + gb * p.fargateGbHour) * H;
  const monthly = (n: number) => {
    const { onDemand, spot } = splitTasks(n, service.forProvider.capacityProviderStrategy);
    return onDemand * perTask + spot * perTask * p.fargateSpotFactor;
  };
  return { min: monthly(minTasks), max: monthly(maxTasks), tasks: `${minTasks}–${maxTasks} × ${vcpu} vCPU/${gb} GB` };
}

/** Cost before and after per scope, and the resources whose estimate changed. */
export function costChanges(
  before: readonly PlanObject[],
  after: readonly PlanObject[],
  table: RegionalPriceTable = REGIONAL_PRICES,
): ScopeCost[] {
  const scopes = [...new Set([...before, ...after].map((o) => o.scope))].sort();
  return scopes
    .map((scope) => {
      const b = costItems(
        before.filter((o) => o.scope === scope),
        table,
      );
      const a = costItems(
        after.filter((o) => o.scope === scope),
        table,
      );
      const bm = new Map(b.items.map((i) => [i.key, i]));
      const am = new Map(a.items.map((i) => [i.key, i]));
      const keys = [...new Set([...bm.keys(), ...am.keys()])].sort();
      const items = keys
        .map((k) => ({ label: (am.get(k) ?? bm.get(k))!.label, before: bm.get(k), after: am.get(k) }))
        .filter((i) => i.before?.min !== i.after?.min || i.before?.max !== i.after?.max);
      const sum = (xs: readonly CostItem[], f: 'min' | 'max') => round(xs.reduce((s, i) => s + i[f], 0));
      const delta = (f: 'min' | 'max') => items.map((i) => (i.after?.[f] ?? 0) - (i.before?.[f] ?? 0));
      const adds = (f: 'min' | 'max') =>
        round(
          delta(f)
            .filter((d) => d > 0)
            .reduce((s, d) => s + d, 0),
        );
      const removes = (f: 'min' | 'max') =>
        round(
          -delta(f)
            .filter((d) => d < 0)
            .reduce((s, d) => s + d, 0),
        );
      return {
        scope,
        before: { min: sum(b.items, 'min'), max: sum(b.items, 'max') },
        after: { min: sum(a.items, 'min'), max: sum(a.items, 'max') },
        adds: { min: adds('min'), max: adds('max') },
        removes: { min: removes('min'), max: removes('max') },
        items,
        fallbackRegions: [...new Set([...b.items, ...a.items].filter((i) => i.pricedAs).map((i) => i.region))].sort(),
        fallbackPrices: fallbackPrices([...b.items, ...a.items]),
        unpriced: [...new Set([...b.unpriced, ...a.unpriced])].sort(),
      };
    })
    .filter((c) => c.before.max > 0 || c.after.max > 0);
}

/** Per region, the names of the prices its items took from the fallback region. */
function fallbackPrices(items: readonly CostItem[]): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const i of items) {
    for (const f of i.fallbackItems ?? []) (out[i.region] ??= new Set()).add(priceItemName(f));
  }
  return Object.fromEntries(
    Object.keys(out)
      .sort()
      .map((r) => [r, [...out[r]].sort()]),
  );
}
