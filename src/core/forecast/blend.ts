/**
 * The model's forecast re-levelled toward the trailing average of won deals (the mean of the three
 * calendar months before as-of's month), by a weight the inner backtest chooses per workspace —
 * counts and revenue apart. A forecast combination: where the workspace's own history shows that
 * the recent level predicts well, the forecast leans on it; where it does not, the weight is 0.
 * Each month of every draw is scaled by one factor, so the mean becomes
 * (1 − w) × model + w × trailing while the draws keep their shape and their split (open deals,
 * new pipeline, channels); then rounded back to what a draw can be: whole deals (up or down at
 * random, by the fraction, so that the mean stays) and whole minor units.
 */
import { addMonths } from '../calendar.js';
import { firstDayOf, type HorizonMonth, monthOfDay } from './days.js';
import type { ExpectedByMonth } from './expected.js';
import { addShares, type Draws } from './monte-carlo.js';
import { SeededRandom } from './random.js';
import { type WonDeal, type WonTotals, wonBetween } from './won.js';

/** Calendar months the trailing average is taken over. */
export const trailingMonths = 3;

/** Weights of the trailing average, each chosen from `blendWeights` by the inner backtest. */
export interface TrailingWeight {
  readonly count: number;
  readonly revenue: number;
}

export const noBlend: TrailingWeight = { count: 0, revenue: 0 };
/**
 * The weights tried. At most one half: the model keeps at least an equal say, so a few inner
 * months that happened to favour the trailing average cannot turn the forecast into it.
 */
export const blendWeights: readonly number[] = [0, 0.25, 0.5];

/** Mean won per calendar month over the `trailingMonths` before the month of `asOfDay`. */
export function trailingLevel(won: readonly WonDeal[], asOfDay: number): WonTotals {
  const month = monthOfDay(asOfDay);
  const totals = wonBetween(won, firstDayOf(addMonths(month, -trailingMonths)), firstDayOf(month));
  return { count: totals.count / trailingMonths, revenue: totals.revenue / trailingMonths };
}

/** The share of a horizon month still to come (the first month may have begun before as-of). */
export function monthShare(month: HorizonMonth): number {
  const start = firstDayOf(monthOfDay(month.endDay - 1));
  return (month.endDay - month.firstDay) / (month.endDay - start);
}

/** (1 − w) × model + w × trailing, for one month. */
export function blended(model: number, trailing: number, weight: number): number {
  return (1 - weight) * model + weight * trailing;
}

/** Scales each month of every draw so that its mean is the blend of model and trailing level. */
export function blendDraws(
  draws: Draws,
  expected: ExpectedByMonth,
  months: readonly HorizonMonth[],
  level: WonTotals,
  weight: TrailingWeight,
  seed = 1,
): void {
  if (weight.count === 0 && weight.revenue === 0) return;
  // A stream of its own: the draws' stream is not replayed into the rounding.
  const random = new SeededRandom(seed ^ 0x5bd1e995);
  const wholeDeals = (x: number) => {
    const below = Math.floor(x);
    return random.next() < x - below ? below + 1 : below;
  };
  const channelShares = draws.channelRevenue.map((_, c) => [c, 0] as [number, number]);
  for (const [m, month] of months.entries()) {
    const share = monthShare(month);
    const count = expected.openCount[m] + expected.newCount[m];
    const revenue = expected.openRevenue[m] + expected.newRevenue[m];
    const countFactor = count > 0 ? blended(count, level.count * share, weight.count) / count : 1;
    const revenueFactor =
      revenue > 0 ? blended(revenue, level.revenue * share, weight.revenue) / revenue : 1;
    for (let d = 0; d < draws.draws; d++) {
      const i = d * draws.months + m;
      if (countFactor !== 1) {
        draws.openCount[i] = wholeDeals(draws.openCount[i] * countFactor);
        draws.newCount[i] = wholeDeals(draws.newCount[i] * countFactor);
      }
      if (revenueFactor === 1) continue;
      const total = draws.openRevenue[i] + draws.newRevenue[i];
      const scaled = Math.round(total * revenueFactor);
      draws.newRevenue[i] = Math.round(draws.newRevenue[i] * revenueFactor);
      draws.openRevenue[i] = scaled - draws.newRevenue[i];
      draws.newMrr[i] = Math.round(draws.newMrr[i] * revenueFactor);
      // The channels split the scaled total again, in the shares they had of it.
      for (const entry of channelShares) {
        entry[1] = total > 0 ? draws.channelRevenue[entry[0]][i] / total : 0;
        draws.channelRevenue[entry[0]][i] = 0;
      }
      addShares(draws.channelRevenue, i, scaled, channelShares);
    }
  }
}
