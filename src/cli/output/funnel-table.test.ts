import { describe, expect, it } from 'vitest';
import type { Amount } from '../../core/funnel/types.js';
import type { FunnelReport } from '../../server/reports/funnel.js';
import { formatFunnel } from './funnel-table.js';

const spread = { median: null, p75: null, p90: null, n: 0 };

/** One won deal of `won` (major units) and its size; velocity `velocity` a day. */
const report = (currency: string, won: number, velocity: number): FunnelReport => {
  const amount = (value: number): Amount => ({ amount: value, currency, n: 1 });
  return {
    asOf: '2027-03-01T00:00:00.000Z',
    pipeline: 'default',
    currency,
    deals: { total: 1, open: 0, won: 1, lost: 0 },
    wonRevenue: amount(won),
    winRate: 1,
    stages: [],
    timeToClose: spread,
    timeToWinKM: { median: null, n: 0, won: 0 },
    averageDealSize: amount(won),
    medianDealSize: amount(won),
    dealSizeBy: { firstTouch: null, lastTouch: null, segment: [] },
    salesVelocity: amount(velocity),
    cohorts: null,
    notes: [],
  };
};

const line = (text: string, start: string) =>
  text.split('\n').find((l) => l.startsWith(`  ${start}`));

describe('formatFunnel', () => {
  it("prints money with the currency's ISO 4217 decimals and its code", () => {
    for (const [currency, won, velocity, wonShown, velocityShown] of [
      ['KWD', 1311.353, 12.5, 'KWD 1,311.353', 'KWD 12.500'],
      ['JPY', 127_000, 1_234, 'JPY 127,000', 'JPY 1,234'],
      ['USD', 1500.5, 0.3, 'USD 1,500.50', 'USD 0.30'],
      ['IDR', 1500.99, 1500.5, 'IDR 1,500.99', 'IDR 1,500.50'],
    ] as const) {
      const text = formatFunnel(report(currency, won, velocity));
      expect(line(text, 'won revenue:'), currency).toBe(
        `  won revenue: ${wonShown}   win rate: 100%`,
      );
      expect(line(text, 'deal size'), currency).toBe(
        `  deal size (won): average ${wonShown}, median ${wonShown}`,
      );
      expect(line(text, 'sales velocity'), currency).toBe(
        `  sales velocity: ${velocityShown} per day`,
      );
    }
  });

  it('prints a dash for money it does not know', () => {
    const unknown = { ...report('USD', 0, 0), wonRevenue: { amount: null, currency: 'USD', n: 0 } };
    expect(line(formatFunnel(unknown), 'won revenue:')).toBe('  won revenue: –   win rate: 100%');
  });
});
