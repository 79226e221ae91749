import { describe, expect, it } from 'vitest';
import { deal, moment, salesPipeline, usdAmount } from '../../test-support/deals.js';
import type { Deal } from '../deals.js';
import { funnelStatistics } from './statistics.js';
import type { FunnelInput } from './types.js';

const utc = (text: string): number => Date.parse(text);

function funnel(deals: readonly Deal[], options: Partial<FunnelInput> = {}) {
  return funnelStatistics({
    deals,
    pipeline: salesPipeline,
    timeZone: 'UTC',
    currency: 'USD',
    amountOf: usdAmount,
    // The fixtures lie in 2027: a present after them makes them history (the default as-of date
    // is never after the present).
    now: utc('2030-01-01T00:00:00Z'),
    ...options,
  });
}

/** Five deals small enough to check by hand (2027). */
const fiveDeals = [
  deal({
    id: 'won',
    stages: 'Lead 2027-01-01 > Qualified 2027-01-05 > Proposal 2027-01-15 > Won 2027-02-01',
    amount: 100_000,
    segment: 'SMB',
  }),
  deal({
    id: 'lost-middle',
    stages: 'Lead 2027-01-02 > Qualified 2027-01-10 > Lost 2027-01-20',
    amount: 50_000,
    segment: 'SMB',
  }),
  deal({ id: 'open-lead', stages: 'Lead 2027-01-03', segment: 'Enterprise' }),
  deal({ id: 'open-qualified', stages: 'Lead 2027-01-04 > Qualified 2027-01-06' }),
  deal({ id: 'won-bare', status: 'won', created: '2027-01-01', closed: '2027-03-01' }),
];

describe('funnelStatistics on five hand-made deals', () => {
  const stats = funnel(fiveDeals);

  it('is as of just after the latest date', () => {
    expect(stats.asOf).toBe(utc('2027-03-02T00:00:00Z'));
  });

  it('counts statuses, revenue and the win rate', () => {
    expect(stats.deals).toEqual({ total: 5, open: 2, won: 2, lost: 1 });
    expect(stats.winRate).toBe(2 / 3);
    expect(stats.wonRevenue).toEqual({ amount: 100_000, currency: 'USD', n: 1 });
    expect(stats.notes).toContain(
      '1 won deal without a known amount left out of won revenue and deal size',
    );
  });

  it('names a currency with no exchange rate, rather than calling its won deals amountless', () => {
    const euro = deal({
      id: 'won-eur',
      status: 'won',
      created: '2027-01-01',
      closed: '2027-03-01',
    });
    const stats = funnel([...fiveDeals, { ...euro, amountMinor: 50_000, currency: 'EUR' }]);
    expect(stats.notes).toContain(
      '1 won deal without a known amount left out of won revenue and deal size',
    );
    expect(stats.notes).toContain(
      'EUR has no exchange rate to USD: 1 won deal in it left out of won revenue and deal size until a rate is imported',
    );
  });

  it('counts who entered and advanced each open stage', () => {
    // The lost deal left from Qualified; the won deal with no history reached every stage.
    expect(stats.stages.map(({ stage, entered, advanced }) => [stage, entered, advanced])).toEqual([
      ['Lead', 5, 4],
      ['Qualified', 4, 2],
      ['Proposal', 2, 2],
    ]);
  });

  it('measures days in stage on the deals that have left it', () => {
    const days = Object.fromEntries(stats.stages.map((s) => [s.stage, s.daysInStage]));
    // Lead: 4, 8 and 2 days; the deal still in Lead is left out.
    expect(days.Lead).toEqual({ median: 4, p75: 6, p90: 7.2, n: 3 });
    // Qualified: 10 days (won) and 10 days (lost); the deal still there is left out.
    expect(days.Qualified).toMatchObject({ median: 10, n: 2 });
    expect(days.Proposal).toMatchObject({ median: 17, n: 1 });
  });

  it('measures time to close of won deals, and time to win with open and lost deals', () => {
    // 31 days (1 January → 1 February) and 59 days (1 January → 1 March).
    expect(stats.timeToClose).toMatchObject({ median: 45, n: 2 });
    // Lost censored at 18 days, open at 58 and 57: S(31) = 3/4, S(59) = 0.
    expect(stats.timeToWinKM).toEqual({ median: 59, n: 5, won: 2 });
  });

  it('sizes won deals and derives sales velocity', () => {
    expect(stats.averageDealSize).toEqual({ amount: 100_000, currency: 'USD', n: 1 });
    expect(stats.medianDealSize).toEqual({ amount: 100_000, currency: 'USD', n: 1 });
    // 2 open × 2/3 × 100,000 ÷ 45 days.
    expect(stats.salesVelocity).toEqual({ amount: 2963, currency: 'USD', n: 2 });
    expect(stats.dealSizeBy.segment.map(({ key, average }) => [key, average.n])).toEqual([
      ['SMB', 1],
    ]);
    expect(stats.dealSizeBy.firstTouch).toBeNull();
    expect(stats.cohorts).toBeNull();
  });
});

describe('funnelStatistics as of an earlier instant', () => {
  it('sees only what had happened by then', () => {
    const stats = funnel(fiveDeals, { asOf: utc('2027-01-16T00:00:00Z') });
    expect(stats.asOf).toBe(utc('2027-01-16T00:00:00Z'));
    expect(stats.deals).toEqual({ total: 5, open: 5, won: 0, lost: 0 });
    expect(stats.winRate).toBeNull();
    expect(stats.stages.map(({ entered }) => entered)).toEqual([5, 3, 1]);
    expect(stats.timeToClose).toEqual({ median: null, p75: null, p90: null, n: 0 });
    expect(stats.averageDealSize.amount).toBeNull();
    expect(stats.salesVelocity.amount).toBeNull();
  });

  it('drops deals not yet created', () => {
    expect(funnel(fiveDeals, { asOf: utc('2027-01-03T00:00:00Z') }).deals.total).toBe(3);
  });
});

describe('re-opened deals', () => {
  const reopened = deal({
    id: 'r',
    stages: 'Lead 2027-01-01 > Lost 2027-01-10 > Lead 2027-02-01',
  });

  it('are open now, their finished stay in a stage counted only once they leave it again', () => {
    const stats = funnel([reopened]);
    expect(stats.deals).toEqual({ total: 1, open: 1, won: 0, lost: 0 });
    expect(stats.stages[0]).toMatchObject({ entered: 1, advanced: 0 });
    expect(stats.stages[0].daysInStage.n).toBe(0);
  });

  it('were lost as of a date between the loss and the re-opening', () => {
    const stats = funnel([reopened], { asOf: utc('2027-01-20T00:00:00Z') });
    expect(stats.deals).toEqual({ total: 1, open: 0, won: 0, lost: 1 });
    expect(stats.winRate).toBe(0);
    expect(stats.stages[0].daysInStage).toMatchObject({ median: 9, n: 1 });
  });
});

describe('missing dates and amounts', () => {
  it('keep the deal, and leave it out only of what needs the missing field', () => {
    const stats = funnel([
      deal({ id: 'undated-won', status: 'won', created: null, closed: null, amount: 30_000 }),
      deal({ id: 'dated-won', stages: 'Lead 2027-01-01 > Won 2027-01-11', amount: 10_000 }),
      deal({ id: 'undated-open', created: null }),
    ]);
    expect(stats.deals).toEqual({ total: 3, open: 1, won: 2, lost: 0 });
    expect(stats.wonRevenue).toEqual({ amount: 40_000, currency: 'USD', n: 2 });
    expect(stats.averageDealSize.amount).toBe(20_000);
    expect(stats.timeToClose).toMatchObject({ median: 10, n: 1 });
    expect(stats.timeToWinKM).toEqual({ median: 10, n: 1, won: 1 });
    expect(stats.notes).toEqual([
      '1 won deal without a creation or close date left out of time to close and time to win',
      '1 open or lost deal without a creation or close date left out of time to win',
    ]);
  });

  it('leave a deal closed before it was created out of the times, with a note', () => {
    const stats = funnel([
      deal({ id: 'backwards', status: 'won', created: '2027-02-01', closed: '2027-01-01' }),
    ]);
    expect(stats.deals.won).toBe(1);
    expect(stats.timeToClose.n).toBe(0);
    expect(stats.notes).toContain(
      '1 deal closed before created left out of time to close and time to win',
    );
  });

  it('give nulls, never NaN, for no deals at all', () => {
    const stats = funnel([], { leads: [] });
    expect(stats.asOf).toBeNull();
    expect(stats.deals).toEqual({ total: 0, open: 0, won: 0, lost: 0 });
    expect(stats.winRate).toBeNull();
    expect(stats.stages.map(({ entered, advanced }) => entered + advanced)).toEqual([0, 0, 0]);
    expect(stats.cohorts).toEqual([]);
    expect(JSON.stringify(stats)).not.toMatch(/NaN|Infinity/);
    expect(JSON.stringify(funnel([deal({ id: 'x', created: null })], { asOf: 0 }))).not.toMatch(
      /NaN|Infinity/,
    );
  });
});

describe('calendar dates and instants across time zones', () => {
  const lateMarch = deal({ id: 'late-march', created: '2027-03-31T20:00:00Z' });
  const firstOfApril = deal({ id: 'april-first', created: '2027-04-01' });
  const april = { by: 'created', from: '2027-04-01', to: '2027-04-30' } as const;

  it('read an instant in the zone and a date as its own day', () => {
    const inTaipei = funnel([lateMarch, firstOfApril], { timeZone: 'Asia/Taipei', period: april });
    expect(inTaipei.deals.total).toBe(2); // 04:00 on 1 April in Taipei
    const inLosAngeles = funnel([lateMarch, firstOfApril], {
      timeZone: 'America/Los_Angeles',
      period: april,
    });
    expect(inLosAngeles.deals.total).toBe(1);
  });

  it('count whole calendar days when a date meets an instant', () => {
    const mixed = deal({
      id: 'mixed',
      created: '2027-03-01',
      status: 'won',
      closed: '2027-03-05T20:00:00Z',
    });
    expect(funnel([mixed], { timeZone: 'UTC' }).timeToClose.median).toBe(4);
    expect(funnel([mixed], { timeZone: 'Asia/Taipei' }).timeToClose.median).toBe(5);
    const instants = deal({
      id: 'instants',
      created: '2027-03-01T12:00:00Z',
      status: 'won',
      closed: '2027-03-05T00:00:00Z',
    });
    expect(funnel([instants], { timeZone: 'Asia/Taipei' }).timeToClose.median).toBe(3.5);
  });
});

describe('filters', () => {
  it('by period of creation or of close, both ends included', () => {
    const january = { from: '2027-01-01', to: '2027-01-31' };
    const created = funnel(fiveDeals, { period: { by: 'created', ...january } });
    expect(created.deals.total).toBe(5);
    const closed = funnel(fiveDeals, { period: { by: 'closed', ...january } });
    expect(closed.deals).toEqual({ total: 1, open: 0, won: 0, lost: 1 });
    expect(closed.winRate).toBe(0);
    expect(closed.notes).toEqual([]); // open deals have no close to miss
    const february = funnel(fiveDeals, {
      period: { by: 'closed', from: '2027-02-01', to: '2027-02-01' },
    });
    expect(february.deals.won).toBe(1);
  });

  it('note deals the period cannot place', () => {
    const stats = funnel([deal({ id: 'undated', created: null })], {
      period: { by: 'created', from: '2027-01-01', to: '2027-12-31' },
    });
    expect(stats.deals.total).toBe(0);
    expect(stats.notes).toEqual(['1 deal without a creation date left out of the period']);
  });

  it('refuse a period that is not two days', () => {
    expect(() =>
      funnel(fiveDeals, { period: { by: 'created', from: '2027-01', to: '2027-02-01' } }),
    ).toThrowError(/period: expected a day as YYYY-MM-DD, got "2027-01"/);
  });

  it('by segment', () => {
    const smb = funnel(fiveDeals, { segment: 'SMB' });
    expect(smb.deals).toEqual({ total: 2, open: 0, won: 1, lost: 1 });
    expect(smb.stages.map(({ entered }) => entered)).toEqual([2, 2, 1]);
  });

  it('to the pipeline asked for, with a note of the others', () => {
    const stats = funnel([...fiveDeals, deal({ id: 'other', pipeline: 'Renewals' })]);
    expect(stats.deals.total).toBe(5);
    expect(stats.notes).toContain('1 deal of other pipelines left out');
  });

  it('name the stages the pipeline does not know', () => {
    const stats = funnel([deal({ id: 'odd', stages: 'Lead 2027-01-01 > Demo 2027-01-05' })]);
    expect(stats.notes).toContain(
      '1 deal with stages not in pipeline Sales (Demo); those entries are ignored',
    );
    expect(stats.stages[0].daysInStage).toMatchObject({ median: 4, n: 1 });
  });
});

describe('deal size by channel', () => {
  it('groups won deals by first and last touch, unattributed ones under null', () => {
    const deals = [
      deal({ id: 'a', stages: 'Lead 2027-01-01 > Won 2027-01-10', amount: 10_000 }),
      deal({ id: 'b', stages: 'Lead 2027-01-01 > Won 2027-01-10', amount: 30_001 }),
      deal({ id: 'c', stages: 'Lead 2027-01-01 > Won 2027-01-10', amount: 5_000 }),
      deal({ id: 'd', stages: 'Lead 2027-01-01 > Lost 2027-01-10', amount: 99_000 }),
    ];
    const stats = funnel(deals, {
      firstTouch: new Map([
        ['a', 'Paid Search'],
        ['b', 'Paid Search'],
        ['d', 'Email'],
      ]),
      lastTouch: new Map([
        ['a', 'Direct'],
        ['b', 'Email'],
        ['c', 'Email'],
      ]),
    });
    expect(stats.dealSizeBy.firstTouch).toEqual([
      {
        key: 'Paid Search',
        average: { amount: 20_001, currency: 'USD', n: 2 }, // 20,000.5 rounded
        median: { amount: 20_001, currency: 'USD', n: 2 },
      },
      {
        key: null,
        average: { amount: 5_000, currency: 'USD', n: 1 },
        median: { amount: 5_000, currency: 'USD', n: 1 },
      },
    ]);
    expect(stats.dealSizeBy.lastTouch?.map(({ key, average }) => [key, average.n])).toEqual([
      ['Email', 2],
      ['Direct', 1],
    ]);
  });
});

describe('cohorts by lead month', () => {
  it('count leads, leads with a deal, and the deals of their earliest lead', () => {
    const stats = funnel(fiveDeals, {
      timeZone: 'Asia/Taipei',
      leads: [
        { at: moment('2026-12-31T17:00:00Z'), dealIds: ['won'] }, // 1 January in Taipei
        { at: utc('2026-12-20T00:00:00Z'), dealIds: [] },
        { at: moment('2026-12-10'), dealIds: ['lost-middle', 'unknown-deal'] },
        { at: moment('2027-01-05'), dealIds: ['won', 'won-bare'] },
        { at: moment('2027-03-05'), dealIds: ['open-lead'] }, // after the as-of date
      ],
    });
    expect(stats.cohorts).toEqual([
      {
        month: '2026-12',
        leads: 2,
        leadsWithDeal: 1,
        deals: 1,
        won: 0,
        wonRevenue: { amount: 0, currency: 'USD', n: 0 },
      },
      {
        month: '2027-01',
        leads: 2,
        leadsWithDeal: 2,
        deals: 2,
        won: 2,
        wonRevenue: { amount: 100_000, currency: 'USD', n: 1 },
      },
    ]);
  });
});

describe('a date after now', () => {
  it('does not move the default as-of date past now, and is noted', () => {
    const typo = deal({ id: 'typo', stages: 'Lead 2027-01-02 > Won 2099-03-01', amount: 1 });
    const stats = funnel([...fiveDeals, typo], { now: utc('2027-06-01T00:00:00Z') });
    expect(stats.asOf).toBe(utc('2027-03-02T00:00:00Z'));
    // As of then the typo deal is open in Lead.
    expect(stats.deals).toEqual({ total: 6, open: 3, won: 2, lost: 1 });
    expect(stats.notes[0]).toMatch(/^1 deal carries a date after now \(the latest 2099-03-01\); /);
  });
});

describe('a date after now, with an as-of date given', () => {
  const typo = deal({ id: 'typo', stages: 'Lead 2027-01-02 > Won 2099-03-01', amount: 1 });

  it('is noted too, as not yet happened', () => {
    const stats = funnel([...fiveDeals, typo], {
      asOf: utc('2027-02-15T00:00:00Z'),
      now: utc('2027-06-01T00:00:00Z'),
    });
    // The typo deal is open in Lead, as it is as of any date before 2099.
    expect(stats.deals).toEqual({ total: 6, open: 4, won: 1, lost: 1 });
    expect(stats.notes[0]).toBe(
      '1 deal carries a date after now (the latest 2099-03-01); dates after now are typos or expectations, not data: the as-of date given lies before them, and they count as not yet happened',
    );
  });

  it('says which count as happened when the as-of date given lies after now', () => {
    // Now is 20 January 2027: the closes of February and March have not happened, but the as-of
    // date of 1 April counts them.
    const stats = funnel([...fiveDeals, typo], {
      asOf: utc('2027-04-01T00:00:00Z'),
      now: utc('2027-01-20T12:00:00Z'),
    });
    expect(stats.deals).toEqual({ total: 6, open: 3, won: 2, lost: 1 });
    expect(stats.notes[0]).toBe(
      '3 deals carry dates after now (the latest 2099-03-01); dates after now are typos or expectations, not data, yet the as-of date given lies after those of 2 deals, and they count as having happened; later ones count as not yet happened',
    );
  });
});

describe('an as-of date before any deal was known', () => {
  it('is refused, naming the as-of date and where the data starts', () => {
    expect(() => funnel(fiveDeals, { asOf: utc('2026-12-01T00:00:00Z') })).toThrow(
      'asOf: no deal was known yet as of 2026-12-01 (the data starts on 2027-01-01)',
    );
    // A deal created on 1 January is known once that day is over.
    expect(() => funnel(fiveDeals, { asOf: utc('2027-01-01T18:00:00Z') })).toThrow(
      'asOf: no deal was known yet as of 2027-01-01T18:00:00.000Z (the data starts on 2027-01-01)',
    );
    expect(funnel(fiveDeals, { asOf: utc('2027-01-02T00:00:00Z') }).deals.total).toBe(2);
  });

  it('names the field as the caller does', () => {
    expect(() =>
      funnel(fiveDeals, { asOf: utc('2026-12-01T00:00:00Z'), asOfName: '--as-of' }),
    ).toThrow('--as-of: no deal was known yet as of 2026-12-01 (the data starts on 2027-01-01)');
  });
});
