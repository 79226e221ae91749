/**
 * Settings chosen by backtesting the workspace's own history, never by hand: forecasts as of each
 * of the six month starts before as-of (only what was known then), over the months that have
 * ended since, scored by WAPE on won deals (plus WAPE on revenue when there are amounts). The best
 * candidate wins; its errors on those months also give the band its extra spread — the error the
 * model makes beyond what its draws vary (a weak prior of 0.15 on the log scale, worth two months,
 * keeps the spread sane while there is little to measure).
 */
import { addMonths, startOfMonth } from '../calendar.js';
import type { Deal } from '../deals.js';
import {
  blended,
  blendWeights,
  monthShare,
  noBlend,
  type TrailingWeight,
  trailingLevel,
} from './blend.js';
import { asOfDayNumber, monthOfDay } from './days.js';
import { expectedByMonth } from './expected.js';
import { fitModel, type ModelInput } from './model.js';
import { candidateSettings, defaultSettings, type ModelSettings } from './settings.js';
import { minClosedPerCurve } from './stage-curves.js';
import { type WonDeal, wonBetween, wonDeals } from './won.js';

const innerAsOfMonths = 6;
const priorSpread = 0.15;
const priorWeight = 2;

export interface SettingsChoice {
  readonly settings: ModelSettings;
  /** Each candidate's score (lower is better); null when the history was too short to score. */
  readonly scores: readonly { readonly settings: ModelSettings; readonly score: number | null }[];
  readonly notes: readonly string[];
}

interface Pair {
  readonly actualCount: number;
  readonly forecastCount: number;
  readonly actualRevenue: number;
  readonly forecastRevenue: number;
  /** The trailing average at the inner as-of date, for the blend. */
  readonly trailingCount: number;
  readonly trailingRevenue: number;
}

/** `input.deals` must already be as known at `input.asOf`: the inner backtest sees nothing later. */
export function chooseSettings(input: ModelInput): SettingsChoice {
  const won = wonDeals(input.deals, input.amountOf, input.timeZone);
  const hasRevenue = won.some((deal) => deal.revenue !== null);
  const scored = candidateSettings.map((base) => {
    const raw = innerPairs(input, base, won);
    const { weight, pairs } = chooseBlend(raw, hasRevenue);
    const settings = { ...base, trailingWeight: weight };
    return { settings, pairs, score: scoreOf(pairs, hasRevenue) };
  });
  const valid = scored.filter((s) => s.score !== null);
  if (valid.length === 0) {
    return {
      settings: { ...defaultSettings, extraSpread: priorSpread },
      scores: scored.map(({ settings, score }) => ({ settings, score })),
      notes: ['too little history to choose settings by backtest: defaults used'],
    };
  }
  const best = valid.reduce((a, b) => ((b.score ?? 0) < (a.score ?? 0) ? b : a));
  const extraSpread = spreadOf(best.pairs);
  const settings = { ...best.settings, extraSpread };
  const { runRateMonths, calendar } = settings;
  const weight = settings.trailingWeight ?? noBlend;
  return {
    settings,
    scores: scored.map(({ settings, score }) => ({ settings, score })),
    notes: [
      `settings chosen by backtest on ${best.pairs.length} earlier month(s): run-rate over ${runRateMonths} months, quarter-end effect ${calendar ? 'on' : 'off'}, extra spread ${extraSpread.toFixed(2)}, trailing-average weight ${weight.count} on counts and ${weight.revenue} on revenue`,
    ],
  };
}

function innerPairs(input: ModelInput, settings: ModelSettings, won: readonly WonDeal[]): Pair[] {
  const pairs: Pair[] = [];
  const asOfMonth = monthOfDay(asOfDayNumber(input.asOf, input.timeZone));
  for (let back = innerAsOfMonths; back >= 1; back--) {
    const innerAsOf = startOfMonth(addMonths(asOfMonth, -back), input.timeZone);
    const inner = { ...input, asOf: innerAsOf, horizon: Math.min(input.horizon, back) };
    // Only as-of dates where the model learned from data: a fallback on defaults proves nothing.
    if (closedBefore(input.deals, innerAsOf) < minClosedPerCurve) continue;
    const model = fitModel(inner, settings);
    const expected = expectedByMonth(model);
    const level = trailingLevel(won, model.asOfDay);
    for (const [m, span] of model.months.entries()) {
      const actual = wonBetween(won, span.firstDay, span.endDay);
      pairs.push({
        actualCount: actual.count,
        forecastCount: expected.openCount[m] + expected.newCount[m],
        actualRevenue: actual.revenue,
        forecastRevenue: expected.openRevenue[m] + expected.newRevenue[m],
        trailingCount: level.count * monthShare(span),
        trailingRevenue: level.revenue * monthShare(span),
      });
    }
  }
  return pairs;
}

function closedBefore(deals: readonly Deal[], at: number): number {
  return deals.filter(
    (deal) => deal.status !== 'open' && deal.closedAt !== null && deal.closedAt.at < at,
  ).length;
}

/**
 * The weights of the trailing average that minimise the inner absolute errors (so the WAPE),
 * counts and revenue apart (ties go to the smaller weight), and the pairs re-levelled with them.
 */
function chooseBlend(
  pairs: readonly Pair[],
  hasRevenue: boolean,
): { weight: TrailingWeight; pairs: Pair[] } {
  const best = (
    actual: (p: Pair) => number,
    model: (p: Pair) => number,
    trailing: (p: Pair) => number,
  ) => {
    let chosen = 0;
    let lowest = Number.POSITIVE_INFINITY;
    for (const w of blendWeights) {
      let errors = 0;
      for (const pair of pairs)
        errors += Math.abs(blended(model(pair), trailing(pair), w) - actual(pair));
      if (errors < lowest - 1e-9) {
        lowest = errors;
        chosen = w;
      }
    }
    return chosen;
  };
  const weight: TrailingWeight = {
    count: best(
      (p) => p.actualCount,
      (p) => p.forecastCount,
      (p) => p.trailingCount,
    ),
    revenue: hasRevenue
      ? best(
          (p) => p.actualRevenue,
          (p) => p.forecastRevenue,
          (p) => p.trailingRevenue,
        )
      : 0,
  };
  return {
    weight,
    pairs: pairs.map((pair) => ({
      ...pair,
      forecastCount: blended(pair.forecastCount, pair.trailingCount, weight.count),
      forecastRevenue: blended(pair.forecastRevenue, pair.trailingRevenue, weight.revenue),
    })),
  };
}

/** WAPE on counts, plus on revenue when there are amounts; null without enough actuals. */
function scoreOf(pairs: readonly Pair[], hasRevenue: boolean): number | null {
  const wape = (actual: (p: Pair) => number, forecast: (p: Pair) => number) => {
    let errors = 0;
    let total = 0;
    for (const pair of pairs) {
      errors += Math.abs(forecast(pair) - actual(pair));
      total += actual(pair);
    }
    return total > 0 ? errors / total : null;
  };
  const closedMonths = pairs.filter((p) => p.actualCount > 0).length;
  if (closedMonths < 2) return null;
  const count = wape(
    (p) => p.actualCount,
    (p) => p.forecastCount,
  );
  if (count === null) return null;
  if (!hasRevenue) return count;
  return (
    count +
    (wape(
      (p) => p.actualRevenue,
      (p) => p.forecastRevenue,
    ) ?? 0)
  );
}

/**
 * The log-scale error not explained by chance alone: mean squared log ratio of actual to forecast
 * counts, less the Poisson part (1 / expected count), with the prior mixed in.
 */
function spreadOf(pairs: readonly Pair[]): number {
  let excess = 0;
  let n = 0;
  for (const pair of pairs) {
    if (pair.actualCount === 0 && pair.forecastCount < 1) continue;
    const ratio = Math.log((pair.actualCount + 0.5) / (pair.forecastCount + 0.5));
    excess += ratio * ratio - 1 / (pair.forecastCount + 0.5);
    n++;
  }
  const variance = (Math.max(0, excess) + priorWeight * priorSpread ** 2) / (n + priorWeight);
  return Math.sqrt(variance);
}
