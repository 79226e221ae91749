import { describe, expect, it } from 'vitest';
import type { Pipeline } from '../../core/deals.js';
import type { DealDraft } from '../../store/ports.js';
import { blankDraft } from '../../test-support/deals.js';
import { inferPipeline } from './infer-pipeline.js';

const day = 86_400_000;

/** A deal that went through `stages` one day apart, and is now in the last (or in `current`). */
function deal(
  stages: readonly string[],
  current: string | null = stages.at(-1) ?? null,
): DealDraft {
  return blankDraft(stages.join('>'), {
    stage: current,
    history: stages.map((stage, i) => ({ stage, enteredAt: { at: i * day, dateOnly: true } })),
  });
}

/** A deal with a current stage and no history at all. */
const undated = (stage: string) => ({ ...deal([]), externalId: stage, stage });

const names = (pipeline: Pipeline | undefined) => pipeline?.stages.map((stage) => stage.name);

describe('inferPipeline', () => {
  it('is undefined when no deal names a stage the pipeline lacks', () => {
    expect(inferPipeline('default', undefined, [deal([])])).toBeUndefined();
    const existing = inferPipeline('default', undefined, [deal(['Demo', 'Won'])]);
    expect(inferPipeline('default', existing, [deal(['Demo', 'Won'])])).toBeUndefined();
  });

  it("orders open stages by the format's own order when it names them all", () => {
    const pipeline = inferPipeline(
      'default',
      undefined,
      [deal(['Engaging', 'Won']), undated('Prospecting'), deal(['Engaging', 'Lost'])],
      { order: ['Prospecting', 'Engaging'] },
    );
    expect(names(pipeline)).toEqual(['Prospecting', 'Engaging', 'Won', 'Lost']);
    expect(pipeline?.stages).toEqual([
      { name: 'Prospecting', phase: 'awareness', outcome: null, probability: 0.33 },
      { name: 'Engaging', phase: 'consideration', outcome: null, probability: 0.67 },
      { name: 'Won', phase: 'decision', outcome: 'won', probability: 1 },
      { name: 'Lost', phase: 'decision', outcome: 'lost', probability: 0 },
    ]);
  });

  it("orders open stages by the CRM's probabilities, and keeps them", () => {
    const probability = new Map([
      ['Negotiation/Review', 0.9],
      ['Prospecting', 0.1],
      ['Value Proposition', 0.5],
    ]);
    const pipeline = inferPipeline(
      'default',
      undefined,
      [undated('Negotiation/Review'), undated('Value Proposition'), undated('Prospecting')],
      { probability },
    );
    expect(names(pipeline)).toEqual(['Prospecting', 'Value Proposition', 'Negotiation/Review']);
    expect(pipeline?.stages.map((stage) => stage.probability)).toEqual([0.1, 0.5, 0.9]);
  });

  it('orders open stages by where they fall in the histories', () => {
    const pipeline = inferPipeline('default', undefined, [
      deal(['Alpha', 'Gamma', 'Closed Lost']),
      deal(['Alpha', 'Beta', 'Gamma', 'Delta']),
      deal(['Beta', 'Delta', 'Closed Won']),
    ]);
    expect(names(pipeline)).toEqual([
      'Alpha',
      'Beta',
      'Gamma',
      'Delta',
      'Closed Won',
      'Closed Lost',
    ]);
  });

  it('places stages no history dates by what their names say', () => {
    // A Pipedrive export: current stages only, status apart.
    const pipeline = inferPipeline('Pipeline', undefined, [
      undated('Negotiations Started'),
      undated('Demo Scheduled'),
      undated('Lead In'),
    ]);
    expect(names(pipeline)).toEqual(['Lead In', 'Demo Scheduled', 'Negotiations Started']);
  });

  it('puts closing stages last, won before lost, whatever their language', () => {
    const pipeline = inferPipeline('France', undefined, [
      deal(['Nouveau', 'Perdu']),
      deal(['Nouveau', 'Proposition', 'Gagné']),
    ]);
    expect(names(pipeline)).toEqual(['Nouveau', 'Proposition', 'Gagné', 'Perdu']);
    expect(pipeline?.stages.slice(2).map((stage) => stage.outcome)).toEqual(['won', 'lost']);
  });

  it('takes a stage’s outcome from the CRM where it says it, over the name (Salesforce IsWon)', () => {
    const pipeline = inferPipeline(
      'default',
      undefined,
      [deal(['Prospecting', 'Signed']), deal(['Prospecting', 'Walked Away']), undated('Won Over')],
      {
        outcome: new Map([
          ['Signed', 'won'],
          ['Walked Away', 'lost'],
          ['Won Over', 'open'],
        ]),
      },
    );
    expect(pipeline?.stages.map((stage) => [stage.name, stage.outcome])).toEqual([
      ['Prospecting', null],
      ['Won Over', null],
      ['Signed', 'won'],
      ['Walked Away', 'lost'],
    ]);
  });

  const configured: Pipeline = {
    name: 'default',
    stages: [
      { name: 'Discovery', phase: 'awareness', outcome: null, probability: 0.1 },
      { name: 'Demo', phase: 'consideration', outcome: null, probability: 0.3 },
      { name: 'Negotiation', phase: 'decision', outcome: null, probability: 0.8 },
      { name: 'Lost', phase: 'decision', outcome: 'lost', probability: 0 },
    ],
  };

  it('inserts a new stage into a configured pipeline where the histories put it', () => {
    const pipeline = inferPipeline('default', configured, [
      deal(['Discovery', 'Demo', 'Proposal', 'Negotiation']),
      deal(['Discovery', 'Proposal']),
    ]);
    expect(names(pipeline)).toEqual(['Discovery', 'Demo', 'Proposal', 'Negotiation', 'Lost']);
    // Configured stages keep their settings.
    expect(pipeline?.stages[0]).toEqual(configured.stages[0]);
    expect(pipeline?.stages[4]).toEqual(configured.stages[3]);
  });

  it('inserts a new stage into a configured pipeline by probability when the CRM gives them', () => {
    const pipeline = inferPipeline('default', configured, [undated('Proposal')], {
      probability: new Map([['Proposal', 0.6]]),
    });
    expect(names(pipeline)).toEqual(['Discovery', 'Demo', 'Proposal', 'Negotiation', 'Lost']);
    expect(pipeline?.stages[2]).toMatchObject({ name: 'Proposal', probability: 0.6 });
  });

  it("breaks equal probabilities by the CRM's own stage order", () => {
    const stages = [undated('Qualification'), undated('Prospecting'), undated('Proposal')];
    const pipeline = inferPipeline('default', undefined, stages, {
      probability: new Map([
        ['Qualification', 0.1],
        ['Prospecting', 0.1],
        ['Proposal', 0.75],
      ]),
      sortOrder: new Map([
        ['Prospecting', 1],
        ['Qualification', 2],
        ['Proposal', 7],
      ]),
    });
    expect(names(pipeline)).toEqual(['Prospecting', 'Qualification', 'Proposal']);
  });

  it("inserts a new stage into a configured pipeline by the format's order", () => {
    const pipeline = inferPipeline(
      'default',
      {
        name: 'default',
        stages: [
          { name: 'Prospecting', phase: 'awareness', outcome: null, probability: 0.2 },
          { name: 'Won', phase: 'decision', outcome: 'won', probability: 1 },
        ],
      },
      [deal(['Engaging', 'Won'])],
      { order: ['Prospecting', 'Engaging'] },
    );
    expect(names(pipeline)).toEqual(['Prospecting', 'Engaging', 'Won']);
  });

  it('puts a new won stage before the configured lost ones, a new lost stage after them', () => {
    const pipeline = inferPipeline('default', configured, [
      deal(['Demo', 'Closed Won']),
      deal(['Demo', 'Verloren']),
    ]);
    expect(names(pipeline)).toEqual([
      'Discovery',
      'Demo',
      'Negotiation',
      'Closed Won',
      'Lost',
      'Verloren',
    ]);
  });
});
