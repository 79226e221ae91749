/**
 * Stage by stage: how many deals reached each open stage, how many went on, and how long they
 * stayed. Stages are the pipeline's open stages in order; history entries of stages the pipeline
 * does not list are ignored (and named in a note).
 */

import { daysBetween } from '../calendar.js';
import type { Deal, Pipeline } from '../deals.js';
import { counted } from './notes.js';
import { spreadOf } from './spread.js';
import type { StageStatistics } from './types.js';

export interface StageFunnel {
  readonly stages: StageStatistics[];
  readonly notes: string[];
}

export function stageFunnel(
  deals: readonly Deal[],
  pipeline: Pipeline,
  timeZone: string,
): StageFunnel {
  const names = pipeline.stages.filter((stage) => stage.outcome === null).map(({ name }) => name);
  if (names.length === 0) return { stages: [], notes: [] };
  const index = new Map(names.map((name, i) => [name, i]));
  const entered = new Array<number>(names.length).fill(0);
  const advanced = new Array<number>(names.length).fill(0);
  const days = names.map((): number[] => []);
  for (const deal of deals) {
    const reach = furthestStage(deal, index);
    for (let i = 0; i <= reach; i++) entered[i]++;
    for (let i = 0; i < reach; i++) advanced[i]++;
    if (deal.status === 'won') advanced[reach]++;
    for (const [i, total] of daysInStages(deal, index, timeZone)) days[i].push(total);
  }
  const stages = names.map((stage, i) => ({
    stage,
    entered: entered[i],
    advanced: advanced[i],
    daysInStage: spreadOf(days[i]),
  }));
  return { stages, notes: unknownStageNotes(deals, pipeline) };
}

/**
 * The index of the furthest open stage a deal reached: the furthest in its history or its current
 * stage (a lost deal reached the stage it left from). A won deal with no open stage on record
 * reached them all; any other deal at least the first, as every deal enters the pipeline.
 */
export function furthestStage(deal: Deal, index: ReadonlyMap<string, number>): number {
  let reach = deal.stage === null ? -1 : (index.get(deal.stage) ?? -1);
  for (const change of deal.history) reach = Math.max(reach, index.get(change.stage) ?? -1);
  if (reach >= 0) return reach;
  return deal.status === 'won' ? index.size - 1 : 0;
}

/**
 * Days a deal spent in each open stage it has left, its stays summed when it came back. A stay ends
 * when the next stage is entered, or, for the last, when the deal closed; a stage the deal is still
 * in, or whose end is unknown or comes before its start, is left out.
 */
function daysInStages(
  deal: Deal,
  index: ReadonlyMap<string, number>,
  timeZone: string,
): Map<number, number> {
  const totals = new Map<number, number>();
  const unfinished = new Set<number>();
  deal.history.forEach((change, k) => {
    const i = index.get(change.stage);
    if (i === undefined) return;
    const end = deal.history[k + 1]?.enteredAt ?? (deal.status === 'open' ? null : deal.closedAt);
    const days = end === null ? Number.NaN : daysBetween(change.enteredAt, end, timeZone);
    if (Number.isNaN(days) || days < 0) unfinished.add(i);
    else totals.set(i, (totals.get(i) ?? 0) + days);
  });
  for (const i of unfinished) totals.delete(i);
  return totals;
}

function unknownStageNotes(deals: readonly Deal[], pipeline: Pipeline): string[] {
  const known = new Set(pipeline.stages.map(({ name }) => name));
  const unknown = new Set<string>();
  let affected = 0;
  for (const deal of deals) {
    const stages = deal.history.map(({ stage }) => stage);
    if (deal.stage !== null) stages.push(deal.stage);
    const missing = stages.filter((stage) => !known.has(stage));
    for (const stage of missing) unknown.add(stage);
    if (missing.length > 0) affected++;
  }
  if (affected === 0) return [];
  const listed = [...unknown].sort().slice(0, 5).join(', ');
  const more = unknown.size > 5 ? ` and ${unknown.size - 5} more` : '';
  return [
    `${counted(affected, 'deal')} with stages not in pipeline ${pipeline.name} (${listed}${more}); those entries are ignored`,
  ];
}
