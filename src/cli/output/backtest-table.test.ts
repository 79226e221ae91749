import { describe, expect, it } from 'vitest';
import { type BacktestReport, methodNames } from '../../core/backtest/backtest.js';
import { defaultSettings } from '../../core/forecast/settings.js';
import { formatBacktest } from './backtest-table.js';

const none = { wape: null, mape: null, bias: null, coverage80: null };
const report = (fields: Partial<BacktestReport>): BacktestReport => ({
  asOf: ['2026-02-01'],
  horizon: 1,
  currency: 'USD',
  hasAmounts: true,
  metrics: Object.fromEntries(
    methodNames.map((name) => [
      name,
      { revenue: none, count: none, byHorizon: { '1': { revenue: none, count: none } } },
    ]),
  ) as unknown as BacktestReport['metrics'],
  rows: [],
  forecasts: [{ asOf: '2026-02-01', settings: defaultSettings, notes: [] }],
  notes: [],
  ...fields,
});

describe('formatBacktest', () => {
  it('says why revenue is left out, and what the backtest left out', () => {
    const text = formatBacktest(
      report({
        hasAmounts: false,
        notes: [
          'as of 2026-01-01 no deal was known yet (the data starts on 2026-01-05): nothing to forecast from, left out',
        ],
      }),
    );
    expect(text).toContain('revenue: no deal has an amount; counts of won deals only');
    expect(text).toContain(
      '  note: as of 2026-01-01 no deal was known yet (the data starts on 2026-01-05): nothing to forecast from, left out',
    );
    expect(formatBacktest(report({}))).not.toContain('no deal has an amount');
  });
});
