import { describe, expect, it } from 'vitest';
import { checkedDay, checkedPastDay, checkedSpan, parseAsOf } from './as-of.js';
import { asOfDates, maxAsOfDates } from './backtest/backtest.js';
import { wholeNumber } from './whole-number.js';

const now = Date.UTC(2026, 10, 27, 12);

describe('dates and numbers a report is asked for', () => {
  it('takes real days only, in years 1900 to 2999', () => {
    expect(checkedDay('from', '2017-02-28')).toBe('2017-02-28');
    for (const text of ['2017-13-45', '2017-02-30', '2017-00-00', '0050-01-01', '10000-01-01']) {
      expect(() => checkedDay('from', text), text).toThrow(
        `from: expected a date such as 2027-03-01, got "${text}"`,
      );
    }
    // A query parameter given twice arrives as an array.
    expect(() => checkedDay('to', ['2017-01-01', '2017-02-01'])).toThrow(
      'to: expected a date such as 2027-03-01, got ["2017-01-01","2017-02-01"]',
    );
  });

  it('refuses a span that ends before it starts, and a backtest date far in the future', () => {
    expect(() =>
      checkedSpan({ name: 'from', day: '2018-01-01' }, { name: 'to', day: '2017-01-01' }),
    ).toThrow('from: expected a date on or before to (2017-01-01), got "2018-01-01"');
    expect(() =>
      checkedSpan({ name: 'from', day: '2017-01-01' }, { name: 'to', day: '2017-01-01' }),
    ).not.toThrow();
    expect(checkedPastDay('to', '2027-11-01', now)).toBe('2027-11-01');
    expect(() => checkedPastDay('--to', '2028-01-01', now)).toThrow(
      '--to: expected a date at most a year from today, got "2028-01-01"',
    );
  });

  it('reads an as-of date up to a year ahead, and nothing further or malformed', () => {
    expect(parseAsOf('2027-06-01', 'UTC', 'asOf', now)).toBe(Date.UTC(2027, 5, 1));
    // A date, or a time without an offset, is read in the workspace's zone; an offset is kept.
    const chicago = 'America/Chicago';
    expect(parseAsOf('2027-06-01', chicago, 'asOf', now)).toBe(Date.UTC(2027, 5, 1, 5));
    expect(parseAsOf('2027-06-01T09:30', chicago, 'asOf', now)).toBe(Date.UTC(2027, 5, 1, 14, 30));
    expect(parseAsOf('2027-06-01 09:30:15,5', chicago, 'asOf', now)).toBe(
      Date.UTC(2027, 5, 1, 14, 30, 15, 500),
    );
    expect(parseAsOf('2027-06-01T09:30Z', chicago, 'asOf', now)).toBe(Date.UTC(2027, 5, 1, 9, 30));
    expect(parseAsOf('2027-06-01T09:30+02:00', chicago, 'asOf', now)).toBe(
      Date.UTC(2027, 5, 1, 7, 30),
    );
    expect(() => parseAsOf('2030-01-01', 'UTC', 'asOf', now)).toThrow(
      'asOf: expected a date at most a year from today, got "2030-01-01"',
    );
    for (const text of ['0050-01-01', 'soon', ['2017-01-01', '2017-02-01']]) {
      expect(() => parseAsOf(text, 'UTC', '--as-of', now)).toThrow(/^--as-of: expected a date/);
    }
  });

  it('counts as-of dates by the calendar, and refuses more than the limit', () => {
    expect(asOfDates('2017-01-31', '2017-04-30', 1).map((d) => d.text)).toEqual([
      '2017-01-31',
      '2017-02-28',
      '2017-03-31',
      '2017-04-30',
    ]);
    expect(asOfDates('2000-01-01', '2004-12-01', 1)).toHaveLength(maxAsOfDates);
    expect(() => asOfDates('2000-01-01', '2005-01-01', 1)).toThrow(
      `to: from 2000-01-01 to 2005-01-01 every 1 month(s) is more than ${maxAsOfDates} as-of dates`,
    );
    // Centuries are refused at once, not after a million forecasts.
    expect(() => asOfDates('2017-01-01', '9999-12-31', 1)).toThrow(/more than 60 as-of dates/);
  });

  it('reads whole numbers written in digits only, once', () => {
    expect(wholeNumber('horizon', ' 12 ', 1, 60)).toBe(12);
    for (const text of ['0x10', '1e1', '-1', '1.5', '', ['2', '3']]) {
      expect(() => wholeNumber('horizon', text, 1, 60), String(text)).toThrow(
        /^horizon: expected a whole number from 1 to 60, got /,
      );
    }
    expect(() => wholeNumber('every', ['1', '2'], 1, 24)).toThrow(
      'every: expected a whole number from 1 to 24, got ["1","2"]',
    );
  });
});
