/** The forecast's expected values, exactly, without drawing: what the Monte Carlo mean converges to. */
import type { FittedModel } from './model.js';

export interface ExpectedByMonth {
  /** Bookings won per coming month (minor units), from open deals and from new pipeline. */
  readonly openRevenue: Float64Array;
  readonly newRevenue: Float64Array;
  /** Deals won per coming month. */
  readonly openCount: Float64Array;
  readonly newCount: Float64Array;
}

export function expectedByMonth(model: FittedModel): ExpectedByMonth {
  const months = model.months.length;
  const openRevenue = new Float64Array(months);
  const openCount = new Float64Array(months);
  for (const group of model.groups) {
    for (let m = 0; m < months; m++) {
      const wins = group.deals * group.chances[m];
      openCount[m] += wins;
      openRevenue[m] += wins * group.value;
    }
  }
  const newCount = new Float64Array(months);
  const { channels, monthWeight, winChance } = model.newPipeline;
  const perMonth = channels.reduce((sum, channel) => sum + channel.created / channel.months, 0);
  for (let j = 0; j < months; j++) {
    for (let m = j; m < months; m++) newCount[m] += perMonth * monthWeight[j] * winChance[j][m];
  }
  const newSize = model.newDeal.distribution?.point ?? 0;
  return { openRevenue, newRevenue: newCount.map((n) => n * newSize), openCount, newCount };
}
