import Table from 'cli-table3';
import { type BacktestReport, methodNames } from '../../core/backtest/backtest.js';
import type { Metrics } from '../../core/backtest/metrics.js';

const percent = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 });
const show = (value: number | null) => (value === null ? '–' : percent.format(value));

/** One table per measure: each method's errors overall and by horizon month. */
export function formatBacktest(report: BacktestReport): string {
  const lines = [
    `Backtest: as of ${report.asOf[0]} … ${report.asOf.at(-1)} (${report.asOf.length} dates), ${report.horizon}-month horizon`,
  ];
  const horizons = Array.from({ length: report.horizon }, (_, i) => String(i + 1));
  for (const measure of ['revenue', 'count'] as const) {
    if (measure === 'revenue' && !report.hasAmounts) {
      lines.push('revenue: no deal has an amount; counts of won deals only');
      continue;
    }
    const table = new Table({
      head: [
        measure === 'revenue' ? 'revenue' : 'won deals',
        'WAPE',
        'MAPE',
        'bias',
        'P10–P90 coverage',
        ...horizons.map((h) => `WAPE month ${h}`),
      ],
      style: { head: [], border: [], compact: true },
    });
    for (const method of methodNames) {
      const metrics = report.metrics[method];
      const overall: Metrics = metrics[measure];
      table.push([
        method,
        show(overall.wape),
        show(overall.mape),
        show(overall.bias),
        show(overall.coverage80),
        ...horizons.map((h) => show(metrics.byHorizon[h]?.[measure].wape ?? null)),
      ]);
    }
    lines.push(table.toString());
  }
  const incomplete = report.rows.filter((row) => !row.complete && row.metric === 'count');
  if (incomplete.length > 0) {
    lines.push(
      `  ${incomplete.length} forecast months end after the data does: listed in --json, left out of the metrics`,
    );
  }
  for (const note of report.notes) lines.push(`  note: ${note}`);
  return `${lines.join('\n')}\n`;
}
