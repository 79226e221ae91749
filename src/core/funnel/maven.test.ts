import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { mavenDeals, mavenPipeline } from '../../test-support/maven-deals.js';
import { sharedDataPath } from '../../test-support/shared-data.js';
import { funnelStatistics } from './statistics.js';

/**
 * The Maven CRM sample (8,800 opportunities): engage_date is creation and entry into Engaging,
 * close_date the close, close_value major units of USD. Deals are built from the rows by a test
 * helper; the expected figures come from a plain computation over the rows, not from the module.
 */
interface Row {
  opportunity_id: string;
  sales_agent: string;
  product: string;
  account: string;
  deal_stage: string;
  engage_date: string;
  close_date: string;
  close_value: string;
}

const rows: Row[] = parse(readFileSync(sharedDataPath('maven-crm', 'sales_pipeline.csv')), {
  columns: true,
  skip_empty_lines: true,
});

/** The independent computation: counts and day differences straight from the rows. */
function expectedFromRows() {
  const won = rows.filter((row) => row.deal_stage === 'Won');
  const lost = rows.filter((row) => row.deal_stage === 'Lost');
  const days = won
    .map((row) => (Date.parse(row.close_date) - Date.parse(row.engage_date)) / 86_400_000)
    .sort((a, b) => a - b);
  const middle = days.length / 2;
  const median =
    days.length % 2 === 1 ? days[Math.floor(middle)] : (days[middle - 1] + days[middle]) / 2;
  const revenue = won.reduce((total, row) => total + Number(row.close_value), 0);
  return {
    won: won.length,
    lost: lost.length,
    winRate: won.length / (won.length + lost.length),
    median,
    revenue,
  };
}

describe('Maven CRM sample', () => {
  const deals = mavenDeals();
  const funnelIn = (timeZone: string) =>
    funnelStatistics({
      deals,
      pipeline: mavenPipeline,
      timeZone,
      currency: 'USD',
      amountOf: (deal) => deal.amountMinor,
    });
  const stats = funnelIn('UTC');
  const expected = expectedFromRows();

  it('has 8,800 deals: 4,238 won, 2,473 lost, 2,089 open, and 10,005,534 USD won', () => {
    expect(stats.deals).toEqual({ total: 8800, open: 2089, won: 4238, lost: 2473 });
    expect(stats.wonRevenue).toEqual({ amount: 10_005_534_00, currency: 'USD', n: 4238 });
    expect(expected.revenue).toBe(10_005_534);
    expect(stats.asOf).toBe(Date.parse('2018-01-01T00:00:00Z')); // after the last close, 2017-12-31
  });

  it('gives the win rate and median time to close of a plain computation', () => {
    expect(expected.winRate).toBe(4238 / 6711);
    expect(stats.winRate).toBe(expected.winRate);
    expect(expected.median).toBe(57);
    expect(stats.timeToClose.median).toBe(expected.median);
    expect(stats.timeToClose.n).toBe(4238);
  });

  it('keeps calendar dates in their days in any zone', () => {
    for (const zone of ['Asia/Taipei', 'America/Los_Angeles']) {
      const zoned = funnelIn(zone);
      expect(zoned.timeToClose.median, zone).toBe(57);
      expect(zoned.deals, zone).toEqual(stats.deals);
    }
  });

  it('counts the stages: every deal prospected, those engaged, those won', () => {
    expect(stats.stages.map(({ stage, entered, advanced }) => [stage, entered, advanced])).toEqual([
      ['Prospecting', 8800, 8300],
      ['Engaging', 8300, 4238],
    ]);
    expect(stats.notes).toEqual([
      '500 open or lost deals without a creation or close date left out of time to win',
    ]);
  });
});
