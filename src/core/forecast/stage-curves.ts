/**
 * One hazard curve per open stage of a pipeline. A stage with too few closed deals borrows those of
 * its neighbours (the next stage first, then the previous, moving outward) until there are enough;
 * a pipeline with too little history at all falls back on the stages' default probabilities.
 * Every such choice is said in a note.
 */
import type { Pipeline } from '../deals.js';
import { counted } from '../funnel/notes.js';
import { ascending, quantile } from '../funnel/spread.js';
import {
  type CalendarFactors,
  defaultCurve,
  exposureTable,
  type HazardCurve,
  hazardCurve,
  segmentPrior,
  shrunkCurve,
} from './hazards.js';
import type { PipelineHistory, Stay } from './stays.js';

/** Closed deals a curve needs before it is trusted on its own. */
export const minClosedPerCurve = 20;
/** Assumed days to close on a workspace with no history. */
const defaultCycleDays = 90;

export type CurveSource = 'history' | 'pooled' | 'default';

export interface StageCurve {
  readonly stage: string;
  /** The segment whose deals alone gave the curve; null: all segments. */
  readonly segment: string | null;
  readonly curve: HazardCurve;
  readonly source: CurveSource;
  /** Other stages whose deals were pooled in. */
  readonly pooledWith: readonly string[];
  /** Median days deals spent in the stage before leaving it; null when none has left. */
  readonly usualDays: number | null;
}

export interface PipelineCurves {
  readonly stages: readonly StageCurve[];
  readonly notes: readonly string[];
  /** The curve for a deal of stage index i and a segment (the segment's own when it has one). */
  readonly curveOf: (i: number, segment: string | null) => StageCurve | undefined;
}

/** `fromDay`: the first day of the period the hazards are estimated on (see exposureTable). */
export function stageCurves(
  history: PipelineHistory,
  pipeline: Pipeline,
  calendar: CalendarFactors,
  fromDay: number,
  options: { readonly bySegment: boolean },
): PipelineCurves {
  const names = history.openStages;
  const usual = history.daysInStage.map((days) => quantile(ascending(days), 0.5));
  const totalClosed = history.creation.filter((s) => s.outcome !== 'open').length;
  // A period with too few closes for the whole pipeline is widened to all history.
  const from =
    exposureTable(history.creation, fromDay).closed >= minClosedPerCurve
      ? fromDay
      : Number.NEGATIVE_INFINITY;

  // No open stage: no deal is timed by stage, so nothing to fall back on or say.
  if (names.length === 0) return { stages: [], notes: [], curveOf: () => undefined };
  if (totalClosed < minClosedPerCurve) {
    const probability = (name: string) =>
      pipeline.stages.find((stage) => stage.name === name)?.probability ?? 0;
    const stages = names.map(
      (stage, i): StageCurve => ({
        stage,
        segment: null,
        curve: defaultCurve(probability(stage), defaultCycleDays),
        source: 'default' as const,
        pooledWith: [],
        usualDays: usual[i],
      }),
    );
    return {
      stages,
      curveOf: (i) => stages[i],
      notes: [
        `pipeline ${pipeline.name} has ${counted(totalClosed, 'closed deal')} (fewer than ${minClosedPerCurve}): its stages' default probabilities are used, closes spread evenly over ${defaultCycleDays} days`,
      ],
    };
  }

  const notes: string[] = [];
  const bySegment: Map<string | null, StageCurve>[] = [];
  const stages = names.map((stage, i): StageCurve => {
    const sample = [...history.byStage[i]];
    const pooledWith: string[] = [];
    for (const j of neighbours(i, names.length)) {
      if (exposureTable(sample, from).ended >= minClosedPerCurve) break;
      for (const entry of history.byStage[j] ?? []) sample.push(entry);
      pooledWith.push(names[j]);
    }
    if (pooledWith.length > 0) {
      const own = exposureTable(history.byStage[i], from).ended;
      notes.push(
        `stage ${stage} has ${counted(own, 'finished stay')}: pooled with ${pooledWith.join(', ')}`,
      );
    }
    const curve = hazardCurve(exposureTable(sample, from), calendar);
    const stageCurve: StageCurve = {
      stage,
      segment: null,
      curve,
      source: pooledWith.length > 0 ? 'pooled' : 'history',
      pooledWith,
      usualDays: usual[i],
    };
    const segments = new Map<string | null, StageCurve>();
    if (options.bySegment) {
      for (const [segment, stays] of groupBySegment(sample)) {
        const table = exposureTable(stays, from);
        const own = shrunkCurve(curve, table, calendar, segmentPrior);
        segments.set(segment, { ...stageCurve, segment, curve: own });
      }
    }
    bySegment.push(segments);
    return stageCurve;
  });
  if (options.bySegment)
    notes.push(
      "hazards per segment, shrunk toward the stage's pooled hazards where a segment has few deals at risk",
    );
  return {
    stages,
    notes,
    curveOf: (i, segment) => bySegment[i]?.get(segment) ?? stages[i],
  };
}

function groupBySegment(stays: readonly Stay[]): Map<string | null, Stay[]> {
  const groups = new Map<string | null, Stay[]>();
  for (const stay of stays) {
    const list = groups.get(stay.segment);
    if (list === undefined) groups.set(stay.segment, [stay]);
    else list.push(stay);
  }
  return groups;
}

/** The other stages in the order they are borrowed from: i+1, i−1, i+2, i−2, … */
function* neighbours(i: number, count: number): Generator<number> {
  for (let step = 1; step < count; step++) {
    if (i + step < count) yield i + step;
    if (i - step >= 0) yield i - step;
  }
}
