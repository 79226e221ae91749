import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deal, salesPipeline, usdAmount } from '../../test-support/deals.js';
import { funnelStatistics } from './statistics.js';

const stageNames = ['Lead', 'Qualified', 'Proposal', 'Won', 'Lost'];

/** A deal walking the pipeline in any order, a day per step, perhaps closing, perhaps re-opened. */
const anyDeal = fc.record({
  steps: fc.array(fc.integer({ min: 0, max: stageNames.length - 1 }), { maxLength: 6 }),
  status: fc.constantFrom(undefined, 'open' as const, 'won' as const, 'lost' as const),
});

describe('stage counts (properties)', () => {
  it('entered never rises along the stages; advanced stays within entered', () => {
    fc.assert(
      fc.property(fc.array(anyDeal, { maxLength: 30 }), (sketches) => {
        const deals = sketches.map(({ steps, status }, i) =>
          deal({
            id: String(i),
            stages: steps
              .map((s, day) => `${stageNames[s]} 2027-01-${String(day + 1).padStart(2, '0')}`)
              .join(' > '),
            status,
            amount: 100,
          }),
        );
        const { stages, deals: counts } = funnelStatistics({
          deals,
          pipeline: salesPipeline,
          timeZone: 'UTC',
          currency: 'USD',
          amountOf: usdAmount,
        });
        expect(stages[0].entered).toBe(counts.total);
        stages.forEach(({ entered, advanced }, i) => {
          expect(advanced).toBeLessThanOrEqual(entered);
          if (i + 1 < stages.length) {
            expect(stages[i + 1].entered).toBeLessThanOrEqual(entered);
            // Whoever reached a later stage advanced from this one.
            expect(advanced).toBeGreaterThanOrEqual(stages[i + 1].entered);
          }
        });
      }),
    );
  });
});
