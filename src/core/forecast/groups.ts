/**
 * Open deals grouped for the draws: deals on the same curve, in the same age band, of the same
 * value band (or sized from the same won-size group) and recurring term behave alike, so each group
 * draws its winners at once (binomial counts) instead of one draw per deal. A group's chances are
 * its deals' mean chances and its value their win-weighted mean value, so expected values are
 * exact; only the spread between alike deals is smoothed over.
 */
import type { SizeDistribution } from './deal-values.js';
import type { DealOutlook } from './model.js';
import type { ChannelCredit } from './new-pipeline.js';

export interface OpenDealGroup {
  readonly deals: number;
  /** Mean chance per coming month that a deal of the group is won then. */
  readonly chances: Float64Array;
  readonly totalChance: number;
  /** Booking per won deal (the point value of `distribution` when it is set); 0 when unvalued. */
  readonly value: number;
  /** Won sizes to draw each winner's value from; null when the deals' amounts are known. */
  readonly distribution: SizeDistribution | null;
  readonly mrrPerBooking: number;
  /** Channel index → share of the group's expected value. */
  readonly channelShares: readonly (readonly [number, number])[];
}

/** Age bands grow by about a third: alike enough in chance, few enough to draw fast. */
const ageBandEdges = [
  0, 1, 2, 3, 4, 6, 8, 11, 15, 20, 27, 36, 48, 64, 85, 113, 150, 200, 266, 354, 471, 627, 834, 1110,
];
/** Known amounts within a factor 2^(1/4) (about 19 %) share a band. */
const valueBandsPerDoubling = 4;

function ageBand(days: number | null): number {
  if (days === null) return -1;
  let band = 0;
  while (band + 1 < ageBandEdges.length && days >= ageBandEdges[band + 1]) band++;
  return band;
}

interface Accumulator {
  deals: number;
  chances: Float64Array;
  weight: number;
  weightedValue: number;
  weightedMrr: number;
  distribution: SizeDistribution | null;
  channels: Map<number, number>;
}

export function groupOpenDeals(
  outlooks: readonly DealOutlook[],
  credit: ChannelCredit | undefined,
  channels: readonly (string | null)[],
): OpenDealGroup[] {
  const channelIndex = new Map(channels.map((name, i) => [name, i]));
  const unattributed = channelIndex.get(null) ?? channels.length - 1;
  const curveIds = new Map<unknown, number>();
  const groups = new Map<string, Accumulator>();
  for (const outlook of outlooks) {
    let curveId = curveIds.get(outlook.curve);
    if (curveId === undefined) {
      curveId = curveIds.size;
      curveIds.set(outlook.curve, curveId);
    }
    const { value, distribution } = outlook.value;
    const valueKey =
      distribution !== null
        ? `d${distribution.key}`
        : value === null
          ? 'none'
          : `v${Math.round(Math.log2(value) * valueBandsPerDoubling)}`;
    const key = `${curveId}|${ageBand(outlook.daysInStage)}|${valueKey}|${outlook.mrrPerBooking}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        deals: 0,
        chances: new Float64Array(outlook.chances.length),
        weight: 0,
        weightedValue: 0,
        weightedMrr: 0,
        distribution,
        channels: new Map(),
      };
      groups.set(key, group);
    }
    group.deals++;
    let total = 0;
    for (let m = 0; m < outlook.chances.length; m++) {
      group.chances[m] += outlook.chances[m];
      total += outlook.chances[m];
    }
    const worth = value ?? 0;
    group.weight += total;
    group.weightedValue += total * worth;
    group.weightedMrr += total * worth * outlook.mrrPerBooking;
    const shares = credit?.get(outlook.deal.id);
    const expected = total * (worth > 0 ? worth : 1);
    if (shares === undefined || shares.size === 0) add(group.channels, unattributed, expected);
    else
      for (const [channel, share] of shares)
        add(group.channels, channelIndex.get(channel) ?? unattributed, expected * share);
  }
  return [...groups.values()].map((group) => {
    const chances = group.chances.map((sum) => sum / group.deals);
    const totalChance = chances.reduce((sum, chance) => sum + chance, 0);
    const channelTotal = [...group.channels.values()].reduce((sum, x) => sum + x, 0);
    return {
      deals: group.deals,
      chances,
      totalChance,
      value: group.weight > 0 ? group.weightedValue / group.weight : 0,
      distribution: group.distribution,
      mrrPerBooking: group.weightedValue > 0 ? group.weightedMrr / group.weightedValue : 0,
      channelShares: [...group.channels].map(
        ([c, x]) => [c, channelTotal > 0 ? x / channelTotal : 0] as const,
      ),
    };
  });
}

function add(map: Map<number, number>, key: number, amount: number): void {
  map.set(key, (map.get(key) ?? 0) + amount);
}
