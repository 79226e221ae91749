import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../core/forecast/settings.js';
import type { ForecastReport } from '../../server/reports/forecast.js';
import { formatForecast } from './forecast-table.js';

type ShownDeal = ForecastReport['deals'][number];

const openDeal = (n: number): ShownDeal => ({
  dealId: `d${n}`,
  externalId: `D-${n}`,
  name: `Deal ${n}`,
  stage: 'Proposal',
  winChance: 0.5,
  expectedClose: '2027-03',
  value: 1000,
  valueSource: 'amount',
  expectedValue: 500,
  daysInStage: 10,
  usualDaysInStage: 20,
  daysSinceCreated: 30,
  basis: 'history',
  pooledWith: [],
  reason: 'Proposal, 10 days in stage (usual 20)',
});

/** A report with no periods or targets: only the deals differ between the cases. */
const reportWith = (deals: number): ForecastReport => ({
  asOf: '2027-03-01T00:00:00.000Z',
  horizon: 3,
  currency: 'USD',
  timeZone: 'UTC',
  draws: 100,
  hasAmounts: true,
  settings: defaultSettings,
  periods: [],
  deals: Array.from({ length: deals }, (_, i) => openDeal(i + 1)),
  targets: [],
  runRates: [],
  notes: [],
  by: 'month',
  model: 'linear',
});

const dealsHeading = (text: string) =>
  text.split('\n').find((line) => line.startsWith('Open deals'));

describe('formatForecast', () => {
  it('counts the deals it shows, not the most it would show', () => {
    expect(dealsHeading(formatForecast(reportWith(1)))).toBe(
      'Open deals, largest expected value first (1 of 1):',
    );
  });

  it('shows the ten largest of more, and says how many there are', () => {
    const text = formatForecast(reportWith(1234));
    expect(dealsHeading(text)).toBe('Open deals, largest expected value first (10 of 1,234):');
    expect(text.split('\n').filter((line) => line.startsWith('  Deal '))).toHaveLength(10);
  });
});

describe('formatForecast targets', () => {
  const target = (fields: Partial<ForecastReport['targets'][number]>) => ({
    period: '2018',
    amount: 9_000_000,
    complete: false,
    probability: null,
    expected: null,
    expectedGap: null,
    plan: null,
    coveredTo: null,
    horizonNeeded: null,
    ...fields,
  });
  const lines = (targets: ForecastReport['targets']) =>
    formatForecast({ ...reportWith(0), targets })
      .split('\n')
      .filter((line) => line.startsWith('  target '));

  it('says plainly that a period covered in part is not judged, and what judges it', () => {
    expect(
      lines([
        target({ coveredTo: '2018-06', horizonNeeded: 12 }),
        target({ period: '2019', horizonNeeded: 24 }),
        target({ period: '2023', coveredTo: '2022-12', horizonNeeded: 72 }),
        target({ period: '2018-Q1', amount: 2_500_000, complete: true, probability: 0.05 }),
      ]),
    ).toEqual([
      '  target 2018 USD 9,000,000.00: not judged: the horizon covers it to 2018-06 only; --horizon 12 judges it',
      '  target 2019 USD 9,000,000.00: outside the horizon; --horizon 24 judges it',
      '  target 2023 USD 9,000,000.00: not judged: the horizon covers it to 2022-12 only',
      '  target 2018-Q1 USD 2,500,000.00: 5% likely',
    ]);
  });
});

describe('formatForecast money', () => {
  const band = (value: number) => ({ p10: value, p50: value, p90: value, mean: value });
  const period = (value: number): ForecastReport['periods'][number] => ({
    period: '2027-03',
    kind: 'month',
    complete: true,
    wonToDate: { revenue: value, count: 1 },
    revenue: band(value),
    count: band(1),
    fromOpenDeals: band(value),
    fromNewPipeline: band(value),
    newMrr: band(0),
    byChannel: [],
  });
  const shown = (currency: string, value: number) =>
    formatForecast({
      ...reportWith(1),
      currency,
      periods: [period(value)],
      deals: [{ ...openDeal(1), value, expectedValue: value }],
      targets: [
        {
          period: '2027-Q1',
          amount: value,
          complete: true,
          probability: 0.5,
          expected: 0,
          expectedGap: value,
          plan: null,
          coveredTo: null,
          horizonNeeded: null,
        },
      ],
    }).split('\n');

  it('prints every ISO 4217 decimal of the currency: the code once over the table, on each line after', () => {
    for (const [currency, value, text] of [
      ['KWD', 1250.505, '1,250.505'],
      ['JPY', 127_000, '127,000'],
      ['USD', 1250.5, '1,250.50'],
      ['IDR', 1500.5, '1,500.50'],
    ] as const) {
      const lines = shown(currency, value);
      expect(lines[0], currency).toMatch(new RegExp(`^Revenue forecast in ${currency} as of `));
      const row = lines.find((line) => line.startsWith('│ 2027-03 '));
      expect(
        row?.split(/\s*│\s*/).filter((cell) => cell !== ''),
        currency,
      ).toEqual(['2027-03', ...Array.from({ length: 7 }, () => text), '1']);
      expect(
        lines.find((line) => line.startsWith('  target ')),
        currency,
      ).toBe(`  target 2027-Q1 ${currency} ${text}: 50% likely, expected gap ${currency} ${text}`);
      expect(
        lines.find((line) => line.startsWith('  Deal 1')),
        currency,
      ).toBe(
        `  Deal 1: 50% within the horizon, expected ${currency} ${text} — Proposal, 10 days in stage (usual 20)`,
      );
    }
  });
});
