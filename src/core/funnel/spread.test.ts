import { describe, expect, it } from 'vitest';
import { quantile, spreadOf } from './spread.js';

describe('quantile (type 7, linear between closest ranks)', () => {
  it('takes the mean of the two middle values as the median of an even count', () => {
    expect(spreadOf([4, 1, 3, 2])).toEqual({ median: 2.5, p75: 3.25, p90: 3.7, n: 4 });
    expect(spreadOf([5, 1, 3])).toEqual({ median: 3, p75: 4, p90: 4.6, n: 3 });
  });

  it('gives the only value for one, and nulls for none', () => {
    expect(spreadOf([7])).toEqual({ median: 7, p75: 7, p90: 7, n: 1 });
    expect(spreadOf([])).toEqual({ median: null, p75: null, p90: null, n: 0 });
    expect(quantile([1, 2], 0)).toBe(1);
    expect(quantile([1, 2], 1)).toBe(2);
  });
});
