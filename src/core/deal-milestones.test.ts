import { describe, expect, it } from 'vitest';
import { deal, moment, salesPipeline } from '../test-support/deals.js';
import { lastInstantOf, milestoneTime, parseDealMilestone } from './deal-milestones.js';

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
    expect(milestoneTime(won, { kind: 'deal' }, salesPipeline, undefined)).toEqual(
      moment('2027-01-01'),
    );
    expect(milestoneTime(won, { kind: 'won' }, salesPipeline, undefined)).toEqual(
      moment('2027-02-01'),
    );
    expect(milestoneTime(lost, { kind: 'won' }, salesPipeline, undefined)).toBeUndefined();
    expect(milestoneTime(lost, { kind: 'lead' }, salesPipeline, 42)).toEqual({
      at: 42,
      dateOnly: false,
    });
  });

  it('counts a stage reached when the deal entered it or a later stage, at the first such entry', () => {
    const qualified = { kind: 'stage', stage: 'Qualified' } as const;
    // The won deal skipped Qualified: Proposal, later, is where it had passed it.
    expect(milestoneTime(won, qualified, salesPipeline, undefined)).toEqual(moment('2027-01-20'));
    expect(milestoneTime(lost, qualified, salesPipeline, undefined)).toEqual(moment('2027-01-05'));
    expect(
      milestoneTime(lost, { kind: 'stage', stage: 'Proposal' }, salesPipeline, undefined),
    ).toBeUndefined();
    // A closing stage is reached by entering it: a won deal never reached Lost, nor a lost one Won.
    const lostStage = { kind: 'stage', stage: 'Lost' } as const;
    expect(milestoneTime(lost, lostStage, salesPipeline, undefined)).toEqual(moment('2027-01-09'));
    expect(milestoneTime(won, lostStage, salesPipeline, undefined)).toBeUndefined();
    expect(milestoneTime(undated, lostStage, salesPipeline, undefined)).toBeUndefined();
    expect(
      milestoneTime(lost, { kind: 'stage', stage: 'Won' }, salesPipeline, undefined),
    ).toBeUndefined();
    // Won with no history: every open stage was passed, dated by the creation.
    expect(
      milestoneTime(undated, { kind: 'stage', stage: 'Proposal' }, salesPipeline, undefined),
    ).toEqual(moment('2027-01-03'));
  });
});

describe('lastInstantOf', () => {
  it('covers the whole day of a date in the workspace zone, and is the instant itself otherwise', () => {
    const created = { at: Date.UTC(2024, 1, 5), dateOnly: true };
    expect(lastInstantOf(created, 'UTC')).toBe(Date.UTC(2024, 1, 6) - 1);
    // 5 February ends at 06:00 UTC on the 6th in Chicago, at 23:00 UTC on the 5th in Berlin.
    expect(lastInstantOf(created, 'America/Chicago')).toBe(Date.UTC(2024, 1, 6, 6) - 1);
    expect(lastInstantOf(created, 'Europe/Berlin')).toBe(Date.UTC(2024, 1, 5, 23) - 1);
    // The day the clocks go forward is 23 hours long.
    expect(lastInstantOf({ at: Date.UTC(2024, 2, 31), dateOnly: true }, 'Europe/Berlin')).toBe(
      Date.UTC(2024, 2, 31, 22) - 1,
    );
    const instant = { at: Date.UTC(2024, 1, 5, 14, 30), dateOnly: false };
    expect(lastInstantOf(instant, 'America/Chicago')).toBe(instant.at);
  });
});
