/** Which deals a funnel covers: one pipeline, optionally one segment and one period. */

import { dayKey } from '../calendar.js';
import type { Deal } from '../deals.js';
import { ClosedloopError } from '../errors.js';
import { counted } from './notes.js';
import type { PeriodFilter } from './types.js';

export interface Selection {
  readonly deals: Deal[];
  readonly notes: string[];
}

/** The pipeline's deals, of the segment when one is given (all segments otherwise). */
export function inPipelineAndSegment(
  deals: readonly Deal[],
  pipeline: string,
  segment: string | undefined,
): Selection {
  const notes: string[] = [];
  const inPipeline = deals.filter((deal) => deal.pipeline === pipeline);
  const others = deals.length - inPipeline.length;
  if (others > 0) notes.push(`${counted(others, 'deal')} of other pipelines left out`);
  const selected =
    segment === undefined ? inPipeline : inPipeline.filter((deal) => deal.segment === segment);
  return { deals: selected, notes };
}

const dayPattern = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Deals whose creation (or close) day in the zone lies in the period, both ends included. A deal
 * without that date cannot be placed and is left out, with a note.
 */
export function inPeriod(
  deals: readonly Deal[],
  period: PeriodFilter,
  timeZone: string,
): Selection {
  for (const bound of [period.from, period.to]) {
    if (!dayPattern.test(bound)) {
      throw new ClosedloopError(
        'CL_ERR_CONFIG',
        `period: expected a day as YYYY-MM-DD, got "${bound}"`,
      );
    }
  }
  const dateOf = (deal: Deal) => (period.by === 'created' ? deal.createdAt : deal.closedAt);
  const selected: Deal[] = [];
  let undated = 0;
  for (const deal of deals) {
    const date = dateOf(deal);
    if (date === null) {
      // An open deal has no close: not being closed in the period is no missing date.
      if (period.by === 'created' || deal.status !== 'open') undated++;
      continue;
    }
    const day = dayKey(date, timeZone);
    if (day >= period.from && day <= period.to) selected.push(deal);
  }
  const what = period.by === 'created' ? 'creation' : 'close';
  const notes =
    undated > 0
      ? [`${counted(undated, 'deal')} without a ${what} date left out of the period`]
      : [];
  return { deals: selected, notes };
}
