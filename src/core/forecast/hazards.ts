/**
 * Competing-risks hazards in daily steps: for each age d (days since the clock started), the
 * chance that a deal still open at the start of day d is won that day, and that it is lost. With
 * no calendar effect they are the Aalen–Johansen increments won(d)/at-risk(d), lost(d)/at-risk(d),
 * so hand-made histories give hand-computed answers. A calendar effect multiplies the hazards of
 * the days in the first, second and third month of a quarter (deals bunch at quarter ends); it is
 * fitted with the age hazards as a Poisson model by alternating updates (iterative proportional
 * fitting), each factor shrunk toward 1 by `calendarPrior` pseudo-events.
 */
import { dayMs } from '../calendar.js';
import { monthOfDay, quarterPosition } from './days.js';
import type { Stay } from './stays.js';

/** Ages with fewer deals at risk than this share one constant tail hazard. */
const minAtRisk = 10;
/** Pseudo-events that pull each calendar factor toward 1 (weak evidence stays near no effect). */
const calendarPrior = 20;

/** Multipliers of the daily won and lost hazards by the month's position in its quarter. */
export interface CalendarFactors {
  readonly won: readonly [number, number, number];
  readonly lost: readonly [number, number, number];
}

export const noCalendarEffect: CalendarFactors = { won: [1, 1, 1], lost: [1, 1, 1] };

export interface HazardCurve {
  /** Daily hazards by age, before calendar factors, for ages below `won.length`. */
  readonly won: Float64Array;
  readonly lost: Float64Array;
  /** Constant hazards from age `won.length` on, where few deals were ever at risk. */
  readonly tailWon: number;
  readonly tailLost: number;
  /** Daily hazards of moving to another open stage (index `to`), by age, and beyond: `tail`. */
  readonly moves: readonly Move[];
  /** Deals in the sample, and those closed. */
  readonly deals: number;
  readonly closed: number;
}

export interface Move {
  readonly to: number;
  readonly hazard: Float64Array;
  readonly tail: number;
}

/** Deals at risk, wins and losses, by age and by the quarter position of the calendar day. */
export interface ExposureTable {
  readonly ages: number;
  readonly atRisk: readonly [Float64Array, Float64Array, Float64Array];
  readonly won: readonly [Float64Array, Float64Array, Float64Array];
  readonly lost: readonly [Float64Array, Float64Array, Float64Array];
  /** Moves to another open stage, by destination and age (moves have no calendar effect). */
  readonly moved: ReadonlyMap<number, Float64Array>;
  readonly deals: number;
  readonly closed: number;
  /** Stays that ended in the period: closed or moved on. */
  readonly ended: number;
  /** Distinct calendar months with a close, by quarter position. */
  readonly closeMonths: readonly [number, number, number];
}

const triple = (ages: number) =>
  [new Float64Array(ages), new Float64Array(ages), new Float64Array(ages)] as const;

/**
 * At-risk days and closes of a sample; with `fromDay`, only those on or after it (a period
 * estimate: deals' recent behaviour, whenever they entered — stays that began earlier count from
 * their age at `fromDay`, which is left truncation).
 */
export function exposureTable(
  stays: readonly Stay[],
  fromDay = Number.NEGATIVE_INFINITY,
): ExposureTable {
  let ages = 1;
  for (const stay of stays) ages = Math.max(ages, stay.days + 2);
  const atRisk = triple(ages);
  const won = triple(ages);
  const lost = triple(ages);
  const months = [new Set<number>(), new Set<number>(), new Set<number>()];
  const moved = new Map<number, Float64Array>();
  let closed = 0;
  let ended = 0;
  for (const stay of stays) {
    // A closed deal was at risk through its closing day; an open one until the day before as-of.
    const lastAtRisk = stay.outcome === 'open' ? stay.days - 1 : stay.days;
    addExposure(atRisk, stay.entryDay, Math.max(0, fromDay - stay.entryDay), lastAtRisk);
    const closeDay = stay.entryDay + stay.days;
    if (stay.outcome === 'open' || closeDay < fromDay) continue;
    ended++;
    if (stay.outcome === 'moved') {
      let row = moved.get(stay.to);
      if (row === undefined) {
        row = new Float64Array(ages);
        moved.set(stay.to, row);
      }
      row[stay.days]++;
      continue;
    }
    closed++;
    const position = quarterPosition(closeDay);
    (stay.outcome === 'won' ? won : lost)[position][stay.days]++;
    months[position].add(Math.floor(closeDay / 28)); // any key unique per month will do
  }
  for (const row of atRisk) {
    for (let d = 1; d < ages; d++) row[d] += row[d - 1];
  }
  return {
    ages,
    atRisk,
    won,
    lost,
    moved,
    deals: stays.length,
    closed,
    ended,
    closeMonths: [months[0].size, months[1].size, months[2].size],
  };
}

/** Adds one deal at risk for ages firstAge..lastAge, split at month boundaries (as differences). */
function addExposure(
  atRisk: readonly [Float64Array, Float64Array, Float64Array],
  entryDay: number,
  firstAge: number,
  lastAge: number,
): void {
  let age = firstAge;
  while (age <= lastAge) {
    const day = entryDay + age;
    const month = monthOfDay(day);
    const nextMonth = Date.UTC(month.year, month.month, 1) / dayMs;
    const until = Math.min(lastAge + 1, nextMonth - entryDay);
    const row = atRisk[quarterPosition(day)];
    row[age] += 1;
    if (until < row.length) row[until] -= 1;
    age = until;
  }
}

/**
 * Calendar factors fitted on a sample (the creation clock: each deal once). Null when the closes
 * do not yet cover every position of the quarter: the effect cannot be told from the age effect.
 */
export function fitCalendarFactors(table: ExposureTable): CalendarFactors | null {
  if (table.closeMonths.some((months) => months === 0)) return null;
  return { won: fitFactors(table, table.won), lost: fitFactors(table, table.lost) };
}

function fitFactors(
  table: ExposureTable,
  events: readonly [Float64Array, Float64Array, Float64Array],
): [number, number, number] {
  const factors: [number, number, number] = [1, 1, 1];
  const hazard = new Float64Array(table.ages);
  const eventsAt = (p: number) => events[p].reduce((sum, n) => sum + n, 0);
  for (let iteration = 0; iteration < 50; iteration++) {
    for (let d = 0; d < table.ages; d++) {
      let count = 0;
      let exposure = 0;
      for (let p = 0; p < 3; p++) {
        count += events[p][d];
        exposure += table.atRisk[p][d] * factors[p];
      }
      hazard[d] = exposure > 0 ? count / exposure : 0;
    }
    for (let p = 0; p < 3; p++) {
      let expected = 0;
      for (let d = 0; d < table.ages; d++) expected += table.atRisk[p][d] * hazard[d];
      factors[p] = (eventsAt(p) + calendarPrior) / (expected + calendarPrior);
    }
    // Only ratios are identified: the factors average 1 over a quarter, the hazards carry the level.
    const average = (factors[0] + factors[1] + factors[2]) / 3;
    for (let p = 0; p < 3; p++) factors[p] /= average;
  }
  return factors;
}

/** The age hazards of a sample given calendar factors, with a pooled tail where data thin out. */
export function hazardCurve(table: ExposureTable, calendar: CalendarFactors): HazardCurve {
  const exposure = (d: number, factors: readonly number[]) =>
    table.atRisk[0][d] * factors[0] +
    table.atRisk[1][d] * factors[1] +
    table.atRisk[2][d] * factors[2];
  const count = (events: ExposureTable['won'], d: number) =>
    events[0][d] + events[1][d] + events[2][d];
  // The tail starts where the deals at risk thin out for good (early ages may be thin too, when
  // the period is left-truncated: those keep their own hazards).
  const atRisk = (d: number) => table.atRisk[0][d] + table.atRisk[1][d] + table.atRisk[2][d];
  let tailFrom = table.ages;
  while (tailFrom > 0 && atRisk(tailFrom - 1) < minAtRisk) tailFrom--;
  const won = new Float64Array(tailFrom);
  const lost = new Float64Array(tailFrom);
  for (let d = 0; d < tailFrom; d++) {
    const wonExposure = exposure(d, calendar.won);
    const lostExposure = exposure(d, calendar.lost);
    won[d] = wonExposure > 0 ? count(table.won, d) / wonExposure : 0;
    lost[d] = lostExposure > 0 ? count(table.lost, d) / lostExposure : 0;
  }
  let tailWins = 0;
  let tailLosses = 0;
  let tailWonExposure = 0;
  let tailLostExposure = 0;
  for (let d = tailFrom; d < table.ages; d++) {
    tailWins += count(table.won, d);
    tailLosses += count(table.lost, d);
    tailWonExposure += exposure(d, calendar.won);
    tailLostExposure += exposure(d, calendar.lost);
  }
  const moves = [...table.moved].map(([to, events]): Move => {
    const hazard = new Float64Array(tailFrom);
    for (let d = 0; d < tailFrom; d++) hazard[d] = atRisk(d) > 0 ? events[d] / atRisk(d) : 0;
    let tailEvents = 0;
    let tailExposure = 0;
    for (let d = tailFrom; d < table.ages; d++) {
      tailEvents += events[d];
      tailExposure += atRisk(d);
    }
    return { to, hazard, tail: tailExposure > 0 ? tailEvents / tailExposure : 0 };
  });
  return {
    won,
    lost,
    tailWon: tailWonExposure > 0 ? tailWins / tailWonExposure : 0,
    tailLost: tailLostExposure > 0 ? tailLosses / tailLostExposure : 0,
    moves,
    deals: table.deals,
    closed: table.closed,
  };
}

/**
 * A curve for a stage without history: the stage's default chance of winning, the deals closing
 * at an even daily rate over `cycleDays` (a stated assumption, used only on a new workspace).
 */
export function defaultCurve(probability: number, cycleDays: number): HazardCurve {
  const won = new Float64Array(cycleDays);
  const lost = new Float64Array(cycleDays);
  for (let d = 0; d < cycleDays; d++) {
    const remaining = cycleDays - d; // equal shares of the deals close on each remaining day
    won[d] = probability / remaining;
    lost[d] = (1 - probability) / remaining;
  }
  return { won, lost, tailWon: 0, tailLost: 0, moves: [], deals: 0, closed: 0 };
}

/**
 * A subgroup's own hazards (a segment's), shrunk toward the curve of the whole sample age by age:
 * at age d, (its events + prior × the pooled hazard) ÷ (its deals at risk + prior). Where the
 * subgroup has many deals at risk it speaks for itself; where it has few (old ages, small
 * segments), the pooled curve does — empirical Bayes with `prior` pseudo-deals at risk per day.
 * Unlike a single ratio, this keeps a slow segment's hazards low early and later high: big deals
 * are not just rarer closers, they close later.
 */
export function shrunkCurve(
  pooled: HazardCurve,
  table: ExposureTable,
  calendar: CalendarFactors,
  prior: number,
): HazardCurve {
  const length = pooled.won.length;
  const exposure = (d: number, factors: readonly number[]) =>
    d < table.ages
      ? table.atRisk[0][d] * factors[0] +
        table.atRisk[1][d] * factors[1] +
        table.atRisk[2][d] * factors[2]
      : 0;
  const count = (events: ExposureTable['won'], d: number) =>
    d < table.ages ? events[0][d] + events[1][d] + events[2][d] : 0;
  const atRisk = (d: number) => exposure(d, [1, 1, 1]);
  const won = new Float64Array(length);
  const lost = new Float64Array(length);
  for (let d = 0; d < length; d++) {
    won[d] = (count(table.won, d) + prior * pooled.won[d]) / (exposure(d, calendar.won) + prior);
    lost[d] =
      (count(table.lost, d) + prior * pooled.lost[d]) / (exposure(d, calendar.lost) + prior);
  }
  // Beyond the pooled curve's ages: one constant hazard, the subgroup's tail shrunk to the pooled.
  let tailWins = 0;
  let tailLosses = 0;
  let tailWonExposure = 0;
  let tailLostExposure = 0;
  for (let d = length; d < table.ages; d++) {
    tailWins += count(table.won, d);
    tailLosses += count(table.lost, d);
    tailWonExposure += exposure(d, calendar.won);
    tailLostExposure += exposure(d, calendar.lost);
  }
  const tailPrior = prior * tailDays;
  const moves = pooled.moves.map((move): Move => {
    const events = table.moved.get(move.to);
    const hazard = new Float64Array(length);
    for (let d = 0; d < length; d++) {
      const own = events !== undefined && d < table.ages ? events[d] : 0;
      hazard[d] = (own + prior * move.hazard[d]) / (atRisk(d) + prior);
    }
    let tailEvents = 0;
    let tailExposure = 0;
    for (let d = length; d < table.ages; d++) {
      tailEvents += events?.[d] ?? 0;
      tailExposure += atRisk(d);
    }
    return {
      to: move.to,
      hazard,
      tail: (tailEvents + tailPrior * move.tail) / (tailExposure + tailPrior),
    };
  });
  return {
    won,
    lost,
    tailWon: (tailWins + tailPrior * pooled.tailWon) / (tailWonExposure + tailPrior),
    tailLost: (tailLosses + tailPrior * pooled.tailLost) / (tailLostExposure + tailPrior),
    moves,
    deals: table.deals,
    closed: table.closed,
  };
}

/**
 * Pseudo-deals at risk per day that pull a segment's hazards toward the pooled ones: one, so a
 * segment's own deals decide wherever it has a few at risk (segments differ in pace, not only in
 * level: a stronger pull gave slow big deals the hazards of fast small ones).
 */
export const segmentPrior = 1;

/** The pseudo-days of exposure a subgroup's tail hazard is shrunk with (per pseudo-deal). */
const tailDays = 30;
