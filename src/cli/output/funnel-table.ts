import Table from 'cli-table3';
import type { Amount } from '../../core/funnel/types.js';
import { formatMoney } from '../../core/money.js';
import type { FunnelReport } from '../../server/reports/funnel.js';

const whole = new Intl.NumberFormat('en');
const days = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 });

const money = (amount: Amount) =>
  amount.amount === null ? '–' : formatMoney(amount.amount, amount.currency);
const orDash = (value: number | null, format: Intl.NumberFormat) =>
  value === null ? '–' : format.format(value);

/** The funnel as a marketer reads it: counts, the stage table, then times and sizes. */
export function formatFunnel(report: FunnelReport): string {
  const { deals } = report;
  const lines = [
    `Pipeline "${report.pipeline}" as of ${report.asOf ?? 'no date'}`,
    `  deals: ${whole.format(deals.total)} (${whole.format(deals.open)} open, ${whole.format(deals.won)} won, ${whole.format(deals.lost)} lost)`,
    `  won revenue: ${money(report.wonRevenue)}   win rate: ${orDash(report.winRate, percent)}`,
  ];
  const stages = new Table({
    head: ['stage', 'entered', 'advanced', 'rate', 'days median', 'p75', 'p90'],
    style: { head: [], border: [], compact: true },
  });
  for (const stage of report.stages) {
    stages.push([
      stage.stage,
      whole.format(stage.entered),
      whole.format(stage.advanced),
      stage.entered === 0 ? '–' : percent.format(stage.advanced / stage.entered),
      orDash(stage.daysInStage.median, days),
      orDash(stage.daysInStage.p75, days),
      orDash(stage.daysInStage.p90, days),
    ]);
  }
  lines.push(stages.toString());
  const close = report.timeToClose;
  lines.push(
    `  time to close (won): median ${orDash(close.median, days)} days, p75 ${orDash(close.p75, days)}, p90 ${orDash(close.p90, days)} (${whole.format(close.n)} deals)`,
    `  time to win, open deals counted (Kaplan–Meier): median ${orDash(report.timeToWinKM.median, days)} days`,
    `  deal size (won): average ${money(report.averageDealSize)}, median ${money(report.medianDealSize)}`,
    `  sales velocity: ${money(report.salesVelocity)} per day`,
  );
  for (const note of report.notes) lines.push(`  note: ${note}`);
  return `${lines.join('\n')}\n`;
}
