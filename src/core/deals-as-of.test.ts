import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deal, moment, salesPipeline } from '../test-support/deals.js';
import type { Deal } from './deals.js';
import { dealsAsOf, defaultAsOf, knownBy, laterDatesNote, latestDateOf } from './deals-as-of.js';

const utc = (text: string): number => Date.parse(text);
const ids = (deals: readonly Deal[]): string[] => deals.map(({ id }) => id);
const pipelines = [salesPipeline];

describe('knownBy', () => {
  it('knows an instant strictly before, a calendar date once its day is over in the zone', () => {
    const known = knownBy(utc('2027-03-01T20:00:00Z'), 'UTC');
    expect(known(moment('2027-03-01T19:59:59Z'))).toBe(true);
    expect(known(moment('2027-03-01T20:00:00Z'))).toBe(false);
    expect(known(moment('2027-02-28'))).toBe(true);
    expect(known(moment('2027-03-01'))).toBe(false); // 1 March is not over yet
    // In Taipei it is already 04:00 on 2 March: 1 March is over.
    expect(knownBy(utc('2027-03-01T20:00:00Z'), 'Asia/Taipei')(moment('2027-03-01'))).toBe(true);
  });
});

describe('dealsAsOf', () => {
  it('drops deals created at or after the instant', () => {
    const deals = [
      deal({ id: 'before', created: '2027-01-31T23:59:59Z' }),
      deal({ id: 'at', created: '2027-02-01T00:00:00Z' }),
      deal({ id: 'after', created: '2027-02-02' }),
    ];
    expect(ids(dealsAsOf(deals, utc('2027-02-01T00:00:00Z')))).toEqual(['before']);
  });

  it('reads a creation date in the zone: known in Taipei, not yet in Los Angeles', () => {
    const deals = [deal({ id: 'd', created: '2027-03-01' })];
    const asOf = utc('2027-03-01T20:00:00Z');
    expect(ids(dealsAsOf(deals, asOf, { timeZone: 'Asia/Taipei' }))).toEqual(['d']);
    expect(ids(dealsAsOf(deals, asOf, { timeZone: 'America/Los_Angeles' }))).toEqual([]);
    expect(ids(dealsAsOf(deals, asOf))).toEqual([]);
  });

  it('dates a deal without a creation date by its first stage, else its close; an undated one from the first date in the data on', () => {
    const deals = [
      deal({ id: 'staged-early', created: null, stages: 'Lead 2027-01-05' }),
      deal({ id: 'staged-late', created: null, stages: 'Lead 2027-03-05' }),
      deal({ id: 'closed-late', created: null, status: 'lost', closed: '2027-03-05' }),
      deal({ id: 'undated', created: null }),
    ];
    // Before the CRM's first record nothing is known, the undated deal included.
    expect(ids(dealsAsOf(deals, utc('2027-01-05T00:00:00Z')))).toEqual([]);
    expect(ids(dealsAsOf(deals, utc('2027-02-01T00:00:00Z')))).toEqual(['staged-early', 'undated']);
    expect(ids(dealsAsOf(deals, utc('2027-03-06T00:00:00Z')))).toEqual([
      'staged-early',
      'staged-late',
      'closed-late',
      'undated',
    ]);
    // With no date anywhere, there is no past to hide it from.
    expect(
      ids(dealsAsOf([deals[3] as (typeof deals)[number]], utc('1990-01-01T00:00:00Z'))),
    ).toEqual(['undated']);
  });

  it('hides later stage entries and re-opens a deal closed later in the stage it was in', () => {
    const won = deal({
      id: 'w',
      stages: 'Lead 2027-01-01 > Qualified 2027-01-10 > Won 2027-02-01',
      amount: 5000,
    });
    const [asOfThen] = dealsAsOf([won], utc('2027-01-20T00:00:00Z'), { pipelines });
    expect(asOfThen).toMatchObject({ status: 'open', stage: 'Qualified', closedAt: null });
    expect(asOfThen.history.map(({ stage }) => stage)).toEqual(['Lead', 'Qualified']);
    // The day of the close is not over at noon: still open.
    const [atNoon] = dealsAsOf([won], utc('2027-02-01T12:00:00Z'), { pipelines });
    expect(atNoon.status).toBe('open');
  });

  it('shows a deal re-opened later as closed then, with the close it had', () => {
    const reopened = deal({
      id: 'r',
      stages: 'Lead 2027-01-01 > Lost 2027-01-10 > Qualified 2027-02-01',
    });
    expect(reopened.status).toBe('open');
    const [then] = dealsAsOf([reopened], utc('2027-01-20T00:00:00Z'), { pipelines });
    expect(then).toMatchObject({ status: 'lost', stage: 'Lost', closedAt: moment('2027-01-10') });
    // Without the pipeline nothing says Lost closes a deal.
    const [blind] = dealsAsOf([reopened], utc('2027-01-20T00:00:00Z'));
    expect(blind).toMatchObject({ status: 'open', stage: 'Lost' });
  });

  it("keeps a closed deal's own close date when the close was before the instant", () => {
    const won = deal({
      id: 'w',
      stages: 'Lead 2027-01-01 > Won 2027-02-03',
      closed: '2027-02-01',
    });
    const [then] = dealsAsOf([won], utc('2027-02-02T00:00:00Z'), { pipelines });
    expect(then).toMatchObject({ status: 'won', closedAt: moment('2027-02-01') });
  });

  it('gives the amount last recorded before the instant', () => {
    const grown = deal({
      id: 'g',
      created: '2027-01-01',
      amounts: '10000 2027-01-05 > 25000 2027-02-01',
    });
    expect(grown.amountMinor).toBe(25000);
    expect(dealsAsOf([grown], utc('2027-01-20T00:00:00Z'))[0].amountMinor).toBe(10000);
    expect(dealsAsOf([grown], utc('2027-01-03T00:00:00Z'))[0].amountMinor).toBeNull();
  });

  it('returns a deal untouched when nothing about it came later', () => {
    const settled = deal({ id: 's', stages: 'Lead 2027-01-01 > Won 2027-01-02', amount: 1 });
    expect(dealsAsOf([settled], utc('2028-01-01T00:00:00Z'))[0]).toBe(settled);
  });
});

describe('latestDateOf and defaultAsOf', () => {
  const deals = [
    deal({ id: 'a', stages: 'Lead 2017-10-01 > Won 2017-12-31' }),
    deal({ id: 'b', created: '2017-12-31T20:00:00Z' }),
  ];

  it('is just after the latest date, the end of its day in the zone for a calendar date', () => {
    expect(latestDateOf(deals, 'UTC')).toEqual(moment('2017-12-31'));
    expect(defaultAsOf(deals, 'UTC')).toBe(utc('2018-01-01T00:00:00Z'));
    // In Taipei 31 December ends at 16:00 UTC, before the 20:00 UTC instant.
    expect(latestDateOf(deals, 'Asia/Taipei')).toEqual(moment('2017-12-31T20:00:00Z'));
    expect(defaultAsOf(deals, 'Asia/Taipei')).toBe(utc('2017-12-31T20:00:00.001Z'));
    expect(defaultAsOf([deal({ id: 'undated', created: null })])).toBeNull();
  });

  it('hides nothing: every deal is unchanged as of the default (property)', () => {
    const day = fc.integer({ min: 0, max: 400 }).map((n) => new Date(Date.UTC(2027, 0, 1 + n)));
    const stamp = fc.tuple(day, fc.boolean(), fc.integer({ min: 0, max: 86_399_999 }));
    const text = ([date, dateOnly, ms]: [Date, boolean, number]): string =>
      dateOnly ? date.toISOString().slice(0, 10) : new Date(date.getTime() + ms).toISOString();
    const sketch = fc.record({
      stamps: fc.array(stamp, { minLength: 1, maxLength: 4 }),
      outcome: fc.constantFrom(null, 'Won', 'Lost'),
    });
    const zone = fc.constantFrom('UTC', 'Asia/Taipei', 'America/Los_Angeles');
    fc.assert(
      fc.property(fc.array(sketch, { minLength: 1, maxLength: 5 }), zone, (sketches, timeZone) => {
        const deals = sketches.map(({ stamps, outcome }, i) => {
          const sorted = [...stamps].sort((a, b) => a[0].getTime() - b[0].getTime());
          const steps = sorted.map((s, k) => `${k === 0 ? 'Lead' : 'Qualified'} ${text(s)}`);
          const last = text(sorted[sorted.length - 1]);
          if (outcome !== null) steps.push(`${outcome} ${last}`);
          return deal({ id: String(i), stages: steps.join(' > ') });
        });
        // The present after the data: it is history, all of it known by the default.
        const now = utc('2030-01-01T00:00:00Z');
        const asOf = defaultAsOf(deals, timeZone, now) as number;
        const rewound = dealsAsOf(deals, asOf, { timeZone, pipelines });
        expect(rewound).toHaveLength(deals.length);
        for (const [i, rewoundDeal] of rewound.entries()) expect(rewoundDeal).toBe(deals[i]);
      }),
    );
  });
});

describe('dates after now', () => {
  const now = utc('2026-06-15T12:00:00Z');
  const deals = [
    deal({ id: 'a', stages: 'Lead 2026-05-01 > Won 2026-06-01' }),
    deal({ id: 'typo', stages: 'Lead 2026-05-02 > Won 2099-03-01' }),
  ];

  it('do not move the default as-of date past now, and are noted', () => {
    // Just after the latest date that is not after now; the typo is no data.
    expect(defaultAsOf(deals, 'UTC', now)).toBe(utc('2026-06-02T00:00:00Z'));
    expect(laterDatesNote(deals, 'UTC', now)).toBe(
      '1 deal carries a date after now (the latest 2099-03-01); dates after now are typos or expectations, not data: the default as-of date stays before them, and they count as not yet happened',
    );
    // As of the default the typo deal has not been won yet.
    const asOf = defaultAsOf(deals, 'UTC', now) as number;
    expect(dealsAsOf(deals, asOf, { pipelines }).map((d) => d.status)).toEqual(['won', 'open']);
  });

  it('stop at now: a date of today is data, its day not over; a date only in the future', () => {
    expect(defaultAsOf([deal({ id: 'today', created: '2026-06-15' })], 'UTC', now)).toBe(now);
    expect(laterDatesNote([deal({ id: 'today', created: '2026-06-15' })], 'UTC', now)).toBeNull();
    const future = [
      deal({ id: 'f', created: '2099-03-01' }),
      deal({ id: 'g', created: '2098-01-01T10:00:00Z' }),
    ];
    expect(defaultAsOf(future, 'UTC', now)).toBe(now);
    expect(laterDatesNote(future, 'UTC', now)).toMatch(
      /^2 deals carry dates after now \(the latest 2099-03-01\); /,
    );
  });
});
