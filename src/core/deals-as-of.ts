/**
 * Deals as they were known at a past instant, so that statistics and backtests see only what had
 * happened by then. What the CRM recorded at or after the instant is hidden.
 */
import {
  addDays,
  calendarDateOf,
  checkTimeZone,
  dayKey,
  instantMoment,
  startOfDay,
  utcMidnight,
} from './calendar.js';
import type { Deal, DealStatus, Moment, Pipeline, StageChange } from './deals.js';
import { ClosedloopError } from './errors.js';

export interface AsOfOptions {
  /** The workspace's zone, where a calendar date's day ends (default UTC). */
  readonly timeZone?: string;
  /**
   * The deals' pipelines: with them, a deal whose last stage before the instant is a won or lost
   * stage is closed then, even when it was re-opened later. Without them, re-opened deals show as
   * open in that closing stage.
   */
  readonly pipelines?: readonly Pipeline[];
}

/**
 * Whether a moment had happened by `asOf`: an instant strictly before it; a calendar date once its
 * whole day is over in the zone (so as of noon on 3 March, a deal closed "on 3 March" is still open).
 */
export function knownBy(asOf: number, timeZone: string): (moment: Moment) => boolean {
  const asOfDay = utcMidnight(calendarDateOf(instantMoment(asOf), timeZone));
  return (moment) => (moment.dateOnly ? moment.at < asOfDay : moment.at < asOf);
}

/** The first instant at which a moment counts as known (the inverse of `knownBy`). */
function knownFrom(moment: Moment, timeZone: string): number {
  if (!moment.dateOnly) return moment.at + 1;
  return startOfDay(addDays(calendarDateOf(moment, timeZone), 1), timeZone);
}

/**
 * The deals as known at `asOf`. A deal counts from its creation, or, without a creation date, from
 * its first stage entry, else its close. A deal with no date at all counts from the data's first
 * date on, since the CRM's records begin: before any dated record nothing is known, and after it
 * the CRM kept it as it is now. Stage entries and amounts recorded from `asOf` on are hidden; a deal closed from
 * `asOf` on is open again in the last stage it had entered (null if none).
 */
export function dealsAsOf(deals: readonly Deal[], asOf: number, options: AsOfOptions = {}): Deal[] {
  const timeZone = options.timeZone ?? 'UTC';
  checkTimeZone(timeZone);
  const known = knownBy(asOf, timeZone);
  const outcomeOf = closingOutcomes(options.pipelines ?? []);
  let undatedKnown: boolean | undefined;
  const result: Deal[] = [];
  for (const deal of deals) {
    const since = existsSince(deal);
    if (since === null) {
      // Data with no date at all has no past to hide them from.
      undatedKnown ??= (() => {
        const first = earliestDateOf(deals);
        return first === null || known(first);
      })();
      if (!undatedKnown) continue;
    } else if (!known(since)) continue;
    result.push(dealAsOf(deal, known, outcomeOf));
  }
  return result;
}

type OutcomeOf = (pipeline: string, stage: string) => 'won' | 'lost' | null;

function closingOutcomes(pipelines: readonly Pipeline[]): OutcomeOf {
  const outcomes = new Map<string, 'won' | 'lost'>();
  for (const pipeline of pipelines) {
    for (const stage of pipeline.stages) {
      if (stage.outcome !== null)
        outcomes.set(`${pipeline.name}\u0000${stage.name}`, stage.outcome);
    }
  }
  return (pipeline, stage) => outcomes.get(`${pipeline}\u0000${stage}`) ?? null;
}

function existsSince(deal: Deal): Moment | null {
  return deal.createdAt ?? deal.history[0]?.enteredAt ?? deal.closedAt;
}

function dealAsOf(deal: Deal, known: (moment: Moment) => boolean, outcomeOf: OutcomeOf): Deal {
  const history = deal.history.filter((change) => known(change.enteredAt));
  const closeHidden = deal.closedAt !== null && !known(deal.closedAt);
  const amount = amountAsOf(deal, known);
  if (history.length === deal.history.length && !closeHidden) {
    return amount === null ? deal : { ...deal, ...amount };
  }
  const state = stateAsOf(deal, history, closeHidden, outcomeOf);
  return { ...deal, ...state, history, ...amount };
}

interface DealState {
  readonly status: DealStatus;
  readonly stage: string | null;
  readonly closedAt: Moment | null;
}

function stateAsOf(
  deal: Deal,
  history: readonly StageChange[],
  closeHidden: boolean,
  outcomeOf: OutcomeOf,
): DealState {
  const last = history.at(-1);
  const outcome = last === undefined ? null : outcomeOf(deal.pipeline, last.stage);
  if (last !== undefined && outcome !== null) {
    // The CRM's own close date when it is this close; a re-opened deal's earlier close has none.
    const ownClose = deal.status === outcome && !closeHidden ? deal.closedAt : null;
    return { status: outcome, stage: last.stage, closedAt: ownClose ?? last.enteredAt };
  }
  if (deal.status !== 'open' && !closeHidden) {
    return { status: deal.status, stage: deal.stage, closedAt: deal.closedAt };
  }
  return { status: 'open', stage: last?.stage ?? null, closedAt: null };
}

/** The amount last recorded before `asOf`; null (no change) when the deal has no amount history. */
function amountAsOf(
  deal: Deal,
  known: (moment: Moment) => boolean,
): Pick<Deal, 'amountMinor' | 'currency' | 'amountHistory'> | null {
  const amountHistory = deal.amountHistory.filter((change) => known(change.at));
  if (amountHistory.length === deal.amountHistory.length) return null;
  const last = amountHistory.at(-1);
  return {
    amountMinor: last?.minor ?? null,
    currency: last?.currency ?? deal.currency,
    amountHistory,
  };
}

/**
 * The latest moment of any kind (created, closed, stage entered) that does not lie after `until`
 * (see `isAfter`; default: every moment); null for none.
 */
export function latestDateOf(
  deals: readonly Deal[],
  timeZone = 'UTC',
  until = Number.POSITIVE_INFINITY,
): Moment | null {
  // The latest instant and the latest calendar date, then whichever is known later in the zone.
  let instant: Moment | null = null;
  let date: Moment | null = null;
  for (const deal of deals) {
    for (const moment of datesOf(deal)) {
      if (isAfter(moment, until, timeZone)) continue;
      if (moment.dateOnly) {
        if (date === null || moment.at > date.at) date = moment;
      } else if (instant === null || moment.at > instant.at) instant = moment;
    }
  }
  if (instant === null || date === null) return instant ?? date;
  return knownFrom(date, timeZone) >= knownFrom(instant, timeZone) ? date : instant;
}

/** The earliest moment of any kind; null for no dates at all. */
function earliestDateOf(deals: readonly Deal[]): Moment | null {
  let earliest: Moment | null = null;
  for (const deal of deals) {
    for (const moment of datesOf(deal))
      if (earliest === null || moment.at < earliest.at) earliest = moment;
  }
  return earliest;
}

/** Whether a moment lies after an instant: a later instant, or a calendar date not begun by it. */
function isAfter(moment: Moment, instant: number, timeZone: string): boolean {
  if (instant === Number.POSITIVE_INFINITY) return false;
  if (!moment.dateOnly) return moment.at > instant;
  return startOfDay(calendarDateOf(moment, timeZone), timeZone) > instant;
}

function* datesOf(deal: Deal): Generator<Moment> {
  if (deal.createdAt !== null) yield deal.createdAt;
  if (deal.closedAt !== null) yield deal.closedAt;
  for (const change of deal.history) yield change.enteredAt;
}

/**
 * The default as-of instant: just after the latest date in the data (the end of that day in the
 * zone for a calendar date), not now, so an imported history is not aged by the years since. But
 * never after now: a date later than now is a typo or an expectation, not data, so it neither
 * moves the default nor counts as having happened (`laterDatesNote` says how many there are).
 */
export function defaultAsOf(
  deals: readonly Deal[],
  timeZone = 'UTC',
  now = Date.now(),
): number | null {
  const latest = latestDateOf(deals, timeZone, now);
  if (latest === null) return latestDateOf(deals, timeZone) === null ? null : now;
  return Math.min(knownFrom(latest, timeZone), now);
}

/**
 * The note that deals carry dates after now, which `defaultAsOf` passed over; null for none.
 * `effect` says what the report did about them.
 */
export function laterDatesNote(
  deals: readonly Deal[],
  timeZone = 'UTC',
  now = Date.now(),
  effect = 'the default as-of date stays before them',
): string | null {
  const later = laterDates(deals, timeZone, now);
  return later === null ? null : `${later.text}: ${effect}, and they count as not yet happened`;
}

/**
 * The note that deals carry dates after now, for a report as of a date given: one before now lies
 * before them all, so they count as not yet happened; one after now counts those it lies after as
 * having happened, and the note says of how many deals. Null for none.
 */
export function givenAsOfLaterDatesNote(
  deals: readonly Deal[],
  timeZone: string,
  now: number,
  asOf: number,
): string | null {
  const later = laterDates(deals, timeZone, now, knownBy(asOf, timeZone));
  if (later === null) return null;
  if (later.known === 0) {
    return `${later.text}: the as-of date given lies before them, and they count as not yet happened`;
  }
  return `${later.text}, yet the as-of date given lies after those of ${dealCount(later.known)}, and they count as having happened; later ones count as not yet happened`;
}

const dealCount = (n: number) => (n === 1 ? '1 deal' : `${n.toLocaleString('en-US')} deals`);

/**
 * How many deals carry dates after now, said with the latest of them, and of how many deals such
 * a date is one `known` counts as happened; null for none.
 */
function laterDates(
  deals: readonly Deal[],
  timeZone: string,
  now: number,
  known: (moment: Moment) => boolean = () => false,
): { readonly text: string; readonly known: number } | null {
  let count = 0;
  let knownCount = 0;
  let latest: Moment | null = null;
  for (const deal of deals) {
    let later = false;
    let happened = false;
    for (const moment of datesOf(deal)) {
      if (!isAfter(moment, now, timeZone)) continue;
      later = true;
      if (known(moment)) happened = true;
      if (latest === null || moment.at > latest.at) latest = moment;
    }
    if (later) count++;
    if (happened) knownCount++;
  }
  if (latest === null) return null;
  const shown = new Date(latest.at).toISOString();
  const which =
    count === 1 ? '1 deal carries a date' : `${count.toLocaleString('en-US')} deals carry dates`;
  return {
    text: `${which} after now (the latest ${latest.dateOnly ? shown.slice(0, 10) : shown}); dates after now are typos or expectations, not data`,
    known: knownCount,
  };
}

/**
 * The day (YYYY-MM-DD in the zone) the data starts: the earliest date a deal counts from in
 * `dealsAsOf` (its creation, else its first stage entry, else its close); null for no such date.
 * The backtest names it when it leaves out as-of dates before any deal was known.
 */
export function firstDateOf(deals: readonly Deal[], timeZone: string): string | null {
  let first: Moment | null = null;
  for (const deal of deals) {
    const since = existsSince(deal);
    if (since !== null && (first === null || since.at < first.at)) first = since;
  }
  return first === null ? null : dayKey(first, timeZone);
}

/**
 * Refuses (CL_ERR_MODEL_INPUT, naming the field `name`) an as-of date at which none of the deals
 * was known yet, `known` being `dealsAsOf`'s answer: a report of zeros would read as a business
 * that sold nothing, where it only had no data yet. The backtest leaves such dates out, as said.
 */
export function checkSomeDealKnown(
  deals: readonly Deal[],
  known: readonly Deal[],
  asOf: number,
  timeZone: string,
  name: string,
): void {
  if (deals.length === 0 || known.length > 0) return;
  const first = firstDateOf(deals, timeZone);
  const where = first === null ? 'the deals hold no date' : `the data starts on ${first}`;
  throw new ClosedloopError(
    'CL_ERR_MODEL_INPUT',
    `${name}: no deal was known yet as of ${shownInstant(asOf, timeZone)} (${where})`,
  );
}

/** An instant as its day (YYYY-MM-DD) when it is the start of that day in the zone, else in ISO. */
function shownInstant(at: number, timeZone: string): string {
  const moment = instantMoment(at);
  return startOfDay(calendarDateOf(moment, timeZone), timeZone) === at
    ? dayKey(moment, timeZone)
    : new Date(at).toISOString();
}
