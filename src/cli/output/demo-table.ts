import Table from 'cli-table3';
import { formatMoney, minorToMajor } from '../../core/money.js';
import type { DemoReport } from '../commands/demo.js';

const percent = new Intl.NumberFormat('en', {
  style: 'percent',
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});
const count = new Intl.NumberFormat('en');
const distance = new Intl.NumberFormat('en', {
  minimumFractionDigits: 3,
  maximumFractionDigits: 3,
});

/** The true lead shares beside each model's, then every model ranked by its distance to the truth. */
export function formatDemo(demo: DemoReport): string {
  const { world, totals } = demo;
  const won = totals.wonRevenue;
  const lines = [
    `A simulated B2B company, ${world.from} to ${world.to} (seed ${world.seed}): ${count.format(world.visitors)} visitors, ` +
      `${count.format(totals.sessions)} sessions, ${count.format(totals.leads)} leads, ${count.format(totals.deals)} deals, ` +
      `${count.format(totals.won)} won for ${formatMoney(minorToMajor(won.minor, won.currency), won.currency)}.`,
    '',
    'Share of leads per channel: the truth (leads lost when the channel is switched off) and each model.',
  ];
  const models = demo.leads.map((row) => row.model);
  const table = new Table({
    head: ['channel', 'truth', ...models],
    style: { head: [], border: [], compact: true },
  });
  for (const row of demo.truth) {
    table.push([
      row.channel,
      percent.format(row.leadShare),
      ...demo.leads.map((m) => percent.format(m.shares[row.channel] ?? 0)),
    ]);
  }
  table.push(['L1 to truth', '', ...demo.leads.map((m) => distance.format(m.l1))]);
  lines.push(
    table.toString(),
    '',
    'Distance to the truth (L1 over channel shares; 0 is perfect), closest first:',
  );
  const ranking = new Table({
    head: ['model', 'leads', 'won revenue'],
    style: { head: [], border: [], compact: true },
  });
  const revenueL1 = new Map(demo.revenue.map((m) => [m.model, m.l1]));
  for (const m of [...demo.leads].sort((a, b) => a.l1 - b.l1)) {
    ranking.push([
      m.model,
      distance.format(m.l1),
      distance.format(revenueL1.get(m.model) ?? Number.NaN),
    ]);
  }
  lines.push(ranking.toString(), '');
  return lines.join('\n');
}
