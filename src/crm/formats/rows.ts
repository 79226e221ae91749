/**
 * What every format does once it has read a row's cells: reject the row on its first bad cell (or
 * a negative amount), or hand the deal or history entry over with the quirks the row shows (kept,
 * never fatal).
 */
import { calendarDateOf, utcMidnight } from '../../core/calendar.js';
import type { DealStatus, Moment } from '../../core/deals.js';
import { outcomeOfStage } from '../stage-words.js';
import { quote } from '../values.js';
import type { RowCells } from './cells.js';
import type { DealRow, HistoryRow, ParsedRow } from './format.js';

export function dealResult(
  cells: RowCells,
  deal: DealRow,
  quirks: readonly string[] = [],
): ParsedRow {
  for (const amount of [deal.amount, ...(deal.history ?? []).map((entry) => entry.amount)]) {
    refuseNegative(cells, amount);
  }
  if (cells.error !== undefined) return { kind: 'error', error: cells.error };
  const all = [...quirks, ...dealQuirks(deal, cells.timeZone ?? 'UTC')];
  return all.length === 0 ? { kind: 'deal', deal } : { kind: 'deal', deal, quirks: all };
}

export function historyResult(cells: RowCells, history: HistoryRow): ParsedRow {
  refuseNegative(cells, history.amount);
  if (cells.error !== undefined) return { kind: 'error', error: cells.error };
  return { kind: 'history', history };
}

/**
 * A negative amount is no deal's value: kept, it would show as negative revenue. Refused as the
 * deals API and the webhooks refuse it. Amounts are cleaned decimals, so "-0" is already "0".
 */
function refuseNegative(cells: RowCells, amount: string | undefined): void {
  if (amount?.startsWith('-') === true) {
    cells.reject('amount', `expected an amount of 0 or more, got ${quote(amount)}`);
  }
}

/** Oddities of real exports that the import keeps but lists in its summary. */
function dealQuirks(deal: DealRow, timeZone: string): string[] {
  const quirks: string[] = [];
  if (
    deal.createdAt !== undefined &&
    deal.closedAt !== undefined &&
    isBefore(deal.closedAt, deal.createdAt, timeZone)
  ) {
    quirks.push('closed before created');
  }
  return quirks;
}

/**
 * Earlier, by calendar day in the zone when either side is a date alone (a deal closed the day it
 * was created is fine).
 */
function isBefore(a: Moment, b: Moment, timeZone: string): boolean {
  if (a.dateOnly || b.dateOnly) {
    return utcMidnight(calendarDateOf(a, timeZone)) < utcMidnight(calendarDateOf(b, timeZone));
  }
  return a.at < b.at;
}

/**
 * A status the file states, else the one its stage's name implies (won or lost; an unknown stage
 * name says nothing). A stated status the stage contradicts is kept, and reported.
 */
export function statusFromStage(
  stated: DealStatus | undefined,
  stage: string | undefined,
): { status?: DealStatus; quirks: string[] } {
  const implied = stage === undefined ? null : outcomeOfStage(stage);
  if (stated === undefined) return { status: implied ?? undefined, quirks: [] };
  const contradicts = implied !== null && implied !== stated;
  return { status: stated, quirks: contradicts ? ['status disagrees with stage'] : [] };
}
