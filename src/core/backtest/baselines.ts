/**
 * The three naive forecasts Closedloop is measured against, each on the deals as known at as-of:
 * the weighted pipeline (each open deal's value × its stage's historical win rate, in the month of
 * its expected close date, else spread evenly over the horizon), the trailing average of the three
 * months before as-of, and the last month repeated.
 */
import type { Deal, Pipeline } from '../deals.js';
import { dayNumber, firstDayOf, type HorizonMonth, monthOfDay } from '../forecast/days.js';
import { bookingOf } from '../forecast/deal-values.js';
import { type WonDeal, wonBetween } from '../forecast/won.js';
import { furthestStage } from '../funnel/stages.js';

export interface BaselineMonths {
  /** Per horizon month; revenue in minor units (bookings). */
  readonly revenue: Float64Array;
  readonly count: Float64Array;
}

export function weightedPipeline(
  known: readonly Deal[],
  pipelines: readonly Pipeline[],
  amountOf: (deal: Deal) => number | null,
  months: readonly HorizonMonth[],
  timeZone: string,
): BaselineMonths {
  const revenue = new Float64Array(months.length);
  const count = new Float64Array(months.length);
  const winRate = stageWinRates(known, pipelines);
  const averageWon = averageWonBooking(known, amountOf);
  for (const deal of known) {
    if (deal.status !== 'open') continue;
    const p = winRate(deal);
    const amount = amountOf(deal);
    // An amount in a currency with no rate is left unvalued, as the forecast and the actuals
    // leave it; the deal still counts.
    const noRate = amount === null && deal.amountMinor !== null && deal.amountMinor > 0;
    const value = amount !== null && amount > 0 ? bookingOf(deal, amount) : noRate ? 0 : averageWon;
    const place = (m: number, share: number) => {
      revenue[m] += p * value * share;
      count[m] += p * share;
    };
    if (deal.expectedCloseAt === null) {
      for (let m = 0; m < months.length; m++) place(m, 1 / months.length);
      continue;
    }
    const day = dayNumber(deal.expectedCloseAt, timeZone);
    // An expected close already past counts as due in the first month.
    const m =
      day < months[0].firstDay ? 0 : months.findIndex((x) => day >= x.firstDay && day < x.endDay);
    if (m >= 0) place(m, 1);
  }
  return { revenue, count };
}

/** Won ÷ closed among the closed deals that reached the stage; the stage's default when none. */
function stageWinRates(
  known: readonly Deal[],
  pipelines: readonly Pipeline[],
): (deal: Deal) => number {
  const rates = new Map<string, number[]>();
  for (const pipeline of pipelines) {
    const open = pipeline.stages.filter((stage) => stage.outcome === null);
    const index = new Map(open.map((stage, i) => [stage.name, i]));
    const won = new Array<number>(open.length).fill(0);
    const closed = new Array<number>(open.length).fill(0);
    for (const deal of known) {
      if (deal.pipeline !== pipeline.name || deal.status === 'open') continue;
      const reach = furthestStage(deal, index);
      for (let i = 0; i <= reach; i++) {
        closed[i]++;
        if (deal.status === 'won') won[i]++;
      }
    }
    rates.set(
      pipeline.name,
      open.map((stage, i) => (closed[i] > 0 ? won[i] / closed[i] : stage.probability)),
    );
  }
  const overallClosed = known.filter((deal) => deal.status !== 'open').length;
  const overall =
    overallClosed > 0 ? known.filter((d) => d.status === 'won').length / overallClosed : 0;
  const stageIndex = new Map(
    pipelines.map((p) => [
      p.name,
      new Map(p.stages.filter((s) => s.outcome === null).map((s, i) => [s.name, i])),
    ]),
  );
  return (deal) => {
    const i = deal.stage === null ? 0 : stageIndex.get(deal.pipeline)?.get(deal.stage);
    return (i === undefined ? undefined : rates.get(deal.pipeline)?.[i]) ?? overall;
  };
}

function averageWonBooking(
  known: readonly Deal[],
  amountOf: (deal: Deal) => number | null,
): number {
  let sum = 0;
  let n = 0;
  for (const deal of known) {
    const amount = deal.status === 'won' ? amountOf(deal) : null;
    if (amount === null || amount <= 0) continue;
    sum += bookingOf(deal, amount);
    n++;
  }
  return n > 0 ? sum / n : 0;
}

/** The mean of the `months` calendar months before as-of's month, repeated over the horizon. */
export function trailingAverage(
  won: readonly WonDeal[],
  asOfDay: number,
  horizon: number,
  months: number,
): BaselineMonths {
  const asOfMonth = monthOfDay(asOfDay);
  const from = firstDayOf({ year: asOfMonth.year, month: asOfMonth.month - months });
  const totals = wonBetween(won, from, firstDayOf(asOfMonth));
  return {
    revenue: new Float64Array(horizon).fill(totals.revenue / months),
    count: new Float64Array(horizon).fill(totals.count / months),
  };
}
