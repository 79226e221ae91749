import Table from 'cli-table3';
import type { AttributionReport } from '../../core/attribution/report.js';

const conversionsFormat = new Intl.NumberFormat('en', {
  maximumFractionDigits: 1,
  minimumFractionDigits: 1,
});
const valueFormat = new Intl.NumberFormat('en', {
  maximumFractionDigits: 2,
  minimumFractionDigits: 2,
});
const effectFormat = new Intl.NumberFormat('en', {
  maximumFractionDigits: 4,
  minimumFractionDigits: 4,
});

/** Channels × models, once for conversions and once for value, with totals underneath. */
export function formatAttributionTables(report: AttributionReport): string {
  const models = Object.keys(report.models);
  const channels = (report.models[models[0] ?? ''] ?? []).map((credit) => credit.channel);
  const parts: string[] = [];
  const table = (title: string, pick: 'conversions' | 'value', format: Intl.NumberFormat) => {
    const withEffects = pick === 'conversions' && report.removal_effects !== undefined;
    const head = [title, ...models, ...(withEffects ? ['removal effect'] : [])];
    const t = new Table({ head, style: { head: [], border: [], compact: true } });
    channels.forEach((channel, row) => {
      const cells = models.map((model) => format.format(report.models[model]?.[row]?.[pick] ?? 0));
      const effect = withEffects
        ? [effectFormat.format(report.removal_effects?.[channel] ?? 0)]
        : [];
      t.push([channel, ...cells, ...effect]);
    });
    const total = report.totals[pick];
    t.push(['total', ...models.map(() => format.format(total)), ...(withEffects ? [''] : [])]);
    parts.push(`${t.toString()}\n`);
  };
  table('conversions', 'conversions', conversionsFormat);
  if (report.totals.value !== 0) table('value', 'value', valueFormat);
  const { conversions, value, paths, journeys } = report.totals;
  parts.push(
    `${paths} distinct paths, ${journeys} journeys, ${conversionsFormat.format(conversions)} conversions, value ${valueFormat.format(value)}\n`,
  );
  return parts.join('\n');
}
