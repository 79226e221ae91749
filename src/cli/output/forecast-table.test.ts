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
