import { describe, expect, it } from 'vitest';
import { batchFromJourneys } from '../journey-batch.js';
import { applyLookback } from './lookback.js';
import { createModel } from './registry.js';
import { conversionsByChannel, journey, runModel } from './test-journeys.js';

describe('lookback', () => {
  const journeys = [
    journey('a > b > c > d', { days: [0, 20, 25, 30], conversionDay: 31, milestones: { lead: 2 } }),
  ];

  it('by days keeps touches at most N days before the conversion', () => {
    const batch = applyLookback(batchFromJourneys(journeys), { days: 7 });
    expect(conversionsByChannel(runModel(createModel('first'), batch))).toEqual({
      a: 0,
      b: 0,
      c: 1,
      d: 0,
    });
    // Milestone positions move with the touches they mark.
    expect(batch.leadTouch[0]).toBe(0);
  });

  it('by steps keeps the last N touches', () => {
    const batch = applyLookback(batchFromJourneys(journeys), { steps: 3 });
    expect(conversionsByChannel(runModel(createModel('first'), batch))).toEqual({
      a: 0,
      b: 1,
      c: 0,
      d: 0,
    });
    expect(batch.leadTouch[0]).toBe(1);
  });

  it('credits Direct with a conversion none of whose touches is inside the window', () => {
    const old = [journey('a > b', { days: [0, 1], conversionDay: 100, value: 5 })];
    const batch = applyLookback(batchFromJourneys(old), { days: 30 });
    const report = runModel(createModel('linear'), batch);
    expect(conversionsByChannel(report)).toEqual({ Direct: 1, a: 0, b: 0 });
    expect(report.totals.value).toBe(5);
  });

  it('refuses days without timestamps, and limits that are not positive', () => {
    const untimed = batchFromJourneys([journey('a > b')]);
    expect(() => applyLookback(untimed, { days: 3 })).toThrowError(/needs touch timestamps/);
    expect(() => applyLookback(untimed, { steps: 0 })).toThrowError(
      /lookback steps: expected a positive number/,
    );
    expect(() => applyLookback(untimed, { steps: 1.5 })).toThrowError(/whole number/);
  });
});
