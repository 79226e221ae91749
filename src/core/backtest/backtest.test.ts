import { describe, expect, it } from 'vitest';
import { deal, salesPipeline, usdAmount } from '../../test-support/deals.js';
import type { Deal } from '../deals.js';
import { type BacktestInput, backtestForecast } from './backtest.js';

const isoDay = (day: number) => new Date(Date.UTC(2026, 0, day)).toISOString().slice(0, 10);

/** 60 deals from 5 January 2026, one every other day, each closed in Proposal 30 days later. */
const dated: Deal[] = Array.from({ length: 60 }, (_, i) =>
  deal({
    id: `d${i}`,
    stages: `Proposal ${isoDay(5 + 2 * i)} > ${i % 2 === 0 ? 'Won' : 'Lost'} ${isoDay(35 + 2 * i)}`,
    amount: 1000_00,
  }),
);
/** Prospects with no date at all, as the Maven sample has 500 of. */
const undated: Deal[] = Array.from({ length: 40 }, (_, i) =>
  deal({ id: `u${i}`, created: null, stage: 'Lead' }),
);

const backtest = (deals: readonly Deal[], options: Partial<BacktestInput> = {}) =>
  backtestForecast({
    deals,
    pipelines: [salesPipeline],
    timeZone: 'UTC',
    currency: 'USD',
    amountOf: usdAmount,
    from: '2026-03-01',
    to: '2026-04-01',
    horizon: 1,
    draws: 500,
    ...options,
  });

describe('deals with no date at all', () => {
  it('count as open from the first date in the data on, and the forecasts say so', () => {
    const withThem = backtest([...dated, ...undated]);
    expect(withThem.forecasts).toHaveLength(2);
    for (const forecast of withThem.forecasts) {
      expect(forecast.notes).toContain(
        '40 open deals without any date counted as open since the earliest date in the data',
      );
    }
  });
});

describe('as-of dates before any deal', () => {
  it('are left out with a note: nothing was known to forecast from', () => {
    const report = backtest([...dated, ...undated], { from: '2025-12-01', to: '2026-03-01' });
    expect(report.asOf).toEqual(['2026-02-01', '2026-03-01']);
    expect(report.forecasts.map((f) => f.asOf)).toEqual(['2026-02-01', '2026-03-01']);
    expect(report.rows.map((row) => row.asOf)).not.toContain('2025-12-01');
    expect(report.notes).toEqual([
      'as of 2025-12-01, 2026-01-01 no deal was known yet (the data starts on 2026-01-05): nothing to forecast from, left out',
    ]);
  });

  it('all of them: refused, naming `to`', () => {
    expect(() =>
      backtest([...dated, ...undated], { from: '2025-01-01', to: '2025-03-01' }),
    ).toThrow(
      expect.objectContaining({
        code: 'CL_ERR_MODEL_INPUT',
        message:
          'to: no deal was known yet as of 2025-03-01 (the data starts on 2026-01-05): there is nothing to forecast from',
      }),
    );
  });
});

describe('amounts', () => {
  it('count when only an open deal has one', () => {
    const open = deal({ id: 'open', stages: 'Proposal 2026-01-05', amount: 1000_00 });
    const report = backtest([open], { from: '2026-02-01', to: '2026-02-01' });
    expect(report.hasAmounts).toBe(true);
    const revenue = report.rows.find((row) => row.metric === 'revenue');
    expect(revenue?.p90).not.toBeNull();
  });
});

describe('dates after now', () => {
  const now = Date.UTC(2026, 5, 15, 12); // 15 June 2026; the dated deals' last close is 2 June
  const typo = deal({
    id: 'typo',
    stages: 'Proposal 2026-01-10 > Won 2099-03-01',
    amount: 1000_00,
  });
  const options = { from: '2026-03-01', to: '2026-07-01', now };
  const judged = (report: ReturnType<typeof backtest>) =>
    new Set(report.rows.filter((row) => row.complete).map((row) => row.period));

  it('do not make the months after now complete: they are judged as without them, and noted', () => {
    const withTypo = backtest([...dated, typo], options);
    expect(judged(withTypo)).toEqual(new Set(['2026-03', '2026-04', '2026-05']));
    expect(judged(withTypo)).toEqual(judged(backtest(dated, options)));
    expect(withTypo.notes).toEqual([
      '1 deal carries a date after now (the latest 2099-03-01); dates after now are typos or expectations, not data: months are complete only up to the latest date before now, and they count as not yet happened',
    ]);
  });
});
