/**
 * The survival samples the hazards are estimated from: for each open stage, every deal that entered
 * it, with the days from its (last) entry to its close — won or lost — or, still open, to the as-of
 * day (censored). Measuring to the close rather than to the next stage makes each stage's estimate
 * a direct answer to "a deal that entered this stage d days ago: will it be won, and when?".
 * A second sample uses the deal's creation as the clock: it times deals not yet created.
 */
import type { Deal, Pipeline } from '../deals.js';
import { dayNumber } from './days.js';

export type StayOutcome = 'won' | 'lost' | 'open';

export interface Stay {
  /** The day the clock starts: entry into the stage, or creation. */
  readonly entryDay: number;
  /** Days from entry to the close, or to the as-of day when still open (then censored). */
  readonly days: number;
  readonly outcome: StayOutcome;
}

/** Where an open deal stands: its stage (index among the open stages, −1 unknown) and clocks. */
export interface OpenPosition {
  readonly deal: Deal;
  readonly stageIndex: number;
  /** Day it entered its current stage (its creation when no entry is on record); null undated. */
  readonly entryDay: number | null;
  readonly createdDay: number | null;
}

export interface PipelineHistory {
  readonly openStages: readonly string[];
  readonly byStage: readonly Stay[][];
  readonly creation: readonly Stay[];
  /** Days spent in each stage by deals that have left it (for "usual time in stage"). */
  readonly daysInStage: readonly number[][];
  readonly open: readonly OpenPosition[];
  /** Closed deals without a close date: they cannot be timed and are left out. */
  readonly undatedClosed: number;
}

/** The pipeline's deals as known at the as-of day (already rewound with dealsAsOf). */
export function pipelineHistory(
  deals: readonly Deal[],
  pipeline: Pipeline,
  asOfDay: number,
  timeZone: string,
): PipelineHistory {
  const openStages = pipeline.stages.filter((s) => s.outcome === null).map((s) => s.name);
  const index = new Map(openStages.map((name, i) => [name, i]));
  const byStage = openStages.map((): Stay[] => []);
  const daysInStage = openStages.map((): number[] => []);
  const creation: Stay[] = [];
  const open: OpenPosition[] = [];
  let undatedClosed = 0;
  const day = (moment: Deal['createdAt']) => (moment === null ? null : dayNumber(moment, timeZone));

  for (const deal of deals) {
    if (deal.pipeline !== pipeline.name) continue;
    const closeDay = deal.status === 'open' ? asOfDay : day(deal.closedAt);
    if (closeDay === null) {
      undatedClosed++;
      continue;
    }
    const outcome: StayOutcome = deal.status;
    const createdDay = day(deal.createdAt ?? deal.history[0]?.enteredAt ?? null);
    const stay = (entryDay: number): Stay | null =>
      closeDay >= entryDay ? { entryDay, days: closeDay - entryDay, outcome } : null;

    const entries = lastEntries(deal, index, timeZone);
    if (entries.size === 0 && createdDay !== null) {
      // No dated stage on record: the deal entered its current stage (or the first) at creation.
      const current = deal.stage === null ? undefined : index.get(deal.stage);
      entries.set(deal.status === 'open' ? (current ?? 0) : 0, createdDay);
    }
    for (const [i, entryDay] of entries) {
      const s = stay(entryDay);
      if (s !== null) byStage[i].push(s);
    }
    for (const [i, days] of completedStays(deal, index, closeDay, timeZone)) {
      daysInStage[i].push(days);
    }
    if (createdDay !== null) {
      const s = stay(createdDay);
      if (s !== null) creation.push(s);
    }
    if (deal.status === 'open') {
      const stageIndex = deal.stage === null ? 0 : (index.get(deal.stage) ?? -1);
      open.push({
        deal,
        stageIndex,
        entryDay: entries.get(stageIndex) ?? createdDay,
        createdDay,
      });
    }
  }
  return { openStages, byStage, creation, daysInStage, open, undatedClosed };
}

/** Each open stage's last dated entry (a re-opened deal's clock restarts when it comes back). */
function lastEntries(
  deal: Deal,
  index: ReadonlyMap<string, number>,
  timeZone: string,
): Map<number, number> {
  const entries = new Map<number, number>();
  for (const change of deal.history) {
    const i = index.get(change.stage);
    if (i !== undefined) entries.set(i, dayNumber(change.enteredAt, timeZone));
  }
  return entries;
}

/** Days in each open stage the deal has left: until the next entry on record, or the close. */
function completedStays(
  deal: Deal,
  index: ReadonlyMap<string, number>,
  closeDay: number,
  timeZone: string,
): [number, number][] {
  const stays: [number, number][] = [];
  deal.history.forEach((change, k) => {
    const i = index.get(change.stage);
    if (i === undefined) return;
    const next = deal.history[k + 1];
    if (next === undefined && deal.status === 'open') return;
    const end = next === undefined ? closeDay : dayNumber(next.enteredAt, timeZone);
    const days = end - dayNumber(change.enteredAt, timeZone);
    if (days >= 0) stays.push([i, days]);
  });
  return stays;
}
