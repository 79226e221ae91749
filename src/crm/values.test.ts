import { describe, expect, it } from 'vitest';
import {
  calendarDate,
  cleanText,
  findEmails,
  parseChoice,
  parseCurrency,
  parseDecimal,
  parseDomain,
  parseEmails,
  parseFlag,
  parseMoment,
  parseMoney,
  parseWholeNumber,
} from './values.js';

const utc = Date.UTC;

describe('cleanText', () => {
  it('trims, and reads blank or missing cells as nothing', () => {
    expect(cleanText('  Acme ')).toBe('Acme');
    expect(cleanText('   ')).toBeUndefined();
    expect(cleanText(undefined)).toBeUndefined();
  });
});

describe('parseMoment', () => {
  it('reads an ISO date as a calendar date at midnight UTC', () => {
    expect(parseMoment('2027-03-01', 'created_at')).toEqual({
      value: { at: utc(2027, 2, 1), dateOnly: true },
    });
  });
  it('reads ISO date-times with Z or an offset', () => {
    expect(parseMoment('2027-03-01T10:20:30Z', 'x').value).toEqual({
      at: utc(2027, 2, 1, 10, 20, 30),
      dateOnly: false,
    });
    expect(parseMoment('2027-03-01T10:20:30+02:00', 'x').value?.at).toBe(
      utc(2027, 2, 1, 8, 20, 30),
    );
  });
  it('reads the space-separated date-times exports write as UTC', () => {
    expect(parseMoment('2018-10-13 17:16:45', 'x').value).toEqual({
      at: utc(2018, 9, 13, 17, 16, 45),
      dateOnly: false,
    });
    expect(parseMoment(' 2027-01-05 10:00 ', 'x').value?.at).toBe(utc(2027, 0, 5, 10, 0));
  });
  it('reads US slash dates, month first unless told the day comes first', () => {
    expect(parseMoment('03/01/2027', 'x').value).toEqual({ at: utc(2027, 2, 1), dateOnly: true });
    expect(parseMoment('3/1/2027 14:05', 'x').value).toEqual({
      at: utc(2027, 2, 1, 14, 5),
      dateOnly: false,
    });
    expect(parseMoment('3/1/2027 2:05 PM', 'x').value?.at).toBe(utc(2027, 2, 1, 14, 5));
    expect(parseMoment('3/1/2027 12:00 AM', 'x').value?.at).toBe(utc(2027, 2, 1, 0, 0));
    expect(parseMoment('01/03/2027', 'x', 'day-first').value?.at).toBe(utc(2027, 2, 1));
  });
  it('reads a time without an offset in the zone it is given, and only such a time', () => {
    const newYork = 'America/New_York';
    // 22:30 on 31 March in New York is 02:30 on 1 April UTC: the month changes.
    expect(parseMoment('2027-03-31 22:30', 'x', 'month-first', newYork).value).toEqual({
      at: utc(2027, 3, 1, 2, 30),
      dateOnly: false,
    });
    expect(parseMoment('3/31/2027 10:30 PM', 'x', 'month-first', newYork).value?.at).toBe(
      utc(2027, 3, 1, 2, 30),
    );
    // Winter: five hours behind UTC.
    expect(parseMoment('2027-01-05T10:00:00.5', 'x', 'month-first', newYork).value?.at).toBe(
      utc(2027, 0, 5, 15, 0, 0, 500),
    );
    // An offset or Z says where the time was written; a date alone is a calendar date anywhere.
    expect(parseMoment('2027-03-31T22:30:00Z', 'x', 'month-first', newYork).value?.at).toBe(
      utc(2027, 2, 31, 22, 30),
    );
    expect(parseMoment('2027-03-31T22:30-02:00', 'x', 'month-first', newYork).value?.at).toBe(
      utc(2027, 3, 1, 0, 30),
    );
    expect(parseMoment('2027-03-31', 'x', 'month-first', newYork).value).toEqual({
      at: utc(2027, 2, 31),
      dateOnly: true,
    });
    expect(parseMoment('03/31/2027', 'x', 'month-first', newYork).value).toEqual({
      at: utc(2027, 2, 31),
      dateOnly: true,
    });
  });
  it('refuses a date outside 1900–2999: a typo, which would become every report’s as-of date', () => {
    for (const text of ['9999-12-31', '0001-01-01', '1899-12-31T23:59:59Z', '12/31/3000']) {
      expect(parseMoment(text, 'created_at'), text).toEqual({
        error: { field: 'created_at', message: `expected a date from 1900 to 2999, got "${text}"` },
      });
    }
    expect(parseMoment('2999-12-31', 'x').value?.at).toBe(Date.UTC(2999, 11, 31));
    expect(parseMoment('1900-01-01', 'x').value?.at).toBe(Date.UTC(1900, 0, 1));
  });
  it('leaves an empty cell empty', () => {
    expect(parseMoment('', 'x')).toEqual({});
    expect(parseMoment(undefined, 'x')).toEqual({});
  });
  it('names the column and what it expected when the cell is no date', () => {
    expect(parseMoment('soon', 'created_at')).toEqual({
      error: {
        field: 'created_at',
        message: 'expected an ISO 8601 date such as 2027-03-01, got "soon"',
      },
    });
    for (const text of ['2027-02-30', '13/01/2027', '02/30/2027', '2027-03-01T25:00', '1/1/27']) {
      expect(parseMoment(text, 'x').error, text).toBeDefined();
    }
  });
});

describe('parseMoment: ISO 8601 only, and slash dates in no stated order', () => {
  it('reads ISO 8601 only when asked, refusing a slash date rather than guessing its order', () => {
    expect(parseMoment('2027-03-04', 'created_at', 'iso').value).toEqual({
      at: utc(2027, 2, 4),
      dateOnly: true,
    });
    expect(parseMoment('2027-03-04T10:00:00+02:00', 'x', 'iso').value?.at).toBe(utc(2027, 2, 4, 8));
    for (const text of ['03/04/2027', '3/31/2027', '31/03/2027', '3/1/2027 2:05 PM']) {
      expect(parseMoment(text, 'created_at', 'iso'), text).toEqual({
        error: {
          field: 'created_at',
          message: `expected an ISO 8601 date such as 2027-03-01, got "${text}"`,
        },
      });
    }
  });

  it('with a zone required, refuses a time without one, naming the field', () => {
    expect(parseMoment('2027-03-04', 'createdAt', 'iso-zoned').value?.dateOnly).toBe(true);
    expect(parseMoment('2027-03-04T10:00:00Z', 'createdAt', 'iso-zoned').value?.at).toBe(
      utc(2027, 2, 4, 10),
    );
    expect(parseMoment('2027-03-04T10:00-05:00', 'createdAt', 'iso-zoned').value?.at).toBe(
      utc(2027, 2, 4, 15),
    );
    for (const text of ['2027-03-04T10:00:00', '2027-03-04 10:00', '03/04/2027']) {
      expect(parseMoment(text, 'createdAt', 'iso-zoned').error, text).toEqual({
        field: 'createdAt',
        message: `expected an ISO 8601 date such as 2027-03-01, or a date and time with Z or an offset such as 2027-03-01T09:30:00Z, got "${text}"`,
      });
    }
  });

  it('with no order stated, refuses a slash date whose day and month could swap', () => {
    for (const text of ['03/04/2027', '3/4/2027 10:00', '12/01/2027']) {
      expect(parseMoment(text, 'Opened', 'unstated').error, text).toEqual({
        field: 'Opened',
        message: `expected a date whose day and month cannot be swapped, got "${text}"; write it in ISO 8601 such as 2027-03-01, or with --map give the order as "dates": "DD/MM/YYYY" or "MM/DD/YYYY"`,
      });
    }
    // One reading only: no guess to make.
    expect(parseMoment('13/04/2027', 'x', 'unstated').value).toEqual({
      at: utc(2027, 3, 13),
      dateOnly: true,
    });
    expect(parseMoment('04/13/2027 2:05 PM', 'x', 'unstated').value?.at).toBe(
      utc(2027, 3, 13, 14, 5),
    );
    expect(parseMoment('05/05/2027', 'x', 'unstated').value?.at).toBe(utc(2027, 4, 5));
    expect(parseMoment('2027-03-04', 'x', 'unstated').value?.at).toBe(utc(2027, 2, 4));
    expect(parseMoment('13/13/2027', 'x', 'unstated').error?.message).toBe(
      'expected an ISO 8601 date such as 2027-03-01, got "13/13/2027"',
    );
  });
});

describe('calendarDate', () => {
  it('keeps the day of a moment and drops its time', () => {
    expect(calendarDate({ at: utc(2018, 7, 22, 23, 59), dateOnly: false })).toEqual({
      at: utc(2018, 7, 22),
      dateOnly: true,
    });
  });
});

describe('parseDecimal', () => {
  it('cleans the ways exports write amounts, keeping every digit', () => {
    const cases: [string, string][] = [
      ['1234.5', '1234.5'],
      ['1,234.50', '1234.50'],
      ['$1,234.50', '1234.50'],
      [' 12 ', '12'],
      ['-5', '-5'],
      ['-$5.00', '-5.00'],
      ['€ 1,000,000', '1000000'],
      ['007', '7'],
      ['.5', '0.5'],
      ['5.', '5'],
      ['-0.00', '0.00'],
      ['12345678901234567890.123456789', '12345678901234567890.123456789'],
    ];
    for (const [text, clean] of cases)
      expect(parseDecimal(text, 'amount'), text).toEqual({ value: clean });
  });
  it('refuses what is no number, naming the column', () => {
    expect(parseDecimal('abc', 'Amount')).toEqual({
      error: { field: 'Amount', message: 'expected a number such as 1234.50, got "abc"' },
    });
    for (const text of ['1.2.3', '1,2', '12,34.5', '.', '-', '1e3', '5 USD', '1 234']) {
      expect(parseDecimal(text, 'amount').error, text).toBeDefined();
    }
  });
  it('quotes the cell in one line, its line breaks escaped', () => {
    expect(parseDecimal('12\n34', 'amount')).toEqual({
      error: { field: 'amount', message: 'expected a number such as 1234.50, got "12\\n34"' },
    });
    expect(parseMoment('next\r\nweek', 'created_at').error?.message).toBe(
      'expected an ISO 8601 date such as 2027-03-01, got "next\\r\\nweek"',
    );
  });

  it('leaves an empty cell empty', () => {
    expect(parseDecimal('  ', 'amount')).toEqual({});
  });
});

describe('parseMoney', () => {
  const money = (amount: string, currency: string) =>
    parseMoney(amount, 'amount', currency, 'currency');

  it('takes the currency from an unambiguous symbol when the currency cell is blank', () => {
    expect(money('€1,200', '')).toEqual({ value: { amount: '1200', currency: 'EUR' } });
    expect(money('-£5.50', ' ')).toEqual({ value: { amount: '-5.50', currency: 'GBP' } });
    // "$" is many currencies' sign: a blank currency stays the workspace's, as before.
    expect(money('$1,200', '')).toEqual({ value: { amount: '1200' } });
    expect(money('1200', 'eur')).toEqual({ value: { amount: '1200', currency: 'EUR' } });
    expect(money('', '')).toEqual({ value: {} });
  });

  it('refuses an amount too large for every currency to hold exactly, and rounds extra decimals', () => {
    expect(money('99999999999999999', 'USD')).toEqual({
      error: {
        field: 'amount',
        message: 'expected an amount of at most 900,719,925,474, got "99999999999999999"',
      },
    });
    expect(money('900719925474', 'USD').value?.amount).toBe('900719925474');
    expect(money('0.005', 'USD').value?.amount).toBe('0.005');
  });

  it('refuses "$" with a blank currency where a blank one means a currency that is no dollar', () => {
    const inWorkspace = (workspace: string) =>
      parseMoney('$1,200.50', 'amount', '', 'currency', workspace);
    expect(inWorkspace('JPY')).toEqual({
      error: {
        field: 'currency',
        message:
          'expected the currency of the amount "$1,200.50" (a blank one means JPY), got an empty field',
      },
    });
    expect(inWorkspace('EUR').error?.field).toBe('currency');
    expect(inWorkspace('USD')).toEqual({ value: { amount: '1200.50' } });
    expect(inWorkspace('CAD')).toEqual({ value: { amount: '1200.50' } });
    expect(parseMoney('1200', 'amount', '', 'currency', 'JPY')).toEqual({
      value: { amount: '1200' },
    });
  });

  it('accepts a symbol that agrees with the currency cell', () => {
    expect(money('€5', 'EUR')).toEqual({ value: { amount: '5', currency: 'EUR' } });
    expect(money('$5', 'CAD')).toEqual({ value: { amount: '5', currency: 'CAD' } });
    expect(money('¥1000', 'JPY')).toEqual({ value: { amount: '1000', currency: 'JPY' } });
    expect(money('¥1000', 'cny')).toEqual({ value: { amount: '1000', currency: 'CNY' } });
  });

  it('refuses a symbol the currency cell contradicts, and ¥ without a currency', () => {
    expect(money('£500', 'USD')).toEqual({
      error: { field: 'amount', message: 'expected an amount in USD, got "£500"' },
    });
    expect(money('€5', 'GBP').error?.field).toBe('amount');
    expect(money('$5', 'EUR').error?.field).toBe('amount');
    expect(money('¥1000', 'EUR').error?.field).toBe('amount');
    expect(money('¥1000', '')).toEqual({
      error: {
        field: 'currency',
        message: 'expected JPY or CNY for the amount "¥1000", got an empty field',
      },
    });
  });

  it('reports a bad amount before a bad currency', () => {
    expect(money('abc', 'euros').error?.field).toBe('amount');
    expect(money('5', 'euros').error?.field).toBe('currency');
  });
});

describe('parseEmails', () => {
  it('splits on ; or , and lower-cases', () => {
    expect(parseEmails('Ana@Acme.example; bob@acme.example,,', 'emails')).toEqual({
      value: ['ana@acme.example', 'bob@acme.example'],
    });
  });
  it('refuses an entry that is no email address', () => {
    expect(parseEmails('ana@acme.example; n/a', 'emails')).toEqual({
      error: { field: 'emails', message: 'expected email addresses separated by ";", got "n/a"' },
    });
  });
  it('finds emails written inside other text', () => {
    expect(findEmails('Ana Ruiz (Ana@Acme.example), <bob@b.example>')).toEqual([
      'ana@acme.example',
      'bob@b.example',
    ]);
    expect(findEmails('Jean Dupont')).toEqual([]);
  });
});

describe('small cells', () => {
  it('reads currencies, flags, choices, whole numbers and domains', () => {
    expect(parseCurrency(' eur ', 'currency')).toEqual({ value: 'EUR' });
    expect(parseCurrency('euro', 'currency').error?.message).toBe(
      'expected an ISO 4217 code such as EUR, got "euro"',
    );
    // Three letters are not a currency: a typo such as EUD is refused, not stored.
    for (const text of ['EUD', 'usn', 'XYZ', 'ınr']) {
      expect(parseCurrency(text, 'currency'), text).toEqual({
        error: {
          field: 'currency',
          message: `expected an ISO 4217 code such as EUR, got "${text}"`,
        },
      });
    }
    expect(parseMoney('100', 'amount', 'EUD', 'currency').error).toEqual({
      field: 'currency',
      message: 'expected an ISO 4217 code such as EUR, got "EUD"',
    });
    expect(parseFlag('1', 'IsWon')).toEqual({ value: true });
    expect(parseFlag('FALSE', 'IsWon')).toEqual({ value: false });
    expect(parseFlag('maybe', 'IsWon').error?.field).toBe('IsWon');
    expect(parseChoice('Won', 'status', ['open', 'won', 'lost'])).toEqual({ value: 'won' });
    expect(parseChoice('done', 'status', ['open', 'won', 'lost']).error?.message).toBe(
      'expected open, won or lost, got "done"',
    );
    expect(parseWholeNumber('12', 'term_months')).toEqual({ value: 12 });
    expect(parseWholeNumber('1.5', 'term_months').error).toBeDefined();
    expect(parseDomain('https://www.Acme.example/about?x=1')).toBe('acme.example');
    expect(parseDomain('acme.example')).toBe('acme.example');
    expect(parseDomain(' ')).toBeUndefined();
  });
});
