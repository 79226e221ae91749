/**
 * The chance that a deal open at the start of a day is won in each coming month: walk the days of
 * the horizon, multiplying the chance of still being open by one minus that day's hazards. A deal
 * that moves to another stage goes on with that stage's chances from the day it moves
 * (`continuation`), so the stages chain into one semi-Markov forecast.
 */

/** The monthly win chances of a deal entering open stage `stage` on `day` (age 0 there). */
export type Continuation = (stage: number, day: number) => Float64Array;

import type { DayGrid } from './days.js';
import type { CalendarFactors, HazardCurve } from './hazards.js';

/**
 * By month of the grid, the chance of being won then, for a deal of age `age` (days on the
 * curve's clock) at the start of `startDay`. Days before the grid's first day are skipped over
 * (the deal is known to be open then).
 */
export function monthlyWinChances(
  curve: HazardCurve,
  calendar: CalendarFactors,
  age: number,
  startDay: number,
  grid: DayGrid,
  months: number,
  continuation?: Continuation,
): Float64Array {
  const chances = new Float64Array(months);
  const length = curve.won.length;
  let open = 1;
  for (let day = Math.max(startDay, grid.firstDay); day < grid.endDay; day++) {
    const i = day - grid.firstDay;
    const position = grid.position[i];
    const a = age + day - startDay;
    let won = (a < length ? curve.won[a] : curve.tailWon) * calendar.won[position];
    let lost = (a < length ? curve.lost[a] : curve.tailLost) * calendar.lost[position];
    let moving = 0;
    for (const move of curve.moves) moving += a < length ? move.hazard[a] : move.tail;
    const leaving = won + lost + moving;
    const scale = leaving > 1 ? 1 / leaving : 1;
    won *= scale;
    lost *= scale;
    chances[grid.month[i]] += open * won;
    if (moving > 0 && continuation !== undefined) {
      for (const move of curve.moves) {
        const mass = open * scale * (a < length ? move.hazard[a] : move.tail);
        if (mass <= 0) continue;
        const after = continuation(move.to, day);
        for (let m = 0; m < months; m++) chances[m] += mass * after[m];
      }
    }
    open *= 1 - leaving * scale;
    if (open < 1e-12) break;
  }
  return chances;
}
