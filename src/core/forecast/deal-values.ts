/**
 * What a deal is worth when won. Bookings: a one-off deal's amount; a recurring deal's amount per
 * interval times its term (12 months when the CRM gave none), in whole minor units. An open deal
 * without an amount (or with 0, which CRMs use for "not filled in") is valued at the won deal size
 * of its segment, else its channel, else of all won deals — the average or the median, as
 * configured — and the Monte Carlo draws its value from that group's won sizes, so the spread is
 * carried too. An open deal whose amount is in a currency with no exchange rate is not valued,
 * like a won one: it stays out of money totals until a rate is imported. A deal not
 * created yet is valued at the sizes of the deals won as young as it can be when won: in a
 * month's horizon that is the quick, small deals, not the average of all won deals.
 */
import { dayMs } from '../calendar.js';
import type { Deal } from '../deals.js';
import { ascending, mean, quantile } from '../funnel/spread.js';

export type DealSizeStatistic = 'average' | 'median';

/** Won deals a segment or channel needs before its own sizes are used. */
const minWonPerGroup = 10;
const defaultTermMonths = 12;

/** A recurring deal's term in months (the CRM's, else 12). */
export function termOf(deal: Deal): number {
  return deal.termMonths !== null && deal.termMonths > 0 ? deal.termMonths : defaultTermMonths;
}

/** The booking, in whole minor units, of a deal whose amount (in the workspace currency) is `amount`. */
export function bookingOf(deal: Deal, amount: number): number {
  if (deal.recurringInterval === 'month') return toMinor(amount * termOf(deal));
  if (deal.recurringInterval === 'year') return toMinor((amount * termOf(deal)) / 12);
  return amount;
}

/** Half away from zero, as `money.ts` rounds amounts to minor units: a refund rounds like a sale. */
function toMinor(value: number): number {
  return Math.sign(value) * Math.round(Math.abs(value));
}

/** New monthly recurring revenue per unit of booking: 1/term for recurring deals, else 0. */
export function mrrPerBooking(deal: Deal): number {
  return deal.recurringInterval === null ? 0 : 1 / termOf(deal);
}

export type ValueSource =
  | 'amount'
  | 'segment'
  | 'channel'
  | 'all won deals'
  | 'no exchange rate'
  | 'none';

/** Won sizes to draw from, scaled so that their mean is the configured statistic. */
export interface SizeDistribution {
  readonly key: string;
  readonly values: Float64Array;
  /** The average or median of the won sizes: the value a deal of this group is given. */
  readonly point: number;
}

export interface DealValue {
  /**
   * Null when nothing is known (no amount and no won deal to compare with), or when the amount is
   * in a currency with no exchange rate.
   */
  readonly value: number | null;
  readonly source: ValueSource;
  readonly distribution: SizeDistribution | null;
}

export interface DealValuer {
  valueOf(deal: Deal): DealValue;
  /** Won sizes of all won deals; null without any. */
  readonly all: SizeDistribution | null;
  /**
   * Won sizes for deals not created yet, which can only be won young: those of the deals won at
   * most `maxAgeDays` after their creation (at least 10 of them), else `all`.
   */
  wonWithin(maxAgeDays: number): SizeDistribution | null;
  /** Of the won bookings, the share that is new MRR (for deals not created yet). */
  readonly mrrShare: number;
}

export function dealValuer(
  deals: readonly Deal[],
  amountOf: (deal: Deal) => number | null,
  statistic: DealSizeStatistic,
): DealValuer {
  const bySegment = new Map<string, number[]>();
  const byChannel = new Map<string, number[]>();
  const all: number[] = [];
  const ages: { days: number; booking: number }[] = [];
  let mrr = 0;
  for (const deal of deals) {
    if (deal.status !== 'won') continue;
    const amount = amountOf(deal);
    if (amount === null || amount <= 0) continue;
    const booking = bookingOf(deal, amount);
    all.push(booking);
    if (deal.createdAt !== null && deal.closedAt !== null) {
      ages.push({ days: (deal.closedAt.at - deal.createdAt.at) / dayMs, booking });
    }
    mrr += booking * mrrPerBooking(deal);
    if (deal.segment !== null) push(bySegment, deal.segment, booking);
    if (deal.channel !== null) push(byChannel, deal.channel, booking);
  }
  const cache = new Map<string, SizeDistribution>();
  const distribution = (key: string, values: readonly number[]) => {
    let found = cache.get(key);
    if (found === undefined) {
      found = sizeDistribution(key, values, statistic);
      cache.set(key, found);
    }
    return found;
  };
  const overall = all.length > 0 ? distribution('all won deals', all) : null;
  const total = all.reduce((sum, value) => sum + value, 0);

  return {
    all: overall,
    wonWithin(maxAgeDays) {
      const young = ages.filter((won) => won.days <= maxAgeDays).map((won) => won.booking);
      if (young.length < minWonPerGroup || young.length === all.length) return overall;
      return distribution(`won within ${Math.round(maxAgeDays)} days`, young);
    },
    mrrShare: total > 0 ? mrr / total : 0,
    valueOf(deal) {
      const amount = amountOf(deal);
      if (amount !== null && amount > 0) {
        return { value: bookingOf(deal, amount), source: 'amount', distribution: null };
      }
      // The CRM gave an amount that has no rate to the workspace currency: a group's won size
      // would stand in for a known amount, maybe far bigger, with nothing said. Unvalued instead,
      // as won deals in that currency are, until a rate is imported.
      if (amount === null && deal.amountMinor !== null && deal.amountMinor > 0) {
        return { value: null, source: 'no exchange rate', distribution: null };
      }
      const segment = deal.segment === null ? undefined : bySegment.get(deal.segment);
      if (segment !== undefined && segment.length >= minWonPerGroup) {
        const found = distribution(`segment ${deal.segment}`, segment);
        return { value: found.point, source: 'segment', distribution: found };
      }
      const channel = deal.channel === null ? undefined : byChannel.get(deal.channel);
      if (channel !== undefined && channel.length >= minWonPerGroup) {
        const found = distribution(`channel ${deal.channel}`, channel);
        return { value: found.point, source: 'channel', distribution: found };
      }
      if (overall === null) return { value: null, source: 'none', distribution: null };
      return { value: overall.point, source: 'all won deals', distribution: overall };
    },
  };
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function sizeDistribution(
  key: string,
  values: readonly number[],
  statistic: DealSizeStatistic,
): SizeDistribution {
  const average = mean(values) ?? 0;
  const point = statistic === 'average' ? average : (quantile(ascending(values), 0.5) ?? 0);
  const scale = average > 0 ? point / average : 0;
  return { key, values: Float64Array.from(values, (value) => value * scale), point };
}
