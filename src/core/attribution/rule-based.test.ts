import { describe, expect, it } from 'vitest';
import { ClosedloopError } from '../errors.js';
import { createModel, type ModelName, modelNames } from './registry.js';
import { conversionsByChannel, journey, runModel } from './test-journeys.js';

const credit = (name: ModelName, journeys: ReturnType<typeof journey>[], options = {}) =>
  conversionsByChannel(runModel(createModel(name, options), journeys));

describe('first, last and linear', () => {
  it('keep repeated channels', () => {
    const path = [journey('a > b > a > c', { conversions: 4 })];
    expect(credit('first', path)).toEqual({ a: 4, b: 0, c: 0 });
    expect(credit('last', path)).toEqual({ a: 0, b: 0, c: 4 });
    expect(credit('linear', path)).toEqual({ a: 2, b: 1, c: 1 });
  });

  it('split value in the same shares as conversions', () => {
    const report = runModel(createModel('linear'), [
      journey('a > b', { conversions: 1, value: 100 }),
    ]);
    expect(report.models.linear).toEqual([
      { channel: 'a', conversions: 0.5, value: 50 },
      { channel: 'b', conversions: 0.5, value: 50 },
    ]);
  });

  it('list channels that only appear on non-converting paths with zero credit', () => {
    const result = credit('first', [journey('a'), journey('z', { conversions: 0, nulls: 5 })]);
    expect(result).toEqual({ a: 1, z: 0 });
  });
});

describe('last_non_direct', () => {
  it('skips Direct touches at the end', () => {
    expect(credit('last_non_direct', [journey('Paid Search > Email > Direct > Direct')])).toEqual({
      Direct: 0,
      Email: 1,
      'Paid Search': 0,
    });
  });
  it('credits Direct when the journey is all Direct', () => {
    expect(credit('last_non_direct', [journey('Direct > Direct')])).toEqual({ Direct: 1 });
  });
  it('knows GA\'s "(direct)" spelling too', () => {
    expect(credit('last_non_direct', [journey('a > (direct)')])).toEqual({ '(direct)': 0, a: 1 });
  });
});

describe('time_decay', () => {
  it('halves the weight for each half-life before the conversion', () => {
    // Ages 14, 7 and 0 days with a 7-day half-life: weights 1/4, 1/2, 1 out of 7/4.
    const result = credit('time_decay', [
      journey('a > b > c', { days: [0, 7, 14], conversionDay: 14 }),
    ]);
    expect(result.a).toBeCloseTo(1 / 7, 12);
    expect(result.b).toBeCloseTo(2 / 7, 12);
    expect(result.c).toBeCloseTo(4 / 7, 12);
  });
  it('keeps those shares when every touch is so old that its weight underflows', () => {
    // About 2,000 half-lives back: 2^-2000 is 0 in doubles, which made every share 0/0 = NaN.
    const result = credit('time_decay', [
      journey('a > b > c', { days: [0, 7, 14], conversionDay: 14 + 7 * 2_000 }),
    ]);
    expect(result.a).toBeCloseTo(1 / 7, 12);
    expect(result.b).toBeCloseTo(2 / 7, 12);
    expect(result.c).toBeCloseTo(4 / 7, 12);
  });
  it('uses the last touch as the conversion time when none is known, and the half-life given', () => {
    const result = credit('time_decay', [journey('a > b', { days: [0, 1] })], { halfLifeDays: 1 });
    expect(result.a).toBeCloseTo(1 / 3, 12);
    expect(result.b).toBeCloseTo(2 / 3, 12);
  });
  it('refuses input without timestamps, naming what it needs', () => {
    expect(() => credit('time_decay', [journey('a > b')])).toThrowError(
      /time_decay: needs a timestamp/,
    );
  });
  it('refuses a half-life that is not positive', () => {
    expect(() => createModel('time_decay', { halfLifeDays: 0 })).toThrowError(ClosedloopError);
  });
});

describe('position, j_shaped and inverse_j', () => {
  it('split 40/20/40 with the middle shared', () => {
    const result = credit('position', [journey('a > b > c > d', { conversions: 10 })]);
    expect(result.a).toBeCloseTo(4, 12);
    expect(result.b).toBeCloseTo(1, 12);
    expect(result.c).toBeCloseTo(1, 12);
    expect(result.d).toBeCloseTo(4, 12);
  });
  it('give 50/50 on two touches and everything on one', () => {
    expect(credit('position', [journey('a > b')])).toEqual({ a: 0.5, b: 0.5 });
    const j = credit('j_shaped', [journey('a > b')]);
    expect(j.a).toBeCloseTo(0.25, 12);
    expect(j.b).toBeCloseTo(0.75, 12);
    expect(credit('inverse_j', [journey('solo')])).toEqual({ solo: 1 });
  });
  it('follow configured weights', () => {
    const result = credit('position', [journey('a > b > c')], {
      positionFirst: 0.5,
      positionLast: 0.3,
    });
    expect(result.a).toBeCloseTo(0.5, 12);
    expect(result.b).toBeCloseTo(0.2, 12);
    expect(result.c).toBeCloseTo(0.3, 12);
  });
  it('give a first or last touch weighted 0 nothing, and the touches between the rest', () => {
    const lastZero = credit('position', [journey('a > b > c', { conversions: 10 })], {
      positionFirst: 0.6,
      positionLast: 0,
    });
    expect(lastZero.a).toBeCloseTo(6, 12);
    expect(lastZero.b).toBeCloseTo(4, 12);
    expect(lastZero.c).toBe(0);
    const bothZero = credit('position', [journey('a > b > c > d')], {
      positionFirst: 0,
      positionLast: 0,
    });
    expect(bothZero).toEqual({ a: 0, b: 0.5, c: 0.5, d: 0 });
  });
  it('still credit all of a one- or two-touch journey when first or last weighs 0', () => {
    // No middle: the group drops out and the rest is scaled back up, so the first touch takes all.
    const lastZero = { positionFirst: 0.6, positionLast: 0 };
    expect(credit('position', [journey('a > b')], lastZero)).toEqual({ a: 1, b: 0 });
    expect(credit('position', [journey('solo')], lastZero)).toEqual({ solo: 1 });
    // Nothing weighs anything on these touches: they share equally, as custom weights do.
    const bothZero = { positionFirst: 0, positionLast: 0 };
    expect(credit('position', [journey('a > b')], bothZero)).toEqual({ a: 0.5, b: 0.5 });
    expect(credit('position', [journey('solo')], bothZero)).toEqual({ solo: 1 });
  });
  it('refuse first and last weights above 1 together', () => {
    expect(() => createModel('position', { positionFirst: 0.7, positionLast: 0.5 })).toThrowError(
      /add up to more than 1/,
    );
  });
  it('j_shaped and inverse_j weigh 20/20/60 and 60/20/20', () => {
    const path = [journey('a > b > c')];
    const j = credit('j_shaped', path);
    const inverse = credit('inverse_j', path);
    expect([j.a, j.b, j.c].map((x) => Number(x?.toFixed(12)))).toEqual([0.2, 0.2, 0.6]);
    expect([inverse.a, inverse.b, inverse.c].map((x) => Number(x?.toFixed(12)))).toEqual([
      0.6, 0.2, 0.2,
    ]);
  });
});

describe('w_shaped and full_path', () => {
  const full = journey('a > b > c > d > e > f', { milestones: { lead: 2, deal: 4, won: 5 } });
  it('w_shaped gives 30% each to first, lead and deal touches, 10% to the rest', () => {
    const result = credit('w_shaped', [full]);
    expect(result.a).toBeCloseTo(0.3, 12);
    expect(result.c).toBeCloseTo(0.3, 12);
    expect(result.e).toBeCloseTo(0.3, 12);
    for (const rest of ['b', 'd', 'f']) expect(result[rest]).toBeCloseTo(0.1 / 3, 12);
  });
  it('full_path adds the won touch: 22.5% × 4 and 10% for the rest', () => {
    const result = credit('full_path', [full]);
    for (const anchor of ['a', 'c', 'e', 'f']) expect(result[anchor]).toBeCloseTo(0.225, 12);
    for (const rest of ['b', 'd']) expect(result[rest]).toBeCloseTo(0.05, 12);
  });
  it('add up anchors that fall on one touch', () => {
    const result = credit('w_shaped', [journey('a > b > c', { milestones: { lead: 0, deal: 2 } })]);
    expect(result.a).toBeCloseTo(0.6, 12);
    expect(result.b).toBeCloseTo(0.1, 12);
    expect(result.c).toBeCloseTo(0.3, 12);
  });
  it('scale the present weights up when a milestone is missing', () => {
    // No deal touch: first 30, lead 30, rest 10 out of 70.
    const result = credit('w_shaped', [journey('a > b > c > d', { milestones: { lead: 2 } })]);
    expect(result.a).toBeCloseTo(3 / 7, 12);
    expect(result.c).toBeCloseTo(3 / 7, 12);
    expect(result.b).toBeCloseTo(1 / 14, 12);
    expect(result.d).toBeCloseTo(1 / 14, 12);
  });
  it('full_path without a won touch shares 22.5 × 3 + 10 out of 77.5', () => {
    const result = credit('full_path', [
      journey('a > b > c > d', { milestones: { lead: 1, deal: 2 } }),
    ]);
    for (const anchor of ['a', 'b', 'c']) expect(result[anchor]).toBeCloseTo(22.5 / 77.5, 12);
    expect(result.d).toBeCloseTo(10 / 77.5, 12);
  });
  it('give a one-touch journey all the credit', () => {
    expect(credit('full_path', [journey('solo', { milestones: { lead: 0 } })])).toEqual({
      solo: 1,
    });
    expect(credit('w_shaped', [journey('solo')])).toEqual({ solo: 1 });
  });
});

describe('custom', () => {
  it('weighs the positions it is given', () => {
    const result = credit('custom', [journey('a > b > c > d', { milestones: { lead: 1 } })], {
      customWeights: { first: 0.1, lead: 0.6, last: 0.3 },
    });
    expect(result).toEqual({ a: 0.1, b: 0.6, c: 0, d: 0.3 });
  });
  it('gives a touch whose weight is given as 0 nothing, and no middle share', () => {
    const result = credit('custom', [journey('a > b > c')], {
      customWeights: { first: 0, middle: 1 },
    });
    expect(result).toEqual({ a: 0, b: 0.5, c: 0.5 });
  });
  it('splits equally when its weights give nothing to the touches a journey has', () => {
    const result = credit('custom', [journey('a > b')], { customWeights: { middle: 1 } });
    expect(result).toEqual({ a: 0.5, b: 0.5 });
  });
  it('needs weights, and refuses negative or all-zero ones', () => {
    expect(() => createModel('custom')).toThrowError(/custom: needs weights/);
    expect(() => createModel('custom', { customWeights: { first: -1 } })).toThrowError(
      /must be a number ≥ 0/,
    );
    expect(() => createModel('custom', { customWeights: { first: 0 } })).toThrowError(
      /at least one weight/,
    );
  });
});

describe('every model on the edge cases', () => {
  // Every model but custom, which has no weights of its own.
  const everyModel = modelNames.filter((name) => name !== 'custom');
  for (const name of everyModel) {
    it(`${name}: a one-touch journey credits its channel`, () => {
      expect(credit(name, [journey('solo', { conversions: 3, days: [1] })])).toEqual({ solo: 3 });
    });
    it(`${name}: an all-Direct journey credits Direct`, () => {
      const result = credit(name, [journey('Direct > Direct', { conversions: 2, days: [1, 2] })]);
      expect(result.Direct).toBeCloseTo(2, 12);
    });
  }
});
