/** Average and median size of won deals, overall and by group (channel, segment). */
import type { Deal } from '../deals.js';
import { ascending, mean, quantile } from './spread.js';
import type { Amount, DealSizeGroup } from './types.js';

/** A won deal and its amount in minor units of the workspace currency. */
export interface SizedDeal {
  readonly deal: Deal;
  readonly value: number;
}

export interface DealSize {
  readonly average: Amount;
  readonly median: Amount;
}

/** Money is whole minor units: an average or a median between two cents is rounded. */
const toMinor = (value: number | null): number | null =>
  value === null ? null : Math.round(value);

export function dealSize(values: readonly number[], currency: string): DealSize {
  const n = values.length;
  return {
    average: { amount: toMinor(mean(values)), currency, n },
    median: { amount: toMinor(quantile(ascending(values), 0.5)), currency, n },
  };
}

/** Groups biggest first (most deals), then by name; the unknown group last. */
export function dealSizeGroups(
  sized: readonly SizedDeal[],
  keyOf: (deal: Deal) => string | null,
  currency: string,
): DealSizeGroup[] {
  const groups = new Map<string | null, number[]>();
  for (const { deal, value } of sized) {
    const key = keyOf(deal);
    const values = groups.get(key);
    if (values === undefined) groups.set(key, [value]);
    else values.push(value);
  }
  return [...groups]
    .sort(
      ([a, x], [b, y]) =>
        Number(a === null) - Number(b === null) ||
        y.length - x.length ||
        String(a).localeCompare(String(b)),
    )
    .map(([key, values]) => ({ key, ...dealSize(values, currency) }));
}
