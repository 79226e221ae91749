import Table from 'cli-table3';
import type { AttributionReport } from '../../core/attribution/report.js';
import { formatMoney } from '../../core/money.js';

const conversionsFormat = new Intl.NumberFormat('en', {
  maximumFractionDigits: 1,
  minimumFractionDigits: 1,
});
/** Values from a file have no currency: two decimals, as they are written. */
const valueFormat = new Intl.NumberFormat('en', {
  maximumFractionDigits: 2,
  minimumFractionDigits: 2,
});
const effectFormat = new Intl.NumberFormat('en', {
  maximumFractionDigits: 4,
  minimumFractionDigits: 4,
});

/**
 * Channels × models, once for conversions and once for value, with totals underneath. Deals
 * credited at a milestone carry the workspace `currency`: their value is money, printed with the
 * currency's ISO 4217 decimals, its code in the table's header and in the totals.
 */
export function formatAttributionTables(
  report: AttributionReport & { readonly currency?: string },
): string {
  const { currency } = report;
  const value =
    currency === undefined
      ? {
          title: 'value',
          cell: (v: number) => valueFormat.format(v),
          total: (v: number) => valueFormat.format(v),
        }
      : {
          title: `value (${currency})`,
          cell: (v: number) => formatMoney(v, currency, { code: false }),
          total: (v: number) => formatMoney(v, currency),
        };
  const models = Object.keys(report.models);
  const channels = (report.models[models[0] ?? ''] ?? []).map((credit) => credit.channel);
  const parts: string[] = [];
  const table = (title: string, pick: 'conversions' | 'value', format: (n: number) => string) => {
    const withEffects = pick === 'conversions' && report.removal_effects !== undefined;
    const head = [title, ...models, ...(withEffects ? ['removal effect'] : [])];
    const t = new Table({ head, style: { head: [], border: [], compact: true } });
    channels.forEach((channel, row) => {
      const cells = models.map((model) => format(report.models[model]?.[row]?.[pick] ?? 0));
      const effect = withEffects
        ? [effectFormat.format(report.removal_effects?.[channel] ?? 0)]
        : [];
      t.push([channel, ...cells, ...effect]);
    });
    const total = report.totals[pick];
    t.push(['total', ...models.map(() => format(total)), ...(withEffects ? [''] : [])]);
    parts.push(`${t.toString()}\n`);
  };
  table('conversions', 'conversions', (n) => conversionsFormat.format(n));
  if (report.totals.value !== 0) table(value.title, 'value', value.cell);
  const { conversions, paths, journeys } = report.totals;
  parts.push(
    `${paths} distinct paths, ${journeys} journeys, ${conversionsFormat.format(conversions)} conversions, value ${value.total(report.totals.value)}\n`,
  );
  return parts.join('\n');
}
