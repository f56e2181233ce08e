import { CHANGE_CLASSES, ChangeClass, planChanges, ScopePlan } from './classify';
import {
  costChanges,
  PRICE_TABLE,
  priceItemName,
  REGIONAL_PRICES,
  RegionalPriceTable,
  ScopeCost,
  SourcedPrice,
} from './cost';
import { PlanObject } from './objects';

export interface Plan {
  /** What the working tree is compared with, as given (e.g. `origin/main`, a commit). */
  readonly base: string;
  /** Scopes with at least one change, environments first. */
  readonly scopes: readonly ScopePlan[];
  readonly cost: readonly ScopeCost[];
  /** Entries per class over all scopes. */
  readonly counts: Readonly<Record<ChangeClass, number>>;
  readonly unchanged: number;
  /** Anything red: the plan fails unless destruction is allowed. */
  readonly red: boolean;
  readonly prices: {
    readonly taken: string;
    readonly currency: string;
    readonly sources: readonly string[];
    /** Per region other than the fallback one, its own prices by name, each with its source and date. */
    readonly regional: Readonly<Record<string, Readonly<Record<string, SourcedPrice>>>>;
  };
}

/**
 * The plan of going from `before` (synthesized base) to `after` (synthesized working tree), priced with the
 * fallback region's table and `table`'s regional prices.
 */
export function buildPlan(
  base: string,
  before: readonly PlanObject[],
  after: readonly PlanObject[],
  table: RegionalPriceTable = REGIONAL_PRICES,
): Plan {
  const all = planChanges(before, after);
  const entries = all.flatMap((s) => s.entries);
  const counts = Object.fromEntries(
    CHANGE_CLASSES.map((c) => [c, entries.filter((e) => e.class === c).length]),
  ) as Record<ChangeClass, number>;
  return {
    base,
    scopes: all.filter((s) => s.entries.length > 0),
    cost: costChanges(before, after, table).filter((c) => c.items.length > 0),
    counts,
    unchanged: all.reduce((n, s) => n + s.unchanged, 0),
    red: entries.some((e) => e.red),
    prices: {
      taken: PRICE_TABLE.taken,
      currency: PRICE_TABLE.currency,
      sources: PRICE_TABLE.sources,
      regional: regionalPrices(table),
    },
  };
}

/** A regional price table by price name (`Fargate vCPU hour`, `Aurora db.t3.medium hour`), regions sorted. */
function regionalPrices(table: RegionalPriceTable): Record<string, Record<string, SourcedPrice>> {
  return Object.fromEntries(
    Object.keys(table)
      .sort()
      .map((region) => {
        const { auroraInstanceHour, ...items } = table[region];
        const named = [
          ...Object.entries(items).map(([k, p]) => [priceItemName(k), p] as const),
          ...Object.entries(auroraInstanceHour ?? {}).map(
            ([cls, p]) => [priceItemName(`auroraInstanceHour:${cls}`), p] as const,
          ),
        ].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return [region, Object.fromEntries(named)];
      }),
  );
}

export const isEmpty = (plan: Plan): boolean => plan.scopes.length === 0;

export type { ChangeClass, PlanEntry, ScopePlan } from './classify';
