import { describe, expect, it } from 'vitest';
import { deal, salesPipeline, usdAmount } from '../../test-support/deals.js';
import type { Deal } from '../deals.js';
import { expectedByMonth } from './expected.js';
import { forecastRevenue, runForecast } from './forecast.js';
import type { ModelSettings } from './settings.js';

const asOf = Date.parse('2027-03-01T00:00:00Z');
const plain: ModelSettings = {
  runRateMonths: 3,
  seasonality: false,
  calendar: false,
  hazardWindowMonths: null,
  bySegment: false,
  extraSpread: 0,
};
const isoDay = (day: number) => new Date(Date.UTC(2027, 0, day)).toISOString().slice(0, 10);

/** 100 deals that entered Proposal in January and closed exactly 30 days later: 60 won, 40 lost. */
function thirtyDayHistory(): Deal[] {
  return Array.from({ length: 100 }, (_, i) => {
    const entered = 1 + (i % 20);
    const outcome = i < 60 ? 'Won' : 'Lost';
    return deal({
      id: `h${i}`,
      stages: `Proposal ${isoDay(entered)} > ${outcome} ${isoDay(entered + 30)}`,
      amount: 1000_00,
    });
  });
}

const run = (deals: Deal[], extra: Partial<Parameters<typeof forecastRevenue>[0]> = {}) =>
  forecastRevenue({
    deals,
    pipelines: [salesPipeline],
    timeZone: 'UTC',
    currency: 'USD',
    amountOf: usdAmount,
    asOf,
    horizon: 2,
    draws: 2_000,
    settings: plain,
    ...extra,
  });

describe('open deals on a hand-made history', () => {
  it('forecasts a deal 10 days into its stage to be won 20 days later, at the stage win rate', () => {
    const open = deal({ id: 'young', stages: 'Proposal 2027-02-19', amount: 500_00 });
    const forecast = run([...thirtyDayHistory(), open]);
    const young = forecast.deals.find((d) => d.dealId === 'young');
    expect(young?.winChance).toBeCloseTo(0.6, 12);
    expect(young?.expectedClose).toBe('2027-03'); // 2027-03-21, day 30 of its stay
    expect(young?.expectedValue).toBeCloseTo(300_00, 6);
    expect(young?.valueSource).toBe('amount');
    expect(young?.daysInStage).toBe(10);
    expect(young?.usualDaysInStage).toBe(30);
    expect(young?.reason).toContain('Proposal, 10 days in stage (usual 30)');
  });

  it('gives a deal long past the usual time a lower chance', () => {
    const old = deal({ id: 'old', stages: 'Proposal 2026-08-13', amount: 500_00 });
    const young = deal({ id: 'young', stages: 'Proposal 2027-02-19', amount: 500_00 });
    const forecast = run([...thirtyDayHistory(), old, young]);
    const chance = (id: string) => forecast.deals.find((d) => d.dealId === id)?.winChance ?? -1;
    expect(forecast.deals.find((d) => d.dealId === 'old')?.daysInStage).toBe(200);
    // Hazards count from the first close on record (2027-01-31), when the old deal was 171 days
    // in: it never weighs on day 30, and no deal ever closed as old as it is.
    expect(chance('young')).toBeCloseTo(0.6, 12);
    expect(chance('old')).toBeLessThan(chance('young'));
    expect(chance('old')).toBeGreaterThanOrEqual(0);
  });

  it('reads a stage written again (an amount change in Salesforce) as the same stay', () => {
    const young = deal({ id: 'young', stages: 'Proposal 2027-02-19', amount: 500_00 });
    const edited = deal({
      id: 'edited',
      stages: 'Proposal 2027-02-19 > Proposal 2027-02-27',
      amount: 500_00,
    });
    const forecast = run([...thirtyDayHistory(), young, edited]);
    const byId = (id: string) => forecast.deals.find((d) => d.dealId === id);
    expect(byId('edited')?.daysInStage).toBe(10);
    expect(byId('edited')?.winChance).toBeCloseTo(0.6, 12);
    expect(byId('edited')?.expectedClose).toBe(byId('young')?.expectedClose);
  });

  it('pools stages without history with their neighbours, and says so', () => {
    const open = deal({ id: 'lead', stages: 'Lead 2027-02-19', amount: 500_00 });
    const forecast = run([...thirtyDayHistory(), open]);
    const lead = forecast.deals.find((d) => d.dealId === 'lead');
    expect(lead?.basis).toBe('pooled');
    expect(lead?.pooledWith).toEqual(['Qualified', 'Proposal']);
    expect(forecast.notes).toContain(
      'stage Lead has 0 finished stays: pooled with Qualified, Proposal',
    );
  });

  it('falls back on the stage default probability on a new workspace, and says so', () => {
    const open = deal({ id: 'new', stages: 'Qualified 2027-02-20', amount: 500_00 });
    const forecast = run([open], { horizon: 6 });
    const only = forecast.deals[0];
    expect(only?.basis).toBe('default');
    // Qualified's default 0.3, closes spread evenly over 90 days: all inside six months.
    expect(only?.winChance).toBeCloseTo(0.3, 10);
    expect(forecast.notes.some((n) => n.includes('default probabilities'))).toBe(true);
    expect(forecast.periods.every((p) => Number.isFinite(p.revenue.mean))).toBe(true);
  });
});

describe('the Monte Carlo', () => {
  it('converges to the exact expectation: 1,000 deals at 0.6 give P50 and mean 600 wins', () => {
    const open = Array.from({ length: 1000 }, (_, i) =>
      deal({ id: `o${i}`, stages: 'Proposal 2027-02-19', amount: 100_00 }),
    );
    const { forecast, model } = runForecast({
      deals: [...thirtyDayHistory(), ...open],
      pipelines: [salesPipeline],
      timeZone: 'UTC',
      currency: 'USD',
      amountOf: usdAmount,
      asOf,
      horizon: 1,
      draws: 20_000,
      settings: plain,
    });
    const expected = expectedByMonth(model);
    expect(expected.openCount[0]).toBeCloseTo(600, 6);
    const march = forecast.periods.find((p) => p.period === '2027-03');
    expect(march?.fromOpenDeals.mean).toBeCloseTo(expected.openRevenue[0], -3); // within 5 USD
    expect(march?.fromOpenDeals.p50).toBeCloseTo(600 * 100_00, 0);
    // Binomial(1000, 0.6): sd 15.5 wins, so P10 and P90 sit about 20 wins either side.
    expect(march?.fromOpenDeals.p10).toBeGreaterThanOrEqual(578 * 100_00);
    expect(march?.fromOpenDeals.p90).toBeLessThanOrEqual(622 * 100_00);
  });

  it('is deterministic for a seed', () => {
    const deals = [
      ...thirtyDayHistory(),
      deal({ id: 'y', stages: 'Proposal 2027-02-19', amount: 1 }),
    ];
    expect(run(deals, { seed: 5 }).periods).toEqual(run(deals, { seed: 5 }).periods);
  });
});

describe('targets, channels and recurring deals', () => {
  it('reports the chance of a target, its gap, the plan back to leads, and new MRR', () => {
    const monthly = {
      ...deal({ id: 'mrr', stages: 'Proposal 2027-02-19', amount: 100_00 }),
      recurringInterval: 'month' as const,
      termMonths: 12,
    };
    const credit = new Map([
      ['mrr', new Map([['Email', 1]])],
      ...thirtyDayHistory().map(
        (d, i) => [d.id, new Map([[i % 2 === 0 ? 'Email' : 'Paid Search', 1]])] as const,
      ),
    ]);
    const forecast = run([...thirtyDayHistory(), monthly], {
      horizon: 3,
      channelCredit: credit,
      targets: [{ period: '2027-Q1', amount: 1_000_000_00 }],
      leads: [
        { at: Date.parse('2027-01-10T00:00:00Z'), channel: 'Email' },
        { at: Date.parse('2027-01-11T00:00:00Z'), channel: 'Paid Search' },
      ],
    });
    const target = forecast.targets[0];
    expect(target?.probability).toBe(0);
    expect(target?.expectedGap).toBeGreaterThan(0);
    expect(target?.plan?.extraWonDeals).toBeCloseTo((target?.expectedGap ?? 0) / 1000_00, 6);
    expect(target?.plan?.extraLeadsPerMonth?.map((l) => l.channel).sort()).toEqual([
      'Email',
      'Paid Search',
    ]);
    const march = forecast.periods.find((p) => p.period === '2027-03');
    // The recurring deal: 100 USD a month for 12 months is a 1,200 USD booking and 100 USD of MRR.
    expect(forecast.deals.find((d) => d.dealId === 'mrr')?.value).toBe(1200_00);
    expect(march?.newMrr.mean).toBeCloseTo(0.6 * 100_00, -2);
    const channels = march?.byChannel.reduce((sum, c) => sum + c.revenue.mean, 0) ?? 0;
    expect(channels).toBeCloseTo(
      (march?.fromOpenDeals.mean ?? 0) + (march?.fromNewPipeline.mean ?? 0),
      0,
    );
  });
});

describe('what is won to date', () => {
  it('counts a deal won earlier on the as-of day: it is not open any more, so not in the draws', () => {
    const morning = deal({
      id: 'morning',
      stages: 'Proposal 2027-02-01T09:00:00Z > Won 2027-03-01T09:00:00Z',
      amount: 50_000_00,
    });
    // The default as-of: just after the latest instant in the data, on the same day as the win.
    const forecast = run([...thirtyDayHistory(), morning], {
      asOf: undefined,
      targets: [{ period: '2027-03', amount: 40_000_00 }],
    });
    expect(forecast.asOf).toBe(Date.parse('2027-03-01T09:00:00.001Z'));
    expect(forecast.deals.some((d) => d.dealId === 'morning')).toBe(false);
    const march = forecast.periods.find((p) => p.period === '2027-03');
    expect(march?.wonToDate).toEqual({ revenue: 50_000_00, count: 1 });
    expect(march?.revenue.p10).toBeGreaterThanOrEqual(50_000_00);
    expect(march?.count.p10).toBeGreaterThanOrEqual(1);
    // The quarter adds it to January's and February's 60 wins of 1,000 USD.
    const q1 = forecast.periods.find((p) => p.period === '2027-Q1');
    expect(q1?.wonToDate).toEqual({ revenue: 60 * 1000_00 + 50_000_00, count: 61 });
    expect(forecast.targets[0]?.probability).toBe(1);
    expect(forecast.targets[0]?.expectedGap).toBe(0);
  });
});
