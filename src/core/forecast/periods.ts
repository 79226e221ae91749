/**
 * The draws summed into months, quarters and years (in the workspace's zone) and read as bands:
 * P10, P50, P90 and the mean. A period's revenue is what was already won in it by as-of plus
 * what the draws add; a period only partly inside the horizon is marked incomplete.
 */
import { firstDayOf } from './days.js';
import type { FittedModel } from './model.js';
import type { Draws } from './monte-carlo.js';
import { type WonDeal, type WonTotals, wonBetween } from './won.js';

export interface Band {
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
  readonly mean: number;
}

export type PeriodKind = 'month' | 'quarter' | 'year';

export interface PeriodForecast {
  /** "2027-03", "2027-Q1" or "2027". */
  readonly period: string;
  readonly kind: PeriodKind;
  /** False when part of the period lies after the horizon (its figures leave that part out). */
  readonly complete: boolean;
  /** Won in the period by as-of (the as-of day's wins so far included). */
  readonly wonToDate: WonTotals;
  /** Bookings (minor units): won to date + open deals + new pipeline. */
  readonly revenue: Band;
  /** Won deals: to date + forecast. */
  readonly count: Band;
  readonly fromOpenDeals: Band;
  readonly fromNewPipeline: Band;
  /** New monthly recurring revenue won in the period (forecast part only). */
  readonly newMrr: Band;
  readonly byChannel: readonly { readonly channel: string | null; readonly revenue: Band }[];
}

/** Per draw, the sum of the months in `monthIndexes`, plus a constant. */
export function periodSums(
  series: Float64Array,
  draws: Draws,
  monthIndexes: readonly number[],
  plus: number,
): Float64Array {
  const sums = new Float64Array(draws.draws);
  for (let d = 0; d < draws.draws; d++) {
    let sum = plus;
    for (const m of monthIndexes) sum += series[d * draws.months + m];
    sums[d] = sum;
  }
  return sums;
}

/**
 * P10, P50 and P90 are draws themselves — the smallest draw with at least that share of the draws
 * at or below it (Hyndman & Fan type 1) — never a value between two draws, which may be no
 * outcome at all (half a deal won, $300 of one $1,000 deal). The mean is what it is.
 */
export function bandOf(values: Float64Array): Band {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) =>
    sorted.length === 0 ? 0 : sorted[Math.max(0, Math.ceil(sorted.length * p - 1e-9) - 1)];
  let total = 0;
  for (const value of values) total += value;
  return {
    p10: at(0.1),
    p50: at(0.5),
    p90: at(0.9),
    mean: values.length > 0 ? total / values.length : 0,
  };
}

/** A band of money: its mean in whole minor units too. */
export function moneyBand(values: Float64Array): Band {
  const band = bandOf(values);
  return { ...band, mean: Math.round(band.mean) };
}

/** Revenue (open + new) and counts per draw and month, the series periods and targets sum. */
export function totalSeries(draws: Draws): { revenue: Float64Array; count: Float64Array } {
  return {
    revenue: draws.openRevenue.map((value, i) => value + draws.newRevenue[i]),
    count: draws.openCount.map((value, i) => value + draws.newCount[i]),
  };
}

export interface PeriodSpan {
  readonly period: string;
  readonly kind: PeriodKind;
  readonly monthIndexes: number[];
  readonly firstDay: number;
  readonly complete: boolean;
}

/** The months, quarters and years the horizon touches, with the horizon months inside each. */
export function periodSpans(model: FittedModel): PeriodSpan[] {
  const spans = new Map<string, PeriodSpan>();
  const months = model.months;
  const lastEnd = months.at(-1)?.endDay ?? model.asOfDay;
  for (const [m, month] of months.entries()) {
    const year = Number(month.year);
    const monthNumber = Number(month.key.slice(5));
    const quarterFirst = monthNumber - ((monthNumber - 1) % 3);
    const kinds: [PeriodKind, string, number, number][] = [
      [
        'month',
        month.key,
        firstDayOf({ year, month: monthNumber }),
        firstDayOf({ year, month: monthNumber + 1 }),
      ],
      [
        'quarter',
        month.quarter,
        firstDayOf({ year, month: quarterFirst }),
        firstDayOf({ year, month: quarterFirst + 3 }),
      ],
      [
        'year',
        month.year,
        firstDayOf({ year, month: 1 }),
        firstDayOf({ year: year + 1, month: 1 }),
      ],
    ];
    for (const [kind, period, firstDay, endDay] of kinds) {
      let span = spans.get(period);
      if (span === undefined) {
        span = { period, kind, monthIndexes: [], firstDay, complete: endDay <= lastEnd };
        spans.set(period, span);
      }
      span.monthIndexes.push(m);
    }
  }
  return [...spans.values()];
}

/**
 * What was already won in a period: every deal in `won` is known at as-of (rewound by dealsAsOf),
 * including one won earlier on the as-of day itself, which is no longer open and so is not in the
 * draws either; an upper bound at the as-of day would lose it.
 */
export function wonToDateIn(won: readonly WonDeal[], span: PeriodSpan): WonTotals {
  return wonBetween(won, span.firstDay, Number.POSITIVE_INFINITY);
}

export function summarisePeriods(
  model: FittedModel,
  draws: Draws,
  won: readonly WonDeal[],
): PeriodForecast[] {
  const total = totalSeries(draws);
  return periodSpans(model).map((span) => {
    const wonToDate = wonToDateIn(won, span);
    const sum = (series: Float64Array, plus = 0) =>
      moneyBand(periodSums(series, draws, span.monthIndexes, plus));
    return {
      period: span.period,
      kind: span.kind,
      complete: span.complete,
      wonToDate,
      revenue: sum(total.revenue, wonToDate.revenue),
      // Its mean is an expected number of deals, not a count: left as it is.
      count: bandOf(periodSums(total.count, draws, span.monthIndexes, wonToDate.count)),
      fromOpenDeals: sum(draws.openRevenue),
      fromNewPipeline: sum(draws.newRevenue),
      newMrr: sum(draws.newMrr),
      byChannel: model.channels.map((channel, c) => ({
        channel,
        revenue: sum(draws.channelRevenue[c]),
      })),
    };
  });
}
