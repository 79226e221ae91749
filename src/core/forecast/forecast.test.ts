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
      // The present after the data: the default as-of date is never after it.
      now: Date.parse('2030-01-01T00:00:00Z'),
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

describe('targets the horizon covers only in part', () => {
  it('leaves a year covered to June unjudged, and says what horizon judges it', () => {
    const open = deal({ id: 'y', stages: 'Proposal 2027-02-19', amount: 500_00 });
    const forecast = run([...thirtyDayHistory(), open], {
      horizon: 4, // March to June 2027
      targets: [
        { period: '2027', amount: 9_000_000_00 },
        { period: '2027-Q2', amount: 1_000_00 },
      ],
    });
    const [year, quarter] = forecast.targets;
    // March–June would be judged against the whole year's target: no chance, gap or plan.
    expect(year).toEqual({
      period: '2027',
      amount: 9_000_000_00,
      complete: false,
      probability: null,
      expected: null,
      expectedGap: null,
      plan: null,
      coveredTo: '2027-06',
      horizonNeeded: 10,
    });
    expect(forecast.notes).toContain(
      'target 2027 is covered to 2027-06 only, so it is not judged: a horizon of 10 months judges it',
    );
    expect(quarter).toMatchObject({ complete: true, coveredTo: null, horizonNeeded: null });
    expect(quarter?.probability).toBeGreaterThan(0);
  });
});

describe('the default as-of date', () => {
  it('stays at or before now when a deal carries a later date, and says how many do', () => {
    // A typo: won "in 2099". Now is 10 March 2027, after the rest of the data.
    const typo = deal({ id: 'typo', stages: 'Proposal 2027-02-01 > Won 2099-03-01', amount: 1 });
    const now = Date.parse('2027-03-10T12:00:00Z');
    const forecast = run([...thirtyDayHistory(), typo], { asOf: undefined, now });
    // Just after the latest date that is not after now: the last close of the history.
    expect(forecast.asOf).toBe(Date.parse('2027-02-20T00:00:00Z'));
    expect(forecast.asOf).toBeLessThanOrEqual(now);
    expect(forecast.notes[0]).toBe(
      '1 deal carries a date after now (the latest 2099-03-01); dates after now are typos or expectations, not data: the default as-of date stays before them, and they count as not yet happened',
    );
    // As of then the typo deal has not been won: it is open in Proposal.
    expect(forecast.deals.map((d) => d.dealId)).toContain('typo');
  });
});

describe('a workspace whose deals have no stage', () => {
  // Four won yen deals and one open, none with a stage, and no pipeline: the reviewer's case.
  const bare = (id: string, created: string, closed: string | null): Deal => ({
    ...deal({
      id,
      created,
      closed,
      status: closed === null ? 'open' : 'won',
      stage: null,
      amount: 100_000,
      pipeline: 'default',
    }),
    currency: 'JPY',
  });
  const deals = [
    bare('w1', '2025-01-05', '2025-02-10'),
    bare('w2', '2025-01-20', '2025-03-01'),
    bare('w3', '2025-02-03', '2025-03-20'),
    bare('w4', '2025-03-01', '2025-04-02'),
    bare('open', '2025-04-01', null),
  ];

  it('gives the open deal the won share of closed deals, shrunk toward an even chance', () => {
    const forecast = forecastRevenue({
      deals,
      pipelines: [],
      timeZone: 'Asia/Tokyo',
      currency: 'JPY',
      amountOf: (d) => d.amountMinor,
      asOf: Date.parse('2025-04-10T00:00:00Z'),
      horizon: 6,
      draws: 2_000,
      settings: plain,
    });
    const [open] = forecast.deals;
    // (4 won + 2 pseudo-deals × ½) ÷ (4 closed + 2): closes spread over 90 days, all in the horizon.
    expect(open?.winChance).toBeCloseTo(5 / 6, 10);
    expect(open?.reason).toBe(
      'no stage, 9 days since creation; chance from all deals by age since creation (it has no stage); value from its own amount',
    );
    expect(forecast.notes).toContain(
      'too little history for new deals (4 closed deals, 4 won): they win with chance 0.83, their win rate shrunk by 2 pseudo-deals toward an even chance (no stage to take a default probability from), closes spread evenly over 90 days',
    );
    // Its stage-less pipeline has no stage defaults to speak of.
    expect(forecast.notes.join('\n')).not.toMatch(/stages' default probabilities/);
    const months = forecast.periods.filter((p) => p.kind === 'month');
    expect(months.some((p) => p.revenue.p90 > p.revenue.p10)).toBe(true);
    expect(months.reduce((sum, p) => sum + p.fromOpenDeals.mean, 0)).toBeGreaterThan(0);
  });
});

describe('draws are outcomes that can happen', () => {
  it('one open $1,000 deal and no history: every figure is $0 or $1,000 and whole deals', () => {
    const only = deal({ id: 'only', stages: 'Qualified 2027-02-20', amount: 1000_00 });
    const forecast = forecastRevenue({
      deals: [only],
      pipelines: [salesPipeline],
      timeZone: 'UTC',
      currency: 'USD',
      amountOf: usdAmount,
      asOf,
      horizon: 6,
      draws: 2_000,
    });
    // The defaults: the model's own error widens the band.
    expect(forecast.settings.extraSpread).toBeGreaterThan(0);
    for (const period of forecast.periods) {
      for (const band of [period.revenue, period.fromOpenDeals]) {
        for (const quantile of [band.p10, band.p50, band.p90]) {
          expect([0, 1000_00], period.period).toContain(quantile);
        }
      }
      for (const band of [period.revenue, period.fromOpenDeals, period.fromNewPipeline]) {
        expect(Number.isInteger(band.mean), period.period).toBe(true);
      }
      for (const quantile of [period.count.p10, period.count.p50, period.count.p90]) {
        expect(Number.isInteger(quantile), period.period).toBe(true);
      }
    }
    // Its one deal is won once at most: over the half year too.
    const year = forecast.periods.find((p) => p.period === '2027');
    expect(year?.fromOpenDeals.p90).toBe(1000_00);
  });

  it('says there are amounts when only an open deal has one', () => {
    const only = deal({ id: 'only', stages: 'Qualified 2027-02-20', amount: 1000_00 });
    expect(run([only]).hasAmounts).toBe(true);
    expect(run([deal({ id: 'bare', stages: 'Qualified 2027-02-20' })]).hasAmounts).toBe(false);
  });
});

describe('an as-of date given', () => {
  it('notes deals dated after now too, as not yet happened', () => {
    const typo = deal({ id: 'typo', stages: 'Proposal 2027-02-01 > Won 2099-03-01', amount: 1 });
    const now = Date.parse('2027-03-10T12:00:00Z');
    const forecast = run([...thirtyDayHistory(), typo], { now });
    expect(forecast.asOf).toBe(asOf);
    expect(forecast.notes[0]).toBe(
      '1 deal carries a date after now (the latest 2099-03-01); dates after now are typos or expectations, not data: the as-of date given lies before them, and they count as not yet happened',
    );
    expect(forecast.deals.map((d) => d.dealId)).toContain('typo');
  });

  it('is refused before any deal was known', () => {
    const early = { asOf: Date.parse('2026-12-15T00:00:00Z'), now: asOf };
    expect(() => run(thirtyDayHistory(), early)).toThrow(
      'asOf: no deal was known yet as of 2026-12-15 (the data starts on 2027-01-01)',
    );
    expect(() => run(thirtyDayHistory(), { ...early, asOfName: '--as-of' })).toThrow(
      '--as-of: no deal was known yet as of 2026-12-15',
    );
  });
});
