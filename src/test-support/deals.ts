/** Small hand-made deals and a pipeline for the funnel and as-of tests. */
import {
  type AmountChange,
  blankDeal,
  type Deal,
  type DealStatus,
  type Moment,
  type Pipeline,
  type StageChange,
} from '../core/deals.js';
import type { DealDraft } from '../store/ports.js';

/** "2027-03-01" is a calendar date; "2027-03-01T10:00:00Z" an instant. */
export function moment(text: string): Moment {
  return text.includes('T')
    ? { at: Date.parse(text), dateOnly: false }
    : { at: Date.parse(`${text}T00:00:00Z`), dateOnly: true };
}

/** Lead → Qualified → Proposal, then Won or Lost. */
export const salesPipeline: Pipeline = {
  name: 'Sales',
  stages: [
    { name: 'Lead', phase: 'awareness', outcome: null, probability: 0.1 },
    { name: 'Qualified', phase: 'consideration', outcome: null, probability: 0.3 },
    { name: 'Proposal', phase: 'decision', outcome: null, probability: 0.6 },
    { name: 'Won', phase: 'decision', outcome: 'won', probability: 1 },
    { name: 'Lost', phase: 'decision', outcome: 'lost', probability: 0 },
  ],
};

export interface DealSketch {
  readonly id: string;
  /** "Lead 2027-01-01 > Qualified 2027-01-10 > Won 2027-02-01" */
  readonly stages?: string;
  /** Default: from the last stage (Won, Lost, else open). */
  readonly status?: DealStatus;
  /** Default: the first stage's date. */
  readonly created?: string | null;
  /** Default: the last stage's date for a won or lost deal. */
  readonly closed?: string | null;
  /** Default: the last stage. */
  readonly stage?: string | null;
  /** Minor units of USD. */
  readonly amount?: number | null;
  /** "10000 2027-01-01 > 20000 2027-02-01" */
  readonly amounts?: string;
  readonly segment?: string | null;
  readonly pipeline?: string;
}

export function deal(sketch: DealSketch): Deal {
  const history = parseSteps(sketch.stages).map(
    ([stage, at]): StageChange => ({ stage, enteredAt: moment(at) }),
  );
  const last = history.at(-1);
  const status = sketch.status ?? statusAfter(last?.stage);
  const closed =
    sketch.closed === undefined
      ? status === 'open' || last === undefined
        ? null
        : last.enteredAt
      : optionalMoment(sketch.closed);
  const amountHistory = parseSteps(sketch.amounts).map(
    ([minor, at]): AmountChange => ({ at: moment(at), minor: Number(minor), currency: 'USD' }),
  );
  const amount = sketch.amount ?? amountHistory.at(-1)?.minor ?? null;
  return blankDeal(sketch.id, {
    workspaceId: 'w',
    source: 'test',
    amountMinor: amount,
    currency: amount === null ? null : 'USD',
    pipeline: sketch.pipeline ?? salesPipeline.name,
    stage: sketch.stage === undefined ? (last?.stage ?? null) : sketch.stage,
    status,
    createdAt:
      sketch.created === undefined
        ? (history[0]?.enteredAt ?? null)
        : optionalMoment(sketch.created),
    closedAt: closed,
    segment: sketch.segment ?? null,
    history,
    amountHistory,
  });
}

/** Dollars' minor units when the deal is in USD; anything else has no rate in these tests. */
export const usdAmount = (deal: Deal): number | null =>
  deal.currency === 'USD' ? deal.amountMinor : null;

function parseSteps(text: string | undefined): [string, string][] {
  if (text === undefined || text.trim() === '') return [];
  return text.split('>').map((step) => {
    const [name, at] = step.trim().split(/\s+/);
    return [name, at];
  });
}

function statusAfter(stage: string | undefined): DealStatus {
  if (stage === 'Won') return 'won';
  if (stage === 'Lost') return 'lost';
  return 'open';
}

function optionalMoment(text: string | null): Moment | null {
  return text === null ? null : moment(text);
}

/** A deal draft with every field but its id empty: tests set only what they are about. */
export function blankDraft(externalId: string, fields: Partial<DealDraft> = {}): DealDraft {
  const { id: _id, workspaceId: _workspace, updatedAt: _updated, ...draft } = blankDeal(externalId);
  return { ...draft, source: 'test', ...fields };
}
