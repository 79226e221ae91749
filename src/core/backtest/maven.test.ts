import { describe, expect, it } from 'vitest';
import { mavenDeals, mavenPipeline } from '../../test-support/maven-deals.js';
import { backtestForecast, methodNames } from './backtest.js';

/**
 * The Maven CRM sample, as-of dates 2017-06-01 to 2017-12-01, one to three months ahead. The figures
 * are printed (the README reports them against the targets); only robust facts are asserted.
 */
describe('backtest on the Maven CRM sample', () => {
  const report = backtestForecast({
    deals: mavenDeals(),
    pipelines: [mavenPipeline],
    timeZone: 'UTC',
    currency: 'USD',
    amountOf: (deal) => deal.amountMinor,
    from: '2017-06-01',
    to: '2017-12-01',
    every: 1,
    horizon: 3,
    seed: 1,
  });

  it('prints every metric', () => {
    const pct = (x: number | null) =>
      x === null ? '   —  ' : `${(100 * x).toFixed(1).padStart(5)}%`;
    for (const metric of ['revenue', 'count'] as const) {
      console.log(
        `\n${metric}: method             WAPE    MAPE    bias    cover80   (by horizon: WAPE)`,
      );
      for (const name of methodNames) {
        const m = report.metrics[name];
        const byH = Object.entries(m.byHorizon)
          .map(([h, x]) => `h${h} ${pct(x[metric].wape)}`)
          .join('  ');
        console.log(
          `  ${name.padEnd(18)} ${pct(m[metric].wape)} ${pct(m[metric].mape)} ${pct(m[metric].bias)} ${pct(m[metric].coverage80)}   ${byH}`,
        );
      }
    }
    for (const row of report.rows.filter((r) => r.metric === 'count')) {
      console.log(
        `${row.asOf} ${row.period} h${row.horizon} actual ${row.actual} p10 ${row.p10?.toFixed(0)} p50 ${row.p50?.toFixed(0)} p90 ${row.p90?.toFixed(0)} mean ${row.mean?.toFixed(0)} wp ${row.weighted_pipeline?.toFixed(0)} ta ${row.trailing_average?.toFixed(0)} lm ${row.last_month?.toFixed(0)} ${row.complete ? '' : 'incomplete'}`,
      );
    }
    expect(report.asOf).toEqual([
      '2017-06-01',
      '2017-07-01',
      '2017-08-01',
      '2017-09-01',
      '2017-10-01',
      '2017-11-01',
      '2017-12-01',
    ]);
  });

  it('has a row per as-of date, month and metric, with 2018 months marked incomplete', () => {
    expect(report.rows).toHaveLength(7 * 3 * 2);
    const incomplete = report.rows.filter((row) => !row.complete).map((row) => row.period);
    expect(new Set(incomplete)).toEqual(new Set(['2018-01', '2018-02']));
    expect(incomplete).toHaveLength(2 * 3); // 2017-11: Jan; 2017-12: Jan and Feb; each twice
  });

  it('gives finite numbers everywhere, and a metric for every method', () => {
    for (const row of report.rows) {
      for (const value of [
        row.actual,
        row.p10,
        row.p50,
        row.p90,
        row.mean,
        row.weighted_pipeline,
      ]) {
        expect(Number.isFinite(value)).toBe(true);
      }
      expect(row.p10 ?? 0).toBeLessThanOrEqual(row.p90 ?? 0);
    }
    for (const name of methodNames) {
      expect(Number.isFinite(report.metrics[name].revenue.wape)).toBe(true);
      expect(Number.isFinite(report.metrics[name].count.wape)).toBe(true);
    }
    expect(report.metrics.closedloop.count.coverage80).not.toBeNull();
    expect(report.metrics.last_month.count.coverage80).toBeNull();
  });
});
