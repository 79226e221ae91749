/**
 * Fitting the forecast model as of an instant: rewind the deals, estimate the hazards per stage and
 * for new deals, value every open deal, group alike deals for the draws, and measure the run-rate
 * of new pipeline. Everything the Monte Carlo, the explanations and the expected values need.
 */
import { addMonths } from '../calendar.js';
import type { Deal, Pipeline } from '../deals.js';
import { dealsAsOf } from '../deals-as-of.js';
import { counted } from '../funnel/notes.js';
import {
  asOfDayNumber,
  type DayGrid,
  dayGrid,
  dayNumber,
  firstDayOf,
  type HorizonMonth,
  horizonMonths,
  monthOfDay,
} from './days.js';
import {
  type DealSizeStatistic,
  type DealValue,
  dealValuer,
  mrrPerBooking,
} from './deal-values.js';
import { groupOpenDeals, type OpenDealGroup } from './groups.js';
import {
  type CalendarFactors,
  defaultCurve,
  exposureTable,
  fitCalendarFactors,
  type HazardCurve,
  hazardCurve,
  noCalendarEffect,
} from './hazards.js';
import { type ChannelCredit, type NewPipeline, newPipeline } from './new-pipeline.js';
import type { ModelSettings } from './settings.js';
import {
  minClosedPerCurve,
  type PipelineCurves,
  type StageCurve,
  stageCurves,
} from './stage-curves.js';
import { type OpenPosition, pipelineHistory, type Stay } from './stays.js';
import { type Continuation, monthlyWinChances } from './win-chances.js';

export interface ModelInput {
  /** Every deal as known now; the model rewinds them to `asOf` itself. */
  readonly deals: readonly Deal[];
  readonly pipelines: readonly Pipeline[];
  readonly timeZone: string;
  /** A deal's amount in minor units of the workspace currency; null when unknown. */
  readonly amountOf: (deal: Deal) => number | null;
  readonly asOf: number;
  readonly horizon: number;
  readonly dealSize: DealSizeStatistic;
  readonly channelCredit?: ChannelCredit;
  /** The present (default: the clock), for `dealsAsOf`. */
  readonly now?: number;
}

/** One open deal's outlook: the numbers behind its explanation. */
export interface DealOutlook {
  readonly deal: Deal;
  readonly stage: string | null;
  readonly curve: Pick<StageCurve, 'source' | 'pooledWith' | 'usualDays'> | null;
  /** Days in its current stage (since creation when no entry is on record); null when undated. */
  readonly daysInStage: number | null;
  readonly daysSinceCreated: number | null;
  /** By coming month, the chance it is won then. */
  readonly chances: Float64Array;
  readonly value: DealValue;
  readonly mrrPerBooking: number;
}

export interface FittedModel {
  readonly asOf: number;
  readonly asOfDay: number;
  readonly months: readonly HorizonMonth[];
  readonly grid: DayGrid;
  /** The deals as known at as-of. */
  readonly known: readonly Deal[];
  readonly outlooks: readonly DealOutlook[];
  readonly groups: readonly OpenDealGroup[];
  /** Channel names of the split; index into it from groups and new pipeline. */
  readonly channels: readonly (string | null)[];
  readonly newPipeline: NewPipeline;
  readonly newDeal: { readonly distribution: DealValue['distribution']; readonly mrrShare: number };
  readonly calendar: CalendarFactors;
  readonly notes: readonly string[];
}

export function fitModel(input: ModelInput, settings: ModelSettings): FittedModel {
  const { timeZone, pipelines } = input;
  const known = dealsAsOf(input.deals, input.asOf, { timeZone, pipelines });
  const asOfDay = asOfDayNumber(input.asOf, timeZone);
  const months = horizonMonths(asOfDay, input.horizon);
  const grid = dayGrid(months);
  const notes: string[] = [];

  const histories = pipelinesOf(known, pipelines, notes).map((pipeline) => ({
    pipeline,
    history: pipelineHistory(known, pipeline, asOfDay, timeZone),
  }));
  const creation: Stay[] = histories.flatMap(({ history }) => history.creation);
  // Before the first close on record the CRM was not recording closes: at-risk days then would
  // read as "nothing ever closes". Left truncation there loses data but biases nothing.
  const fromDay = Math.max(
    hazardPeriodStart(asOfDay, settings.hazardWindowMonths),
    firstCloseDay(creation),
  );
  const windowed = exposureTable(creation, fromDay);
  // Too few closes in the recent period: the whole history it is.
  const creationTable = windowed.closed >= minClosedPerCurve ? windowed : exposureTable(creation);
  const calendar = chooseCalendar(settings, creationTable, notes);
  const creationCurve = newDealCurve(creationTable, calendar, pipelines, notes);
  const undated = histories.reduce((sum, { history }) => sum + history.undatedClosed, 0);
  if (undated > 0)
    notes.push(`${counted(undated, 'closed deal')} without a close date left out of the hazards`);

  const valuer = dealValuer(known, input.amountOf, input.dealSize);
  const earliestDay = creation.reduce((first, stay) => Math.min(first, stay.entryDay), asOfDay);
  const outlooks: DealOutlook[] = [];
  let undatedOpen = 0;
  for (const { pipeline, history } of histories) {
    const curves = stageCurves(history, pipeline, calendar, fromDay, settings);
    notes.push(...curves.notes);
    const chancesOf = chanceTable(curves, grid, months.length, calendar);
    for (const position of history.open) {
      const stageCurve = curves.curveOf(position.stageIndex, position.deal.segment);
      // An undated deal has been open as long as we can tell: since the earliest date in the data.
      if (position.entryDay === null) undatedOpen++;
      const age = asOfDay - (position.entryDay ?? earliestDay);
      outlooks.push(
        outlookOf(
          position,
          stageCurve,
          asOfDay,
          chancesOf(stageCurve?.curve ?? creationCurve, age, position.deal.segment),
          valuer.valueOf(position.deal),
          age,
        ),
      );
    }
  }
  if (undatedOpen > 0) {
    notes.push(
      `${counted(undatedOpen, 'open deal')} without any date counted as open since the earliest date in the data`,
    );
  }
  // Deals in a currency with no rate are said per currency by the report, not as unsized.
  const unvalued = outlooks.filter((o) => o.value.source === 'none').length;
  if (unvalued > 0)
    notes.push(
      `${counted(unvalued, 'open deal')} with no amount and no won deal to size it by: counted, not valued`,
    );

  const channels = channelNames(input.channelCredit, known);
  const created = known.flatMap((deal) => {
    const at = deal.createdAt ?? deal.history[0]?.enteredAt ?? null;
    return at === null ? [] : [{ deal, createdDay: dayNumber(at, timeZone) }];
  });
  const pipelineOfNew = newPipeline(
    created,
    input.channelCredit,
    months,
    grid,
    creationCurve,
    calendar,
    settings,
  );
  notes.push(...pipelineOfNew.notes);
  return {
    asOf: input.asOf,
    asOfDay,
    months,
    grid,
    known,
    outlooks,
    groups: groupOpenDeals(outlooks, input.channelCredit, channels),
    channels,
    newPipeline: pipelineOfNew,
    // A deal created at as-of at the earliest is at most this old when the horizon ends.
    newDeal: {
      distribution: valuer.wonWithin((months.at(-1)?.endDay ?? asOfDay) - asOfDay),
      mrrShare: valuer.mrrShare,
    },
    calendar,
    notes,
  };
}

function firstCloseDay(stays: readonly Stay[]): number {
  let first = Number.NEGATIVE_INFINITY;
  for (const stay of stays) {
    if (stay.outcome === 'open') continue;
    const day = stay.entryDay + stay.days;
    if (first === Number.NEGATIVE_INFINITY || day < first) first = day;
  }
  return first;
}

function hazardPeriodStart(asOfDay: number, months: number | null): number {
  if (months === null) return Number.NEGATIVE_INFINITY;
  return firstDayOf(addMonths(monthOfDay(asOfDay), -months));
}

/** The given pipelines, plus a bare one for deals of a pipeline not given (they use the creation clock). */
function pipelinesOf(
  deals: readonly Deal[],
  pipelines: readonly Pipeline[],
  notes: string[],
): Pipeline[] {
  const named = new Set(pipelines.map((p) => p.name));
  const others = [...new Set(deals.map((d) => d.pipeline))].filter((name) => !named.has(name));
  if (others.length > 0) {
    notes.push(
      `pipeline(s) ${others.join(', ')} not configured: their deals are timed from creation, not by stage`,
    );
  }
  return [...pipelines, ...others.map((name) => ({ name, stages: [] }))];
}

function chooseCalendar(
  settings: ModelSettings,
  table: ReturnType<typeof exposureTable>,
  notes: string[],
): CalendarFactors {
  if (!settings.calendar) return noCalendarEffect;
  const fitted = fitCalendarFactors(table);
  if (fitted === null) {
    notes.push('no quarter-end effect learned yet: closes do not cover every month of a quarter');
    return noCalendarEffect;
  }
  const show = (f: readonly number[]) => f.map((x) => x.toFixed(2)).join(' / ');
  notes.push(
    `close timing by month of quarter: won × ${show(fitted.won)}, lost × ${show(fitted.lost)}`,
  );
  return fitted;
}

/** Pseudo-deals at the prior that a thin history's win rate is shrunk with (as the spread's prior). */
const priorDeals = 2;

/**
 * Hazards of a deal from its creation: for deals not created yet and deals of no or an unknown
 * stage. With too little history, the win rate of the closed deals shrunk toward a prior — the
 * first stage's default probability, else an even chance — closes spread evenly over 90 days.
 */
function newDealCurve(
  table: ReturnType<typeof exposureTable>,
  calendar: CalendarFactors,
  pipelines: readonly Pipeline[],
  notes: string[],
): HazardCurve {
  if (table.closed >= minClosedPerCurve) return hazardCurve(table, calendar);
  const first = pipelines[0]?.stages.find((stage) => stage.outcome === null);
  const prior = first?.probability ?? 0.5;
  let won = 0;
  for (const row of table.won) for (const n of row) won += n;
  const probability = (won + priorDeals * prior) / (table.closed + priorDeals);
  const toward =
    first === undefined
      ? 'an even chance (no stage to take a default probability from)'
      : `the first stage's default probability, ${prior}`;
  notes.push(
    `too little history for new deals (${counted(table.closed, 'closed deal')}, ${won} won): they win with chance ${probability.toFixed(2)}, their win rate shrunk by ${priorDeals} pseudo-deals toward ${toward}, closes spread evenly over 90 days`,
  );
  return defaultCurve(probability, 90);
}

/**
 * Win chances by curve, segment and age, each computed once (deals of one curve and age share
 * them), chained through the stages a deal may move to. A stage entered again on a path already
 * being computed (a loop back) adds nothing: the path's own hazards already count its wins.
 */
function chanceTable(
  curves: PipelineCurves,
  grid: DayGrid,
  months: number,
  calendar: CalendarFactors,
) {
  const none = new Float64Array(months);
  const entering = new Map<string, Float64Array | null>();
  const continuations = new Map<string | null, Continuation>();
  const continuationFor = (segment: string | null): Continuation => {
    let found = continuations.get(segment);
    if (found !== undefined) return found;
    const continuation: Continuation = (stage, day) => {
      const key = `${stage}|${day}`;
      const known = entering.get(`${segment}|${key}`);
      if (known !== undefined) return known ?? none;
      entering.set(`${segment}|${key}`, null); // in progress
      const curve = curves.curveOf(stage, segment)?.curve;
      const chances =
        curve === undefined
          ? none
          : monthlyWinChances(curve, calendar, 0, day, grid, months, continuation);
      entering.set(`${segment}|${key}`, chances);
      return chances;
    };
    continuations.set(segment, continuation);
    found = continuation;
    return found;
  };
  const cache = new Map<HazardCurve, Map<string, Float64Array>>();
  return (curve: HazardCurve, age: number, segment: string | null): Float64Array => {
    let byAge = cache.get(curve);
    if (byAge === undefined) {
      byAge = new Map();
      cache.set(curve, byAge);
    }
    const key = `${segment}|${age}`;
    let chances = byAge.get(key);
    if (chances === undefined) {
      chances = monthlyWinChances(
        curve,
        calendar,
        age,
        grid.firstDay,
        grid,
        months,
        continuationFor(segment),
      );
      byAge.set(key, chances);
    }
    return chances;
  };
}

function outlookOf(
  position: OpenPosition,
  stageCurve: StageCurve | undefined,
  asOfDay: number,
  chances: Float64Array,
  value: DealValue,
  age: number,
): DealOutlook {
  return {
    deal: position.deal,
    stage: position.deal.stage,
    curve: stageCurve ?? null,
    daysInStage: position.entryDay === null ? null : age,
    daysSinceCreated: position.createdDay === null ? null : asOfDay - position.createdDay,
    chances,
    value,
    mrrPerBooking: mrrPerBooking(position.deal),
  };
}

function channelNames(
  credit: ChannelCredit | undefined,
  deals: readonly Deal[],
): (string | null)[] {
  const names = new Set<string>();
  if (credit !== undefined) {
    for (const deal of deals)
      for (const channel of credit.get(deal.id)?.keys() ?? []) names.add(channel);
  }
  return [...[...names].sort(), null];
}
