import { describe, expect, it } from 'vitest';
import { deal, moment, salesPipeline } from '../test-support/deals.js';
import { milestoneTime, parseDealMilestone } from './deal-milestones.js';

const at = (text: string) => moment(text).at;

describe('parseDealMilestone', () => {
  it('reads lead, deal, won and stage:NAME, and nothing else', () => {
    expect(parseDealMilestone('won')).toEqual({ kind: 'won' });
    expect(parseDealMilestone('stage:Proposal')).toEqual({ kind: 'stage', stage: 'Proposal' });
    expect(parseDealMilestone('signed')).toBeUndefined();
    expect(parseDealMilestone('stage:')).toBeUndefined();
  });
});

describe('milestoneTime', () => {
  const won = deal({ id: 'w', stages: 'Lead 2027-01-01 > Proposal 2027-01-20 > Won 2027-02-01' });
  const lost = deal({
    id: 'l',
    stages: 'Lead 2027-01-01 > Qualified 2027-01-05 > Lost 2027-01-09',
  });
  const undated = deal({
    id: 'u',
    stage: 'Won',
    status: 'won',
    created: '2027-01-03',
    closed: '2027-02-02',
  });

  it('gives creation, win and lead times, and nothing for a milestone not reached', () => {
    expect(milestoneTime(won, { kind: 'deal' }, salesPipeline, undefined)).toBe(at('2027-01-01'));
    expect(milestoneTime(won, { kind: 'won' }, salesPipeline, undefined)).toBe(at('2027-02-01'));
    expect(milestoneTime(lost, { kind: 'won' }, salesPipeline, undefined)).toBeUndefined();
    expect(milestoneTime(lost, { kind: 'lead' }, salesPipeline, 42)).toBe(42);
  });

  it('counts a stage reached when the deal entered it or a later stage, at the first such entry', () => {
    const qualified = { kind: 'stage', stage: 'Qualified' } as const;
    // The won deal skipped Qualified: Proposal, later, is where it had passed it.
    expect(milestoneTime(won, qualified, salesPipeline, undefined)).toBe(at('2027-01-20'));
    expect(milestoneTime(lost, qualified, salesPipeline, undefined)).toBe(at('2027-01-05'));
    expect(
      milestoneTime(lost, { kind: 'stage', stage: 'Proposal' }, salesPipeline, undefined),
    ).toBeUndefined();
    // Won with no history: every open stage was passed, dated by the creation.
    expect(
      milestoneTime(undated, { kind: 'stage', stage: 'Proposal' }, salesPipeline, undefined),
    ).toBe(at('2027-01-03'));
  });
});
