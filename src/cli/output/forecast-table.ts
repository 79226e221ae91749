import Table from 'cli-table3';
import { maxHorizon } from '../../core/forecast/forecast.js';
import { formatMoney } from '../../core/money.js';
import type { ForecastReport } from '../../server/reports/forecast.js';

const percent = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 0 });
const whole = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
const dealsShown = 10;

/**
 * Periods with their bands, then targets, the deals that matter most, and the notes. Money has the
 * currency's ISO 4217 decimals: in the table its code is said once, in the caption above it.
 */
export function formatForecast(report: ForecastReport): string {
  const money = (amount: number) => formatMoney(amount, report.currency);
  const cell = (amount: number) => formatMoney(amount, report.currency, { code: false });
  const lines = [
    `Revenue forecast in ${report.currency} as of ${report.asOf} (${report.timeZone}), ${report.draws.toLocaleString('en-US')} draws; channels by ${report.model}`,
  ];
  const periods = new Table({
    head: [
      report.by,
      'P10',
      'P50',
      'P90',
      'mean',
      'won so far',
      'open deals',
      'new pipeline',
      'deals won (P50)',
    ],
    style: { head: [], border: [], compact: true },
  });
  for (const period of report.periods) {
    periods.push([
      `${period.period}${period.complete ? '' : ' *'}`,
      cell(period.revenue.p10),
      cell(period.revenue.p50),
      cell(period.revenue.p90),
      cell(period.revenue.mean),
      cell(period.wonToDate.revenue),
      cell(period.fromOpenDeals.mean),
      cell(period.fromNewPipeline.mean),
      whole.format(Math.round(period.count.p50)),
    ]);
  }
  lines.push(periods.toString());
  if (report.periods.some((period) => !period.complete)) {
    lines.push('  * the horizon ends before this period does: its figures cover only part of it');
  }
  for (const target of report.targets) {
    // A period covered only in part is not judged: its target would meet part of its revenue.
    const judgedBy =
      target.horizonNeeded === null || target.horizonNeeded > maxHorizon
        ? ''
        : `; --horizon ${target.horizonNeeded} judges it`;
    const chance =
      target.probability !== null
        ? `${percent.format(target.probability)} likely`
        : target.coveredTo !== null
          ? `not judged: the horizon covers it to ${target.coveredTo} only${judgedBy}`
          : `outside the horizon${judgedBy}`;
    lines.push(
      `  target ${target.period} ${money(target.amount)}: ${chance}` +
        (target.expectedGap !== null && target.expectedGap > 0
          ? `, expected gap ${money(target.expectedGap)}`
          : ''),
    );
    if (target.plan !== null) {
      lines.push(
        `    to close it: ${whole.format(target.plan.extraWonDeals)} more won deals, ${whole.format(target.plan.extraDealsPerMonth)} more new deals a month for ${target.plan.creationMonths} months`,
      );
      for (const lead of target.plan.extraLeadsPerMonth ?? []) {
        if (lead.leads !== null)
          lines.push(
            `      ${lead.channel ?? 'unattributed'}: ${whole.format(lead.leads)} more leads a month`,
          );
      }
    }
  }
  const deals = report.deals.slice(0, dealsShown);
  if (deals.length > 0) {
    lines.push(
      `Open deals, largest expected value first (${deals.length} of ${report.deals.length.toLocaleString('en-US')}):`,
    );
    for (const deal of deals) {
      lines.push(
        `  ${deal.name ?? deal.externalId ?? deal.dealId}: ${percent.format(deal.winChance)} within the horizon` +
          `${deal.expectedValue === null ? '' : `, expected ${money(deal.expectedValue)}`} — ${deal.reason}`,
      );
    }
  }
  for (const note of report.notes) lines.push(`  note: ${note}`);
  return `${lines.join('\n')}\n`;
}
