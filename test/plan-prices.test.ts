/**
 * Regional prices of the plan's cost estimate: an environment in a region with prices of its own is priced with
 * them; every price the region lacks comes from the fallback region and the plan names it, per item, in every output
 * format. The behaviour is shown with a table of the tests' own (`npm run prices` rewrites the live one); the live
 * table is checked for its invariants only.
 */
import { buildApp, render } from '../lib/app';
import { Config } from '../lib/config/types';
import {
  costItems,
  PRICE_ITEM_NAMES,
  PRICE_TABLE,
  pricesFor,
  RegionalItem,
  RegionalPriceTable,
  REGIONAL_PRICES,
  regionalTableProblems,
} from '../lib/plan/cost';
import { buildPlan } from '../lib/plan/index';
import { awsView, objectsFromFiles, PlanObject } from '../lib/plan/objects';
import { renderJson, renderMarkdown, renderText } from '../lib/plan/render';
import { fixtureConfig } from './helpers';

function objectsOf(config: Config): PlanObject[] {
  return objectsFromFiles(new Map(render(buildApp(config)).map((f) => [f.file, f.text])));
}

/** The same objects with every managed resource's `spec.forProvider.region` set to `region`. */
function inRegion(objects: readonly PlanObject[], region: string): PlanObject[] {
  return objects.map((o) => {
    const body = JSON.parse(JSON.stringify(o.body));
    const forProvider = body.spec?.forProvider?.manifest?.spec?.forProvider ?? body.spec?.forProvider;
    if (forProvider?.region !== undefined) forProvider.region = region;
    return { ...o, body };
  });
}

const seed = objectsOf(fixtureConfig('seed'));
const prod = seed.filter((o) => o.scope === 'prod');
/** eu-north-1 with its own Fargate and public IPv4 prices only (made-up values). */
const TABLE: RegionalPriceTable = {
  'eu-north-1': {
    fargateVcpuHour: { value: 0.0445, source: 'https://example.org/fargate', taken: '2025-11-25' },
    fargateGbHour: { value: 0.0049, source: 'https://example.org/fargate', taken: '2025-11-25' },
    publicIpv4Hour: { value: 0.005, source: 'https://example.org/ipv4', taken: '2024-02-01' },
  },
};
const own = TABLE['eu-north-1'];

describe('regional prices', () => {
  test('GIVEN the seed production environment in eu-north-1 WHEN priced THEN its Fargate tasks use eu-north-1’s own rates', () => {
    expect(prod.length).toBeGreaterThan(0);
    const eu = costItems(prod, TABLE).items;
    const us = costItems(inRegion(prod, 'us-east-1'), TABLE).items;
    const fargate = (items: typeof eu) => items.find((i) => i.label.startsWith('Fargate tasks'))!;
    expect(fargate(eu).region).toBe('eu-north-1');
    expect(fargate(eu).pricedAs).toBeUndefined();
    expect(fargate(us).region).toBe('us-east-1');
    // the task size as the plan reads it; the estimate is linear in the per-task hourly price
    const td = prod.map(awsView).find((v) => v?.kind === 'ecs.aws.m.upbound.io/TaskDefinition')!;
    const vcpu = Number(td.forProvider.cpu) / 1024;
    const gb = Number(td.forProvider.memory) / 1024;
    const hourly = (r: { fargateVcpuHour: number; fargateGbHour: number }) =>
      vcpu * r.fargateVcpuHour + gb * r.fargateGbHour;
    const ratio =
      hourly({ fargateVcpuHour: own.fargateVcpuHour!.value, fargateGbHour: own.fargateGbHour!.value }) /
      hourly(PRICE_TABLE.regions['us-east-1']);
    expect(ratio).not.toBe(1);
    expect(fargate(eu).max / fargate(us).max).toBeCloseTo(ratio, 3);
    expect(fargate(eu).min / fargate(us).min).toBeCloseTo(ratio, 2);
  });

  test('GIVEN eu-north-1 without its own NAT gateway price WHEN priced THEN that item is at us-east-1’s rate and says so', () => {
    const eu = costItems(prod, TABLE).items;
    const us = costItems(inRegion(prod, 'us-east-1'), TABLE).items;
    const nat = eu.find((i) => i.label.startsWith('NAT gateway'))!;
    expect(nat).toMatchObject({ region: 'eu-north-1', pricedAs: 'us-east-1', fallbackItems: ['natGatewayHour'] });
    expect(nat.max).toBe(us.find((i) => i.label.startsWith('NAT gateway'))!.max);
    const eip = eu.find((i) => i.label.startsWith('Elastic IP'))!;
    expect(eip.pricedAs).toBeUndefined();
    expect(us.every((i) => i.pricedAs === undefined)).toBe(true);
  });

  test('GIVEN an environment created in eu-north-1 WHEN planned THEN every output names each price taken from us-east-1', () => {
    const plan = buildPlan('HEAD', [], seed, TABLE);
    const cost = plan.cost.find((c) => c.scope === 'prod')!;
    const missing = (Object.keys(PRICE_ITEM_NAMES) as RegionalItem[])
      .filter((k) => own[k] === undefined)
      .map((k) => PRICE_ITEM_NAMES[k]);
    const names = cost.fallbackPrices['eu-north-1'];
    expect(names).toContain('NAT gateway hour');
    expect(names).toContain('Aurora db.t3.medium hour');
    expect(names.filter((n) => n !== 'Aurora db.t3.medium hour').every((n) => missing.includes(n))).toBe(true);
    expect(names).not.toContain('Fargate vCPU hour');
    expect(names).not.toContain('public IPv4 address hour');
    const line =
      `priced at us-east-1 rates (no eu-north-1 price found): ${names.join(', ')}; ` +
      "`npm run prices -- --region eu-north-1 --commands` shows how to pin them from AWS's price list";
    expect(renderText(plan, true)).toContain(`  ${line}`);
    expect(renderMarkdown(plan, true)).toContain(`- prod: ${line}`);
    const json = JSON.parse(renderJson(plan));
    expect(json.cost.find((c: any) => c.scope === 'prod').fallbackPrices).toEqual({ 'eu-north-1': names });
    expect(json.prices.regional['eu-north-1']['Fargate vCPU hour']).toEqual(own.fargateVcpuHour);
    // the estimate note names the region's own prices with their sources
    expect(renderText(plan, true)).toContain(
      `Fargate vCPU hour $${own.fargateVcpuHour!.value} (${own.fargateVcpuHour!.source}, ${own.fargateVcpuHour!.taken})`,
    );
  });

  test('GIVEN a region without prices of its own and the fallback region WHEN looked up THEN all or none are fallback', () => {
    const none = pricesFor('us-west-2', TABLE);
    expect([...none.fallback].sort()).toEqual(
      [...Object.keys(PRICE_ITEM_NAMES), 'auroraInstanceHour:db.t3.medium'].sort(),
    );
    expect(none.prices).toEqual(PRICE_TABLE.regions['us-east-1']);
    expect(pricesFor('us-east-1', TABLE).fallback.size).toBe(0);
    const eu = pricesFor('eu-north-1', TABLE);
    expect(eu.prices.fargateVcpuHour).toBe(own.fargateVcpuHour!.value);
    expect(eu.fallback.has('fargateVcpuHour')).toBe(false);
    expect(eu.fallback.has('natGatewayHour')).toBe(true);
  });

  test('GIVEN every price of the live regional table WHEN read THEN it is a known item, positive, and names a public source and a calendar date', () => {
    // the checks `npm run prices` applies before it writes (lib/plan/cost.ts); its own entries pass them
    expect(regionalTableProblems(REGIONAL_PRICES)).toEqual([]);
  });
});
