/**
 * `closedloop backtest`: replay history. For each as-of date T (from `from` to `to`, every N
 * months) forecast the months from T's on with only what was known before T, and compare with what
 * was won — beside three baselines computed on the same as-of data. Months that end after the
 * data's latest date, or after now, are listed with `complete: false` and left out of the metrics.
 */
import { addMonths, dayMs, startOfDay } from '../calendar.js';
import type { Deal, Pipeline } from '../deals.js';
import { dealsAsOf, defaultAsOf, firstDateOf, laterDatesNote } from '../deals-as-of.js';
import { ClosedloopError } from '../errors.js';
import { firstDayOf, monthOfDay } from '../forecast/days.js';
import type { DealSizeStatistic } from '../forecast/deal-values.js';
import { type ForecastInput, runForecast } from '../forecast/forecast.js';
import type { ChannelCredit } from '../forecast/new-pipeline.js';
import type { ModelSettings } from '../forecast/settings.js';
import { wonBetween, wonDeals } from '../forecast/won.js';
import { type BaselineMonths, trailingAverage, weightedPipeline } from './baselines.js';
import { type Metrics, metricsOf, noMetrics, type Scored } from './metrics.js';

export interface BacktestInput {
  /** Every deal as known now. */
  readonly deals: readonly Deal[];
  readonly pipelines: readonly Pipeline[];
  readonly timeZone: string;
  readonly currency: string;
  readonly amountOf: (deal: Deal) => number | null;
  /** First and last as-of dates, YYYY-MM-DD in the workspace's zone (each is that day's start). */
  readonly from: string;
  readonly to: string;
  /** Months between as-of dates (default 1). */
  readonly every?: number;
  /** Months forecast from each as-of date (default 3). */
  readonly horizon?: number;
  readonly seed?: number;
  readonly draws?: number;
  readonly dealSize?: DealSizeStatistic;
  readonly channelCredit?: ChannelCredit;
  /** Fixed settings; default: each forecast chooses its own by backtest before its as-of date. */
  readonly settings?: ModelSettings;
  /** Called after each as-of date (for a progress bar). */
  readonly onProgress?: (done: number, total: number) => void;
  /** The present (default: the clock): a month that ends after it is not complete. */
  readonly now?: number;
}

export type MethodName = 'closedloop' | 'weighted_pipeline' | 'trailing_average' | 'last_month';
export const methodNames: readonly MethodName[] = [
  'closedloop',
  'weighted_pipeline',
  'trailing_average',
  'last_month',
];

export interface MethodMetrics {
  readonly revenue: Metrics;
  readonly count: Metrics;
  /** By horizon month, "1" … "H". */
  readonly byHorizon: Readonly<
    Record<string, { readonly revenue: Metrics; readonly count: Metrics }>
  >;
}

/** One forecast month of one as-of date; revenue rows in minor units, null without amounts. */
export interface BacktestRow {
  readonly metric: 'revenue' | 'count';
  readonly asOf: string;
  readonly period: string;
  readonly horizon: number;
  readonly actual: number | null;
  readonly p10: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly mean: number | null;
  readonly weighted_pipeline: number | null;
  readonly trailing_average: number | null;
  readonly last_month: number | null;
  readonly complete: boolean;
}

/** The `--json` shape of the issue, revenue in minor units of `currency`. */
export interface BacktestReport {
  /** The as-of dates forecast from (those before any deal was known are left out: see notes). */
  readonly asOf: readonly string[];
  readonly horizon: number;
  readonly currency: string;
  /** Whether any deal has an amount; without, revenue rows and metrics are null. */
  readonly hasAmounts: boolean;
  readonly metrics: Readonly<Record<MethodName, MethodMetrics>>;
  readonly rows: readonly BacktestRow[];
  /** Each as-of date's forecast notes and chosen settings. */
  readonly forecasts: readonly {
    readonly asOf: string;
    readonly settings: ModelSettings;
    readonly notes: readonly string[];
  }[];
  /** What the backtest left out, in words. */
  readonly notes: readonly string[];
}

export function backtestForecast(input: BacktestInput): BacktestReport {
  const horizon = input.horizon ?? 3;
  const dates = asOfDates(input.from, input.to, input.every ?? 1);
  const now = input.now ?? Date.now();
  // Where the record ends, as the forecast's default as-of date: a date after now (a typo or an
  // expectation) would make months that have not happened yet look complete, with nothing won.
  const dataEnd = defaultAsOf(input.deals, input.timeZone, now);
  const won = wonDeals(input.deals, input.amountOf, input.timeZone);
  // Any deal's amount, not only a won one's: a deal lost since was open, and valued, back then.
  const hasAmounts = input.deals.some((deal) => input.amountOf(deal) !== null);
  const rows: BacktestRow[] = [];
  const forecasts: BacktestReport['forecasts'][number][] = [];
  const unknown: string[] = [];

  for (const [i, date] of dates.entries()) {
    const asOf = startOfDay(date.calendar, input.timeZone);
    const known = dealsAsOf(input.deals, asOf, {
      timeZone: input.timeZone,
      pipelines: input.pipelines,
    });
    // Before any deal was known there is nothing to forecast from: a forecast of zero would be
    // scored against what deals created later went on to win.
    if (known.length === 0) {
      unknown.push(date.text);
      input.onProgress?.(i + 1, dates.length);
      continue;
    }
    const forecastInput: ForecastInput = { ...input, asOf, horizon };
    const { forecast, model } = runForecast(forecastInput);
    forecasts.push({ asOf: date.text, settings: forecast.settings, notes: forecast.notes });
    const knownWon = wonDeals(known, input.amountOf, input.timeZone);
    const baselines = {
      weighted_pipeline: weightedPipeline(
        known,
        input.pipelines,
        input.amountOf,
        model.months,
        input.timeZone,
      ),
      trailing_average: trailingAverage(knownWon, model.asOfDay, horizon, 3),
      last_month: trailingAverage(knownWon, model.asOfDay, horizon, 1),
    };
    for (const [m, month] of model.months.entries()) {
      const period = forecast.periods.find((p) => p.kind === 'month' && p.period === month.key);
      if (period === undefined) continue;
      // The whole calendar month: the forecast's month band includes what was won before as-of.
      const actual = wonBetween(won, firstDayOf(monthOfDay(month.firstDay)), month.endDay);
      const complete = dataEnd !== null && monthEndsAt(month.endDay, input.timeZone) <= dataEnd;
      const base = (metric: keyof BaselineMonths) => ({
        weighted_pipeline: baselines.weighted_pipeline[metric][m],
        trailing_average: baselines.trailing_average[metric][m],
        last_month: baselines.last_month[metric][m],
      });
      const common = { asOf: date.text, period: month.key, horizon: m + 1, complete };
      rows.push({
        metric: 'revenue',
        ...common,
        ...(hasAmounts
          ? { actual: actual.revenue, ...bandFields(period.revenue), ...base('revenue') }
          : nullRevenue),
      });
      rows.push({
        metric: 'count',
        ...common,
        actual: actual.count,
        ...bandFields(period.count),
        ...base('count'),
      });
    }
    input.onProgress?.(i + 1, dates.length);
  }
  const notes: string[] = [];
  const later = laterDatesNote(
    input.deals,
    input.timeZone,
    now,
    'months are complete only up to the latest date before now',
  );
  if (later !== null) notes.push(later);
  if (unknown.length > 0) {
    const first = firstDateOf(input.deals, input.timeZone);
    const where = first === null ? 'there are no deals' : `the data starts on ${first}`;
    if (unknown.length === dates.length) {
      throw new ClosedloopError(
        'CL_ERR_MODEL_INPUT',
        `to: no deal was known yet as of ${unknown.at(-1)} (${where}): there is nothing to forecast from`,
      );
    }
    notes.push(
      `as of ${unknown.join(', ')} no deal was known yet (${where}): nothing to forecast from, left out`,
    );
  }
  return {
    asOf: forecasts.map((f) => f.asOf),
    horizon,
    currency: input.currency,
    hasAmounts,
    metrics: Object.fromEntries(
      methodNames.map((name) => [name, methodMetrics(rows, name, horizon, hasAmounts)]),
    ) as Record<MethodName, MethodMetrics>,
    rows,
    forecasts,
    notes,
  };
}

const nullRevenue = {
  actual: null,
  p10: null,
  p50: null,
  p90: null,
  mean: null,
  weighted_pipeline: null,
  trailing_average: null,
  last_month: null,
};

function bandFields(band: { p10: number; p50: number; p90: number; mean: number }) {
  return { p10: band.p10, p50: band.p50, p90: band.p90, mean: band.mean };
}

function methodMetrics(
  rows: readonly BacktestRow[],
  method: MethodName,
  horizon: number,
  hasAmounts: boolean,
): MethodMetrics {
  const scoredOf = (metric: BacktestRow['metric'], h?: number): Metrics => {
    if (metric === 'revenue' && !hasAmounts) return noMetrics;
    const pairs: Scored[] = [];
    for (const row of rows) {
      if (!row.complete || row.metric !== metric || (h !== undefined && row.horizon !== h))
        continue;
      if (row.actual === null) continue;
      const forecast = method === 'closedloop' ? row.mean : row[method];
      if (forecast === null) continue;
      const band =
        method === 'closedloop' && row.p10 !== null && row.p90 !== null
          ? { p10: row.p10, p90: row.p90 }
          : undefined;
      pairs.push({ actual: row.actual, forecast, band });
    }
    return metricsOf(pairs);
  };
  const byHorizon: Record<string, { revenue: Metrics; count: Metrics }> = {};
  for (let h = 1; h <= horizon; h++)
    byHorizon[String(h)] = { revenue: scoredOf('revenue', h), count: scoredOf('count', h) };
  return { revenue: scoredOf('revenue'), count: scoredOf('count'), byHorizon };
}

interface AsOfDate {
  readonly text: string;
  readonly calendar: { year: number; month: number; day: number };
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Most forecasts one backtest makes: five years of monthly dates. */
export const maxAsOfDates = 60;

/** from, from + every months, … up to `to` (a day past a month's end is that month's last day). */
export function asOfDates(from: string, to: string, every: number): AsOfDate[] {
  const parse = (text: string, field: string) => {
    const match = datePattern.exec(text);
    if (match === null)
      throw new ClosedloopError('CL_ERR_USAGE', `${field}: expected YYYY-MM-DD, got "${text}"`);
    return { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  };
  if (!Number.isInteger(every) || every < 1) {
    throw new ClosedloopError(
      'CL_ERR_USAGE',
      `every: expected a whole number of months ≥ 1, got ${every}`,
    );
  }
  const start = parse(from, 'from');
  const end = parse(to, 'to');
  const dayNumber = (day: { year: number; month: number; day: number }) =>
    day.year * 10_000 + day.month * 100 + day.day;
  const dates: AsOfDate[] = [];
  for (let k = 0; ; k += every) {
    const month = addMonths(start, k);
    const lastDay = new Date(Date.UTC(month.year, month.month, 0)).getUTCDate();
    const calendar = { ...month, day: Math.min(start.day, lastDay) };
    if (dayNumber(calendar) > dayNumber(end)) break;
    // Each date is a whole forecast (about a second): a span of centuries is a typo.
    if (dates.length === maxAsOfDates) {
      throw new ClosedloopError(
        'CL_ERR_USAGE',
        `to: from ${from} to ${to} every ${every} month(s) is more than ${maxAsOfDates} as-of dates; narrow the span or raise every`,
      );
    }
    const text = `${calendar.year}-${String(calendar.month).padStart(2, '0')}-${String(calendar.day).padStart(2, '0')}`;
    dates.push({ text, calendar });
  }
  return dates;
}

/** The instant a month ends (the next month's first moment in the zone). */
function monthEndsAt(endDay: number, timeZone: string): number {
  const date = new Date(endDay * dayMs);
  return startOfDay(
    { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() },
    timeZone,
  );
}
