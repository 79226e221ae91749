/**
 * Deals not created yet: how many each channel will create per coming month (the recent run-rate,
 * times a month-of-year index once there is a year of history), and the chance that a deal created
 * in month j is won in month m (from the creation-clock hazards, averaged over the days of j).
 */
import { addMonths } from '../calendar.js';
import type { Deal } from '../deals.js';
import { type DayGrid, firstDayOf, type HorizonMonth, monthOfDay } from './days.js';
import type { CalendarFactors, HazardCurve } from './hazards.js';
import { monthlyWinChances } from './win-chances.js';

/** Deal id → channel → share of the deal's credit (shares of a deal sum to 1). */
export type ChannelCredit = ReadonlyMap<string, ReadonlyMap<string, number>>;

export interface ChannelRunRate {
  /** Null: deals with no credit (or all deals, when no credit map was given). */
  readonly channel: string | null;
  /** Deals credited to the channel in the run-rate window, and the window's length in months. */
  readonly created: number;
  readonly months: number;
}

export interface NewPipeline {
  readonly channels: readonly ChannelRunRate[];
  /** Per coming month: the run-rate multiplier (seasonal index × share of the month still to come). */
  readonly monthWeight: Float64Array;
  /** winChance[j][m]: the chance that a deal created in month j is won in month m. */
  readonly winChance: readonly Float64Array[];
  readonly notes: readonly string[];
}

export interface CreatedDeal {
  readonly deal: Deal;
  readonly createdDay: number;
}

export interface NewPipelineOptions {
  readonly runRateMonths: number;
  readonly seasonality: boolean;
}

export function newPipeline(
  created: readonly CreatedDeal[],
  credit: ChannelCredit | undefined,
  months: readonly HorizonMonth[],
  grid: DayGrid,
  curve: HazardCurve,
  calendar: CalendarFactors,
  options: NewPipelineOptions,
): NewPipeline {
  const notes: string[] = [];
  const asOfMonth = monthOfDay(grid.firstDay);
  const monthIndex = (day: number) => {
    const m = monthOfDay(day);
    return (m.year - asOfMonth.year) * 12 + m.month - asOfMonth.month; // −1: the month before
  };
  const firstCreated = created.reduce(
    (first, c) => Math.min(first, c.createdDay),
    Number.POSITIVE_INFINITY,
  );
  const history = Number.isFinite(firstCreated) ? -monthIndex(firstCreated) : 0;
  const window = Math.max(1, Math.min(options.runRateMonths, history));

  // Creations per month back from as-of (index 1 = the month before), in total and by channel.
  const back = new Float64Array(Math.max(13, window + 1));
  const byChannel = new Map<string | null, number>();
  for (const { deal, createdDay } of created) {
    const ago = -monthIndex(createdDay);
    if (ago < 1) continue;
    if (ago < back.length) back[ago]++;
    if (ago > window) continue;
    for (const [channel, share] of creditOf(deal, credit)) {
      byChannel.set(channel, (byChannel.get(channel) ?? 0) + share);
    }
  }
  const seasonal = options.seasonality && history >= 13 ? seasonalIndex(back, asOfMonth) : null;
  if (options.seasonality && seasonal === null) {
    notes.push('deal creation has no month-of-year pattern yet (needs a year of history)');
  }
  const indexOf = (monthsAhead: number) =>
    seasonal === null ? 1 : seasonal[addMonths(asOfMonth, monthsAhead).month - 1];
  // The run-rate is measured on the window's own months: divide out their seasonal index.
  let windowIndex = 0;
  for (let ago = 1; ago <= window; ago++) windowIndex += indexOf(-ago);
  const deseasonalised = window / windowIndex;

  const monthWeight = Float64Array.from(months, (month, j) => {
    const calendarDays = month.endDay - firstDayOf(monthOfDay(month.endDay - 1));
    return indexOf(j) * deseasonalised * ((month.endDay - month.firstDay) / calendarDays);
  });
  if (history < options.runRateMonths) {
    notes.push(`deal creation run-rate over ${window} month(s) only: the history is that short`);
  }
  return {
    channels: [...byChannel].map(([channel, count]) => ({
      channel,
      created: count,
      months: window,
    })),
    monthWeight,
    winChance: winChanceByCreationMonth(months, grid, curve, calendar),
    notes,
  };
}

function* creditOf(
  deal: Deal,
  credit: ChannelCredit | undefined,
): Generator<[string | null, number]> {
  const shares = credit?.get(deal.id);
  if (shares === undefined || shares.size === 0) {
    yield [null, 1];
    return;
  }
  yield* shares;
}

/**
 * Month-of-year index from the last 12 complete months (back[1..12]), shrunk halfway to 1: one
 * year is one observation per calendar month.
 */
function seasonalIndex(back: Float64Array, asOfMonth: { year: number; month: number }): number[] {
  let total = 0;
  for (let ago = 1; ago <= 12; ago++) total += back[ago];
  const average = total / 12;
  const index = new Array<number>(12).fill(1);
  if (average <= 0) return index;
  for (let ago = 1; ago <= 12; ago++) {
    const month = addMonths(asOfMonth, -ago).month;
    index[month - 1] = (back[ago] + average) / (2 * average);
  }
  return index;
}

function winChanceByCreationMonth(
  months: readonly HorizonMonth[],
  grid: DayGrid,
  curve: HazardCurve,
  calendar: CalendarFactors,
): Float64Array[] {
  return months.map((month) => {
    const average = new Float64Array(months.length);
    const days = month.endDay - month.firstDay;
    for (let day = month.firstDay; day < month.endDay; day++) {
      const chances = monthlyWinChances(curve, calendar, 0, day, grid, months.length);
      for (let m = 0; m < months.length; m++) average[m] += chances[m] / days;
    }
    return average;
  });
}
