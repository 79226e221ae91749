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
      '  target 2018 $9,000,000: not judged: the horizon covers it to 2018-06 only; --horizon 12 judges it',
      '  target 2019 $9,000,000: outside the horizon; --horizon 24 judges it',
      '  target 2023 $9,000,000: not judged: the horizon covers it to 2022-12 only',
      '  target 2018-Q1 $2,500,000: 5% likely',
    ]);
  });
});
