import { describe, expect, it } from 'vitest';
import type { AttributionReport } from '../../core/attribution/report.js';
import { formatAttributionTables } from './attribution-table.js';

/** Two channels under `first`, credited `values`; their sum is the total value. */
const report = (values: readonly [number, number]): AttributionReport => ({
  totals: { conversions: 2, value: values[0] + values[1], paths: 2, journeys: 2 },
  models: {
    first: [
      { channel: 'Paid Search', conversions: 1, value: values[0] },
      { channel: 'Unattributed', conversions: 1, value: values[1] },
    ],
  },
});

const row = (text: string, channel: string) =>
  text
    .split('\n')
    .filter((line) => line.includes(channel))
    .at(-1);

describe('formatAttributionTables', () => {
  it("prints credited money with the currency's ISO 4217 decimals, the code in the header", () => {
    for (const [currency, values, shown, total] of [
      ['KWD', [100, 1311.353], '1,311.353', 'KWD 1,411.353'],
      ['JPY', [3000, 127_000], '127,000', 'JPY 130,000'],
      ['USD', [0.1, 1311.35], '1,311.35', 'USD 1,311.45'],
      ['IDR', [1, 1500.5], '1,500.50', 'IDR 1,501.50'],
    ] as const) {
      const text = formatAttributionTables({ ...report(values), currency });
      expect(row(text, 'Unattributed'), currency).toMatch(new RegExp(` ${shown} `));
      expect(text, currency).toMatch(new RegExp(`value \\(${currency}\\) `));
      expect(text.trimEnd().split('\n').at(-1), currency).toMatch(new RegExp(`, value ${total}$`));
    }
  });

  it('keeps two decimals and no code for values from a file, which have no currency', () => {
    const text = formatAttributionTables(report([100, 1311.353]));
    expect(row(text, 'Unattributed')).toMatch(/ 1,311\.35 /);
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/, value 1,411\.35$/);
  });
});
