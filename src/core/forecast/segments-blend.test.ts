import { describe, expect, it } from 'vitest';
import { deal, salesPipeline, usdAmount } from '../../test-support/deals.js';
import type { Deal } from '../deals.js';
import { blendDraws, trailingLevel } from './blend.js';
import { expectedByMonth } from './expected.js';
import { runForecast } from './forecast.js';
import { exposureTable, hazardCurve, noCalendarEffect, shrunkCurve } from './hazards.js';
import type { ModelSettings } from './settings.js';
import type { Stay } from './stays.js';

const stay = (days: number, outcome: Stay['outcome'], segment: string): Stay => ({
  entryDay: 0,
  days,
  outcome,
  to: -1,
  segment,
});

describe('segment hazards shrunk toward the pooled ones', () => {
  // 10 fast deals (won on day 10) and 10 slow ones (won on day 40).
  const fast = Array.from({ length: 10 }, () => stay(10, 'won', 'SMB'));
  const slow = Array.from({ length: 10 }, () => stay(40, 'won', 'Enterprise'));
  const pooled = hazardCurve(exposureTable([...fast, ...slow]), noCalendarEffect);

  it('keeps a slow segment slow: (its events + prior × pooled hazard) ÷ (its deals at risk + prior)', () => {
    const own = shrunkCurve(pooled, exposureTable(slow), noCalendarEffect, 1);
    // Day 10: the pooled hazard is 10 of 20; Enterprise has 10 at risk and no win.
    expect(pooled.won[10]).toBeCloseTo(0.5, 12);
    expect(own.won[10]).toBeCloseTo((0 + 1 * 0.5) / (10 + 1), 12);
    // Day 40: all 10 Enterprise deals win; the pooled hazard is 10 of 10 too.
    expect(own.won[40]).toBeCloseTo((10 + 1 * 1) / (10 + 1), 12);
    // With many pseudo-deals the segment takes the pooled hazards (what the ratio scaling did).
    const pulled = shrunkCurve(pooled, exposureTable(slow), noCalendarEffect, 1e9);
    expect(pulled.won[10]).toBeCloseTo(0.5, 6);
  });
});

describe('the trailing-average blend', () => {
  const asOf = Date.parse('2027-03-01T00:00:00Z');
  const plain: ModelSettings = {
    runRateMonths: 3,
    seasonality: false,
    calendar: false,
    hazardWindowMonths: null,
    bySegment: false,
    extraSpread: 0,
  };
  // 100 deals closed 30 days after entering Proposal, on the 10th of Dec, Jan or Feb: 60 won
  // (20 a month, 1,000 each), 40 lost; one open deal.
  const closes = ['2026-12-10', '2027-01-10', '2027-02-10'];
  const entries = ['2026-11-10', '2026-12-11', '2027-01-11'];
  const history: Deal[] = Array.from({ length: 100 }, (_, i) =>
    deal({
      id: `h${i}`,
      stages: `Proposal ${entries[i % 3]} > ${i < 60 ? 'Won' : 'Lost'} ${closes[i % 3]}`,
      amount: 1000_00,
    }),
  );
  const open = deal({ id: 'open', stages: 'Proposal 2027-02-19', amount: 500_00 });
  const run = (settings: ModelSettings) =>
    runForecast({
      deals: [...history, open],
      pipelines: [salesPipeline],
      timeZone: 'UTC',
      currency: 'USD',
      amountOf: usdAmount,
      asOf,
      horizon: 1,
      draws: 4_000,
      settings,
    });

  it('moves the mean to (1 − w) × model + w × the mean of the three months before', () => {
    const alone = run(plain);
    const level = trailingLevel(
      [...history].flatMap((d) =>
        d.status === 'won' && d.closedAt !== null
          ? [{ day: Math.floor(d.closedAt.at / 86_400_000), revenue: 1000_00 }]
          : [],
      ),
      alone.model.asOfDay,
    );
    expect(level.count).toBe(20);
    const expected = expectedByMonth(alone.model);
    const model = expected.openCount[0] + expected.newCount[0];
    const half = run({ ...plain, trailingWeight: { count: 0.5, revenue: 0 } });
    const march = (r: typeof half) => r.forecast.periods.find((p) => p.period === '2027-03');
    // The same draws (same seed), each month scaled by blend ÷ model, then rounded up or down to
    // whole deals...
    const factor = (0.5 * model + 0.5 * 20) / model;
    for (const series of ['openCount', 'newCount'] as const) {
      for (const [i, count] of half.draws[series].entries()) {
        expect(Number.isInteger(count)).toBe(true);
        expect(Math.abs(count - alone.draws[series][i] * factor)).toBeLessThan(1);
      }
    }
    // ...so the mean lands on the blend, up to the Monte Carlo error of the model's own mean.
    expect(march(half)?.count.mean).toBeCloseTo(0.5 * model + 0.5 * 20, 1);
    // Revenue keeps the model's level when its weight is 0.
    expect(march(half)?.revenue.mean).toBeCloseTo(march(alone)?.revenue.mean ?? -1, 6);
  });

  it('leaves the draws alone with no weight', () => {
    const { draws, model } = run(plain);
    const before = Float64Array.from(draws.openCount);
    blendDraws(
      draws,
      expectedByMonth(model),
      model.months,
      { count: 5, revenue: 0 },
      {
        count: 0,
        revenue: 0,
      },
    );
    expect(draws.openCount).toEqual(before);
  });
});
