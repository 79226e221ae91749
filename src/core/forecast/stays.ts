/**
 * The survival samples the hazards are estimated from. For each open stage, every stay a deal made
 * in it: from its entry to its end — won, lost, moved to another open stage, or, still there, the
 * as-of day (censored). Moving on is an outcome of its own because a deal still in a stage is not
 * like one that has moved on (deals that stall early are often the ones that are lost). A second
 * sample uses the deal's creation as the clock, to the close: it times deals not yet created.
 */
import type { Deal, Pipeline } from '../deals.js';
import { dayNumber } from './days.js';

export type StayOutcome = 'won' | 'lost' | 'open' | 'moved';

export interface Stay {
  /** The day the clock starts: entry into the stage, or creation. */
  readonly entryDay: number;
  /** Days from entry to the close, or to the as-of day when still open (then censored). */
  readonly days: number;
  readonly outcome: StayOutcome;
  /** For a move: the index of the open stage moved to; −1 otherwise. */
  readonly to: number;
  readonly segment: string | null;
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
    const createdDay = day(deal.createdAt ?? deal.history[0]?.enteredAt ?? null);
    const stay = (entryDay: number, endDay: number, outcome: StayOutcome, to = -1): Stay | null =>
      endDay >= entryDay
        ? { entryDay, days: endDay - entryDay, outcome, to, segment: deal.segment }
        : null;
    const visits = stageVisits(deal, index, timeZone);
    // A pipeline may have no open stage at all (closed deals only, or closing stages only).
    if (visits.length === 0 && createdDay !== null && openStages.length > 0) {
      // No dated stage on record: the deal entered its current stage (or the first) at creation.
      const current = deal.stage === null ? undefined : index.get(deal.stage);
      visits.push({
        stage: deal.status === 'open' ? (current ?? 0) : 0,
        entryDay: createdDay,
        next: null,
      });
    }
    const entries = new Map<number, number>();
    for (const visit of visits) {
      entries.set(visit.stage, visit.entryDay);
      const s =
        visit.next === null
          ? stay(visit.entryDay, closeDay, deal.status)
          : stay(visit.entryDay, visit.next.day, 'moved', visit.next.stage);
      if (s !== null) byStage[visit.stage].push(s);
    }
    for (const [i, days] of completedStays(deal, index, closeDay, timeZone)) {
      daysInStage[i].push(days);
    }
    if (createdDay !== null) {
      const s = stay(createdDay, closeDay, deal.status);
      if (s !== null) creation.push(s);
    }
    if (deal.status === 'open') {
      const stageIndex =
        deal.stage === null && openStages.length > 0 ? 0 : (index.get(deal.stage ?? '') ?? -1);
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

interface Visit {
  readonly stage: number;
  readonly entryDay: number;
  /** The open stage entered next, and when; null when the visit ends with the deal's close (or is current). */
  readonly next: { readonly stage: number; readonly day: number } | null;
}

/**
 * The deal's dated visits to open stages, in order. A stage written again right after itself
 * (Salesforce adds a history row whenever the amount changes) continues the visit begun at its
 * first entry: the deal has been there all along. A stage entered again after another starts a
 * new visit; one the deal is back in after a close (re-opened) starts afresh.
 */
function stageVisits(deal: Deal, index: ReadonlyMap<string, number>, timeZone: string): Visit[] {
  const dated = deal.history.flatMap((change, k) => {
    const stage = index.get(change.stage);
    if (stage === undefined || rewritten(deal, k)) return [];
    return [{ stage, day: dayNumber(change.enteredAt, timeZone) }];
  });
  const visits: Visit[] = [];
  for (const [k, entry] of dated.entries()) {
    const next = dated[k + 1];
    if (next !== undefined && next.stage === entry.stage) continue; // re-opened: the later visit
    visits.push({ stage: entry.stage, entryDay: entry.day, next: next ?? null });
  }
  return visits;
}

/** Whether history row k names the same stage as the row before it (the visit goes on). */
function rewritten(deal: Deal, k: number): boolean {
  return k > 0 && deal.history[k - 1].stage === deal.history[k].stage;
}

/**
 * Days in each open stage the deal has left: from its entry (the first of a stage written again)
 * until the next stage on record, or the close. The stage an open deal is still in is left out.
 */
function completedStays(
  deal: Deal,
  index: ReadonlyMap<string, number>,
  closeDay: number,
  timeZone: string,
): [number, number][] {
  const stays: [number, number][] = [];
  const history = deal.history;
  history.forEach((change, k) => {
    const i = index.get(change.stage);
    if (i === undefined || rewritten(deal, k)) return;
    let last = k;
    while (last + 1 < history.length && rewritten(deal, last + 1)) last++;
    const next = history[last + 1];
    if (next === undefined && deal.status === 'open') return;
    const end = next === undefined ? closeDay : dayNumber(next.enteredAt, timeZone);
    const days = end - dayNumber(change.enteredAt, timeZone);
    if (days >= 0) stays.push([i, days]);
  });
  return stays;
}
