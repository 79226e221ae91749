import { describe, expect, it } from 'vitest';
import type { DemoReport } from '../commands/demo.js';
import { formatDemo } from './demo-table.js';

const demo = (minor: number, currency: string): DemoReport => ({
  world: { seed: 1, months: 1, visitors: 10, from: '2027-01-01', to: '2027-01-31' },
  totals: { sessions: 20, leads: 3, deals: 2, won: 1, wonRevenue: { minor, currency } },
  truth: [],
  leads: [],
  revenue: [],
});

describe('formatDemo', () => {
  it("prints the won revenue with its currency's ISO 4217 decimals and code", () => {
    for (const [minor, currency, shown] of [
      [123_456_789, 'USD', 'USD 1,234,567.89'],
      [1_311_353, 'KWD', 'KWD 1,311.353'],
      [127_000, 'JPY', 'JPY 127,000'],
      [150_050, 'IDR', 'IDR 1,500.50'],
    ] as const) {
      expect(formatDemo(demo(minor, currency)).split('\n')[0], currency).toMatch(
        new RegExp(`, 1 won for ${shown}\\.$`),
      );
    }
  });
});
