import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  calendarDateOf,
  dayKey,
  daysBetween,
  instantMoment,
  instantOfWallClock,
  monthKey,
  periodKey,
  quarterKey,
  startOfDay,
  startOfMonth,
  yearKey,
} from './calendar.js';
import type { Moment } from './deals.js';

const utc = (text: string): number => Date.parse(text);
const instant = (text: string): Moment => instantMoment(utc(text));
const date = (text: string): Moment => ({ at: utc(`${text}T00:00:00Z`), dateOnly: true });
/** What a zone's clock reads at an instant, as if UTC: through toLocaleString, not the code under test. */
const wallClockOf = (at: number, zone: string): number =>
  utc(`${new Date(at).toLocaleString('sv-SE', { timeZone: zone }).replace(' ', 'T')}Z`) +
  (at - Math.floor(at / 1000) * 1000);

describe('bucketing', () => {
  it('puts an instant in the day, month, quarter and year of the zone', () => {
    const lateMarch = instant('2027-03-31T20:00:00Z');
    expect(monthKey(lateMarch, 'UTC')).toBe('2027-03');
    expect(monthKey(lateMarch, 'America/Los_Angeles')).toBe('2027-03');
    expect(monthKey(lateMarch, 'Asia/Taipei')).toBe('2027-04'); // 04:00 on 1 April
    expect(quarterKey(lateMarch, 'Asia/Taipei')).toBe('2027-Q2');
    expect(dayKey(lateMarch, 'Asia/Taipei')).toBe('2027-04-01');

    const newYear = instant('2027-01-01T03:00:00Z'); // 19:00 on 31 December in Los Angeles
    expect(dayKey(newYear, 'America/Los_Angeles')).toBe('2026-12-31');
    expect(quarterKey(newYear, 'America/Los_Angeles')).toBe('2026-Q4');
    expect(yearKey(newYear, 'America/Los_Angeles')).toBe('2026');
    expect(yearKey(newYear, 'Asia/Taipei')).toBe('2027');
    expect(periodKey(newYear, 'month', 'Asia/Taipei')).toBe('2027-01');
  });

  it('keeps a date-only moment in its own day in every zone', () => {
    const firstOfApril = date('2027-04-01');
    for (const zone of ['UTC', 'Asia/Taipei', 'America/Los_Angeles', 'Pacific/Kiritimati']) {
      expect(dayKey(firstOfApril, zone), zone).toBe('2027-04-01');
      expect(periodKey(firstOfApril, 'quarter', zone), zone).toBe('2027-Q2');
    }
    expect(dayKey(date('2027-01-01'), 'Pacific/Pago_Pago')).toBe('2027-01-01');
  });

  it('reads the day right on both sides of a clock change', () => {
    // Los Angeles moves to daylight time at 10:00 UTC on 14 March 2027.
    expect(dayKey(instant('2027-03-14T07:59:59Z'), 'America/Los_Angeles')).toBe('2027-03-13');
    expect(dayKey(instant('2027-03-14T08:00:00Z'), 'America/Los_Angeles')).toBe('2027-03-14');
    expect(dayKey(instant('2027-03-15T06:59:59Z'), 'America/Los_Angeles')).toBe('2027-03-14');
    expect(dayKey(instant('2027-03-15T07:00:00Z'), 'America/Los_Angeles')).toBe('2027-03-15');
  });

  it('refuses a zone Intl does not know', () => {
    expect(() => monthKey(instant('2027-01-01T00:00:00Z'), 'Mars/Olympus')).toThrowError(
      /time zone: expected an IANA name/,
    );
  });
});

describe('startOfDay and startOfMonth', () => {
  it('give local midnight as an instant', () => {
    expect(startOfMonth({ year: 2027, month: 3 }, 'America/Los_Angeles')).toBe(
      utc('2027-03-01T08:00:00Z'),
    );
    expect(startOfMonth({ year: 2027, month: 4 }, 'America/Los_Angeles')).toBe(
      utc('2027-04-01T07:00:00Z'),
    );
    expect(startOfMonth({ year: 2027, month: 3 }, 'Asia/Taipei')).toBe(utc('2027-02-28T16:00:00Z'));
    expect(startOfDay({ year: 2027, month: 3, day: 14 }, 'America/Los_Angeles')).toBe(
      utc('2027-03-14T08:00:00Z'),
    );
    expect(startOfDay({ year: 2027, month: 3, day: 15 }, 'America/Los_Angeles')).toBe(
      utc('2027-03-15T07:00:00Z'),
    );
  });

  it('starts a day whose midnight a clock change skipped at the change', () => {
    // Santiago jumped from 00:00 to 01:00 on 11 September 2022.
    expect(startOfDay({ year: 2022, month: 9, day: 11 }, 'America/Santiago')).toBe(
      utc('2022-09-11T04:00:00Z'),
    );
  });

  it('starts a day whose midnight happened twice at the first one', () => {
    // Havana went back from 01:00 to 00:00 on 6 November 2022.
    const start = startOfDay({ year: 2022, month: 11, day: 6 }, 'America/Havana');
    expect(start).toBe(utc('2022-11-06T04:00:00Z'));
    expect(dayKey(instantMoment(start - 1), 'America/Havana')).toBe('2022-11-05');
  });

  it('is the first instant of its day in any zone (property)', () => {
    const zones = [
      'UTC',
      'Asia/Taipei',
      'America/Los_Angeles',
      'Australia/Lord_Howe',
      'Asia/Kolkata',
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.constantFrom(...zones),
        (at, zone) => {
          const day = calendarDateOf(instantMoment(at), zone);
          const start = startOfDay(day, zone);
          expect(calendarDateOf(instantMoment(start), zone)).toEqual(day);
          expect(calendarDateOf(instantMoment(start - 1), zone)).toEqual(addDays(day, -1));
          expect(start).toBeLessThanOrEqual(at);
        },
      ),
    );
  });
});

describe('instantOfWallClock', () => {
  const wall = (text: string) => utc(`${text}Z`);

  it('reads a local time in the zone', () => {
    expect(instantOfWallClock(wall('2027-03-31T22:30:00'), 'America/New_York')).toBe(
      utc('2027-04-01T02:30:00Z'),
    );
    expect(instantOfWallClock(wall('2027-01-15T09:15:30.250'), 'Asia/Kathmandu')).toBe(
      utc('2027-01-15T03:30:30.250Z'),
    );
    expect(instantOfWallClock(wall('2027-06-01T12:00:00'), 'UTC')).toBe(
      wall('2027-06-01T12:00:00'),
    );
  });

  it('reads a time the clocks skipped with the offset before the jump', () => {
    // New York jumped from 02:00 EST to 03:00 EDT on 14 March 2027: 02:30 is 03:30 EDT.
    expect(instantOfWallClock(wall('2027-03-14T02:30:00'), 'America/New_York')).toBe(
      utc('2027-03-14T07:30:00Z'),
    );
  });

  it('reads a time that happened twice as the first', () => {
    // New York went back from 02:00 EDT to 01:00 EST on 7 November 2027.
    expect(instantOfWallClock(wall('2027-11-07T01:30:00'), 'America/New_York')).toBe(
      utc('2027-11-07T05:30:00Z'),
    );
  });

  it('gives back the local time it was given, whenever that time exists (property)', () => {
    const zones = ['Asia/Taipei', 'America/Los_Angeles', 'Australia/Lord_Howe', 'Asia/Kolkata'];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.constantFrom(...zones),
        (at, zone) => {
          const local = dayKey(instantMoment(at), zone);
          const read = instantOfWallClock(wallClockOf(at, zone), zone);
          // The first instant with that reading: the same, or an hour (Lord Howe: half) earlier.
          expect(read).toBeLessThanOrEqual(at);
          expect(at - read).toBeLessThanOrEqual(3_600_000);
          expect(dayKey(instantMoment(read), zone)).toBe(local);
          expect(wallClockOf(read, zone)).toBe(wallClockOf(at, zone));
        },
      ),
    );
  });
});

describe('addMonths and addDays', () => {
  it('cross year ends both ways', () => {
    expect(addMonths({ year: 2027, month: 11 }, 3)).toEqual({ year: 2028, month: 2 });
    expect(addMonths({ year: 2027, month: 1 }, -1)).toEqual({ year: 2026, month: 12 });
    expect(addMonths({ year: 2027, month: 1 }, -13)).toEqual({ year: 2025, month: 12 });
    expect(addMonths({ year: 2027, month: 6 }, 0)).toEqual({ year: 2027, month: 6 });
    expect(addDays({ year: 2028, month: 2, day: 28 }, 1)).toEqual({
      year: 2028,
      month: 2,
      day: 29,
    });
    expect(addDays({ year: 2027, month: 1, day: 1 }, -1)).toEqual({
      year: 2026,
      month: 12,
      day: 31,
    });
  });
});

describe('daysBetween', () => {
  it('counts elapsed days between instants, a short day across a clock change included', () => {
    expect(
      daysBetween(instant('2027-03-01T12:00:00Z'), instant('2027-03-02T00:00:00Z'), 'UTC'),
    ).toBe(0.5);
    // 13 to 14 March in Los Angeles is 23 hours of wall clock, but instants count elapsed time.
    expect(
      daysBetween(
        instant('2027-03-13T08:00:00Z'),
        instant('2027-03-14T07:00:00Z'),
        'America/Los_Angeles',
      ),
    ).toBeCloseTo(23 / 24, 12);
  });

  it('counts whole calendar days between dates, in every zone', () => {
    for (const zone of ['UTC', 'Asia/Taipei', 'America/Los_Angeles']) {
      expect(daysBetween(date('2016-10-20'), date('2017-03-01'), zone)).toBe(132);
      expect(daysBetween(date('2027-03-01'), date('2027-02-27'), zone)).toBe(-2);
    }
  });

  it('reads an instant as its calendar date in the zone when the other moment is a date', () => {
    const created = date('2027-03-01');
    const closed = instant('2027-03-05T20:00:00Z'); // 6 March, 04:00 in Taipei
    expect(daysBetween(created, closed, 'UTC')).toBe(4);
    expect(daysBetween(created, closed, 'Asia/Taipei')).toBe(5);
    expect(daysBetween(created, closed, 'America/Los_Angeles')).toBe(4);
  });
});
