import { describe, expect, it } from 'vitest';
import { deal, salesPipeline } from '../../test-support/deals.js';
import { dayMs } from '../calendar.js';
import { pipelineHistory } from './stays.js';

const day = (date: string) => Date.parse(`${date}T00:00:00Z`) / dayMs;
const asOfDay = day('2027-03-01');
const proposal = salesPipeline.stages.findIndex((stage) => stage.name === 'Proposal');

describe('a stage written twice in a row (Salesforce: an amount change rewrites the stage)', () => {
  it('keeps an open deal in one visit from its first entry, with no finished stay', () => {
    const edited = deal({
      id: 'edited',
      stages: 'Proposal 2026-11-21 > Proposal 2027-02-27',
    });
    const history = pipelineHistory([edited], salesPipeline, asOfDay, 'UTC');
    expect(history.open[0]?.entryDay).toBe(day('2026-11-21')); // 100 days in stage, not 2
    expect(history.byStage[proposal]).toEqual([
      { entryDay: day('2026-11-21'), days: 100, outcome: 'open', to: -1, segment: null },
    ]);
    // It has not left Proposal: its first 98 days are no finished stay of the "usual time".
    expect(history.daysInStage[proposal]).toEqual([]);
  });

  it('times a closed deal from its first entry to the close, as one stay', () => {
    const edited = deal({
      id: 'edited',
      stages: 'Qualified 2027-01-01 > Proposal 2027-01-11 > Proposal 2027-02-05 > Won 2027-02-10',
    });
    const history = pipelineHistory([edited], salesPipeline, asOfDay, 'UTC');
    expect(history.byStage[proposal]).toEqual([
      { entryDay: day('2027-01-11'), days: 30, outcome: 'won', to: -1, segment: null },
    ]);
    expect(history.byStage[proposal - 1]).toEqual([
      { entryDay: day('2027-01-01'), days: 10, outcome: 'moved', to: proposal, segment: null },
    ]);
    expect(history.daysInStage[proposal]).toEqual([30]);
    expect(history.daysInStage[proposal - 1]).toEqual([10]);
  });

  it('still starts a new visit for a stage entered again after another, or after a re-opening', () => {
    const back = deal({
      id: 'back',
      stages: 'Proposal 2027-01-01 > Qualified 2027-01-11 > Proposal 2027-01-21',
    });
    const reopened = deal({
      id: 'reopened',
      stages: 'Proposal 2027-01-01 > Lost 2027-01-11 > Proposal 2027-02-19',
      status: 'open',
    });
    const history = pipelineHistory([back, reopened], salesPipeline, asOfDay, 'UTC');
    expect(history.open.map((p) => p.entryDay)).toEqual([day('2027-01-21'), day('2027-02-19')]);
    expect(history.daysInStage[proposal]).toEqual([10, 10]);
  });
});
