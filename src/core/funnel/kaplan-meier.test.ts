import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kaplanMeierMedian } from './kaplan-meier.js';
import { spreadOf } from './spread.js';

const won = (days: number) => ({ days, won: true });
const censored = (days: number) => ({ days, won: false });

describe('kaplanMeierMedian', () => {
  it('is the ordinary median when nothing is censored', () => {
    expect(kaplanMeierMedian([won(3), won(1), won(2)])).toBe(2);
    expect(kaplanMeierMedian([won(1), won(2), won(3), won(4)])).toBe(2.5);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1 }), (days) => {
        expect(kaplanMeierMedian(days.map(won))).toBe(spreadOf(days).median);
      }),
    );
  });

  it('keeps censored deals at risk until they leave', () => {
    // S(1) = 4/5; S(3) = 4/5 · 2/3 = 0.53; S(4) = 0.53 · 1/2 = 0.27 → median 4.
    expect(kaplanMeierMedian([won(1), censored(2), won(3), won(4), censored(5)])).toBe(4);
    // Ignoring the censored deals would say 3.
    expect(spreadOf([1, 3, 4]).median).toBe(3);
  });

  it('counts a deal censored at the time of a win as still at risk then', () => {
    // At 2: two wins of four at risk → S = 1/2 exactly, then the next win at 5.
    expect(kaplanMeierMedian([won(2), won(2), censored(2), won(5)])).toBe(3.5);
  });

  it('is null when fewer than half can be seen to win', () => {
    expect(kaplanMeierMedian([won(1), censored(2), censored(3)])).toBeNull();
    expect(kaplanMeierMedian([])).toBeNull();
  });
});
