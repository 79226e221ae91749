/**
 * The Monte Carlo: in each draw, how many deals of each group are won in each coming month
 * (a binomial count of winners, split over the months by conditional binomials — exactly the
 * distribution of independent deals with the group's chances), what they are worth (known amounts,
 * or won sizes drawn from the deal's size group), and how many deals each channel creates (a
 * Poisson count at a run-rate that is itself uncertain: gamma, from the deals it was measured on)
 * and which of those are won when. The model's own error scales each draw's chances of winning per
 * month, so a draw is always an outcome that can happen: whole deals, each won or not, worth whole
 * minor units. Seeded: the same input gives the same draws.
 */
import type { SizeDistribution } from './deal-values.js';
import type { FittedModel } from './model.js';
import { SeededRandom } from './random.js';

export interface DrawOptions {
  readonly draws: number;
  readonly seed: number;
  /**
   * Log-scale spread of a per-month factor on each draw's chances of winning (the model's own
   * error); 0 for none.
   */
  readonly extraSpread: number;
}

/** Per draw and month (index draw × months + month): what was won, whole deals and minor units. */
export interface Draws {
  readonly draws: number;
  readonly months: number;
  readonly openRevenue: Float64Array;
  readonly newRevenue: Float64Array;
  readonly openCount: Float64Array;
  readonly newCount: Float64Array;
  /** New monthly recurring revenue won (bookings of recurring deals ÷ their term). */
  readonly newMrr: Float64Array;
  /** Revenue by channel index (model.channels), open and new together. */
  readonly channelRevenue: readonly Float64Array[];
}

/** Sums of more winners than this are drawn from the normal approximation of the sum. */
const exactSumUpTo = 20;

export function drawOutcomes(model: FittedModel, options: DrawOptions): Draws {
  const months = model.months.length;
  const size = options.draws * months;
  const draws: Draws = {
    draws: options.draws,
    months,
    openRevenue: new Float64Array(size),
    newRevenue: new Float64Array(size),
    openCount: new Float64Array(size),
    newCount: new Float64Array(size),
    newMrr: new Float64Array(size),
    channelRevenue: model.channels.map(() => new Float64Array(size)),
  };
  const random = new SeededRandom(options.seed);
  const sumOf = valueSummer(random);
  const winners = new Int32Array(months);
  const newSize = model.newDeal.distribution;
  const { channels: runRates, monthWeight, winChance } = model.newPipeline;
  const channelOf = new Map(model.channels.map((name, i) => [name, i]));
  const spread = options.extraSpread;
  // The model's error, per month of a draw: a factor on every chance of winning then.
  const factors = new Float64Array(months).fill(1);
  const newTotals = winChance.map((row) => row.reduce((sum, x) => sum + x, 0));
  // Each draw's scaled totals, month by month over the groups' chances laid out in one array:
  // the loop every draw runs over every group, as tight as it goes.
  const groups = model.groups;
  const chancesByMonth = new Float64Array(months * groups.length);
  for (const [g, group] of groups.entries())
    for (let m = 0; m < months; m++) chancesByMonth[m * groups.length + g] = group.chances[m];
  const groupTotals = Float64Array.from(groups, (group) => group.totalChance);

  for (let d = 0; d < options.draws; d++) {
    const row = d * months;
    if (spread > 0) {
      for (let m = 0; m < months; m++)
        factors[m] = Math.exp(spread * random.normal() - (spread * spread) / 2);
      for (let j = 0; j < months; j++) newTotals[j] = scaledTotal(winChance[j], factors);
      groupTotals.fill(0);
      for (let m = 0, i = 0; m < months; m++) {
        const factor = factors[m];
        for (let g = 0; g < groups.length; g++, i++) groupTotals[g] += chancesByMonth[i] * factor;
      }
    }
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g];
      if (!splitWinners(random, group.deals, groupTotals[g], group.chances, factors, 0, winners))
        continue;
      for (let m = 0; m < months; m++) {
        const k = winners[m];
        if (k === 0) continue;
        const revenue = Math.round(
          group.distribution === null ? k * group.value : sumOf(group.distribution, k),
        );
        draws.openCount[row + m] += k;
        draws.openRevenue[row + m] += revenue;
        if (group.mrrPerBooking > 0)
          draws.newMrr[row + m] += Math.round(revenue * group.mrrPerBooking);
        addShares(draws.channelRevenue, row + m, revenue, group.channelShares);
      }
    }
    for (const rate of runRates) {
      if (rate.created <= 0) continue;
      const perMonth = random.gamma(rate.created) / rate.months;
      const c = channelOf.get(rate.channel) ?? model.channels.length - 1;
      for (let j = 0; j < months; j++) {
        const created = random.poisson(perMonth * monthWeight[j]);
        if (!splitWinners(random, created, newTotals[j], winChance[j], factors, j, winners))
          continue;
        for (let m = j; m < months; m++) {
          const k = winners[m];
          if (k === 0) continue;
          const revenue = newSize === null ? 0 : Math.round(sumOf(newSize, k));
          draws.newCount[row + m] += k;
          draws.newRevenue[row + m] += revenue;
          draws.newMrr[row + m] += Math.round(revenue * model.newDeal.mrrShare);
          draws.channelRevenue[c][row + m] += revenue;
        }
      }
    }
  }
  return draws;
}

/** The chance of being won within the horizon, each month's chance times its factor. */
function scaledTotal(chances: Float64Array, factors: Float64Array): number {
  let total = 0;
  for (let m = 0; m < chances.length; m++) total += chances[m] * factors[m];
  return total;
}

/**
 * Whole minor units split among channels by their shares: each gets its share rounded so that the
 * parts add up to the whole (cumulative rounding).
 */
export function addShares(
  channelRevenue: readonly Float64Array[],
  i: number,
  revenue: number,
  shares: readonly (readonly [number, number])[],
): void {
  let cumulative = 0;
  let given = 0;
  // Indexed, not destructured: this runs for every winning group and month of every draw.
  for (let s = 0; s < shares.length; s++) {
    cumulative += revenue * shares[s][1];
    const upTo = Math.round(cumulative);
    channelRevenue[shares[s][0]][i] += upTo - given;
    given = upTo;
  }
}

/**
 * Of `n` deals each won in month m with chance chances[m] × factors[m] (total `total`), how many
 * are won in each month, into `winners`; false when none is. Months before `from` have no
 * chance. A total past 1 (a deal is won once) is certainty, the months keeping their proportions.
 */
function splitWinners(
  random: SeededRandom,
  n: number,
  total: number,
  chances: Float64Array,
  factors: Float64Array,
  from: number,
  winners: Int32Array,
): boolean {
  let left = random.binomial(n, Math.min(1, total));
  if (left === 0) return false;
  winners.fill(0);
  let rest = total;
  for (let m = from; m < chances.length && left > 0; m++) {
    const chance = chances[m] * factors[m];
    const k =
      m === chances.length - 1 || rest <= 0
        ? left
        : random.binomial(left, Math.min(1, chance / rest));
    winners[m] = k;
    left -= k;
    rest -= chance;
  }
  return true;
}

/** The summed value of k winners drawn from won sizes: exact for few, normal for many. */
function valueSummer(random: SeededRandom): (distribution: SizeDistribution, k: number) => number {
  const moments = new Map<SizeDistribution, { mean: number; sd: number }>();
  return (distribution, k) => {
    const { values } = distribution;
    if (k <= exactSumUpTo) {
      let sum = 0;
      for (let i = 0; i < k; i++) sum += values[Math.floor(random.next() * values.length)];
      return sum;
    }
    let found = moments.get(distribution);
    if (found === undefined) {
      let sum = 0;
      let squares = 0;
      for (const value of values) {
        sum += value;
        squares += value * value;
      }
      const mean = sum / values.length;
      found = { mean, sd: Math.sqrt(Math.max(0, squares / values.length - mean * mean)) };
      moments.set(distribution, found);
    }
    return Math.max(0, k * found.mean + Math.sqrt(k) * found.sd * random.normal());
  };
}
