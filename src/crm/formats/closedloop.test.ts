import { describe, expect, it } from 'vitest';
import { closedloopFormat, parseDealRecord, parseRateRecord } from './closedloop.js';
import { byKind, fixturePath, parseCsvFile } from './fixtures/read-fixture.js';

const utc = Date.UTC;
const fixture = (name: string) => fixturePath('closedloop', name);

describe('closedloop format', () => {
  it('tells deals, stage history and rates apart by their headers', () => {
    expect(closedloopFormat.roleOf(['deal_id', 'name', 'amount'])).toBe('deals');
    expect(closedloopFormat.roleOf(['Deal_ID'])).toBe('deals');
    expect(closedloopFormat.roleOf(['deal_id', 'stage', 'entered_at'])).toBe('history');
    expect(closedloopFormat.roleOf(['date', 'currency', 'rate'])).toBe('rates');
    expect(closedloopFormat.roleOf(['id', 'title'])).toBeUndefined();
  });

  it('reads a full deal row', () => {
    const { role, rows } = parseCsvFile(closedloopFormat, fixture('deals.csv'));
    expect(role).toBe('deals');
    expect(rows[0]).toEqual({
      kind: 'deal',
      deal: {
        externalId: 'D-100',
        name: 'Acme platform',
        createdAt: { at: utc(2027, 0, 10, 9, 30), dateOnly: false },
        amount: '12000.50',
        currency: 'USD',
        status: 'won',
        closedAt: { at: utc(2027, 2, 1), dateOnly: true },
        pipeline: 'New business',
        stage: 'Closed Won',
        owner: 'Dana Reyes',
        segment: 'Mid-market',
        emails: ['ana@acme.example', 'bob@acme.example'],
        account: 'Acme Corp',
        accountDomain: 'acme.example',
        channel: 'Paid Search',
        recurringInterval: 'year',
        termMonths: 12,
      },
    });
  });

  it('keeps a row that has nothing but its id', () => {
    const { rows } = parseCsvFile(closedloopFormat, fixture('deals.csv'));
    expect(rows[2]).toEqual({ kind: 'deal', deal: { externalId: 'D-102' } });
    expect(closedloopFormat.parse('deals', { deal_id: 'D-9' })).toEqual({
      kind: 'deal',
      deal: { externalId: 'D-9' },
    });
  });

  it('reports quirks without refusing the row', () => {
    const { rows } = parseCsvFile(closedloopFormat, fixture('deals.csv'));
    expect(rows[3]).toMatchObject({
      kind: 'deal',
      deal: { externalId: 'D-103', amount: '900.125', status: 'lost' },
      quirks: ['closed before created'],
    });
    expect(
      closedloopFormat.parse('deals', { deal_id: 'D-1', status: 'open', stage: 'Closed Lost' }),
    ).toMatchObject({ deal: { status: 'open' }, quirks: ['status disagrees with stage'] });
  });

  it('refuses a negative amount, naming the column, and takes zero however it is signed', () => {
    for (const [cell, read] of [
      ['-40', '-40'],
      ['-$5,000.00', '-5000.00'],
      ['-0.01', '-0.01'],
    ]) {
      expect(closedloopFormat.parse('deals', { deal_id: 'D-1', Amount: cell })).toEqual({
        kind: 'error',
        error: { field: 'Amount', message: `expected an amount of 0 or more, got "${read}"` },
      });
    }
    for (const amount of ['-0', '-0.00', '0']) {
      expect(closedloopFormat.parse('deals', { deal_id: 'D-1', amount })).toEqual({
        kind: 'deal',
        deal: { externalId: 'D-1', amount: amount.replace('-', '') },
      });
    }
  });

  it('takes a missing status from a closing stage', () => {
    expect(closedloopFormat.parse('deals', { deal_id: 'D-1', stage: 'Gagné' })).toMatchObject({
      deal: { status: 'won' },
    });
    expect(closedloopFormat.parse('deals', { deal_id: 'D-1', stage: 'Demo' })).toEqual({
      kind: 'deal',
      deal: { externalId: 'D-1', stage: 'Demo' },
    });
  });

  it('refuses bad cells, naming the column', () => {
    const errorOf = (record: Record<string, string>) =>
      closedloopFormat.parse('deals', { deal_id: 'D-1', ...record });
    expect(errorOf({ created_at: 'soon' })).toEqual({
      kind: 'error',
      error: {
        field: 'created_at',
        message: 'expected an ISO 8601 date such as 2027-03-01, got "soon"',
      },
    });
    expect(errorOf({ amount: '1.2.3' })).toMatchObject({ error: { field: 'amount' } });
    expect(errorOf({ status: 'pending' })).toMatchObject({
      error: { field: 'status', message: 'expected open, won or lost, got "pending"' },
    });
    expect(errorOf({ currency: 'dollars' })).toMatchObject({ error: { field: 'currency' } });
    expect(errorOf({ emails: 'someone' })).toMatchObject({ error: { field: 'emails' } });
    expect(errorOf({ recurring_interval: 'week' })).toMatchObject({
      error: { field: 'recurring_interval', message: 'expected month or year, got "week"' },
    });
    expect(errorOf({ term_months: 'twelve' })).toMatchObject({ error: { field: 'term_months' } });
    expect(closedloopFormat.parse('deals', { deal_id: ' ', name: 'x' })).toEqual({
      kind: 'error',
      error: { field: 'deal_id', message: 'expected a deal id, got an empty field' },
    });
  });

  it('takes ISO 8601 dates only, refusing a slash date rather than reading it month first', () => {
    const iso = 'expected an ISO 8601 date such as 2027-03-01, got "03/04/2027"';
    expect(closedloopFormat.parse('deals', { deal_id: 'SL', created_at: '03/04/2027' })).toEqual({
      kind: 'error',
      error: { field: 'created_at', message: iso },
    });
    expect(closedloopFormat.parse('deals', { deal_id: 'SL', closed_at: '03/04/2027' })).toEqual({
      kind: 'error',
      error: { field: 'closed_at', message: iso },
    });
    // Not even one whose order is plain: the format is ISO 8601.
    expect(
      closedloopFormat.parse('deals', { deal_id: 'SL', created_at: '3/31/2027 10:00' }),
    ).toMatchObject({ kind: 'error', error: { field: 'created_at' } });
    expect(
      closedloopFormat.parse('history', { deal_id: 'SL', stage: 'Demo', entered_at: '03/04/2027' }),
    ).toEqual({ kind: 'error', error: { field: 'entered_at', message: iso } });
    expect(
      closedloopFormat.parse('rates', { date: '03/04/2027', currency: 'EUR', rate: '1.1' }),
    ).toEqual({ kind: 'error', error: { field: 'date', message: iso } });
    expect(
      closedloopFormat.parse('deals', { deal_id: 'SL', created_at: '2027-04-03T10:00:00+02:00' }),
    ).toMatchObject({ deal: { createdAt: { at: utc(2027, 3, 3, 8), dateOnly: false } } });
  });

  it('read with no slash order given (a column map without "dates"), refuses a date whose day and month could swap', () => {
    expect(parseDealRecord({ deal_id: 'M1', created_at: '03/04/2027' })).toEqual({
      kind: 'error',
      error: {
        field: 'created_at',
        message:
          'expected a date whose day and month cannot be swapped, got "03/04/2027"; write it in ISO 8601 such as 2027-03-01, or with --map give the order as "dates": "DD/MM/YYYY" or "MM/DD/YYYY"',
      },
    });
    expect(parseDealRecord({ deal_id: 'M1', created_at: '13/04/2027' })).toMatchObject({
      deal: { createdAt: { at: utc(2027, 3, 13), dateOnly: true } },
    });
    expect(parseRateRecord({ date: '01/02/2027', currency: 'EUR', rate: '1.1' })).toMatchObject({
      kind: 'error',
      error: { field: 'date' },
    });
    // A stated order still reads them.
    expect(parseDealRecord({ deal_id: 'M1', created_at: '03/04/2027' }, 'day-first')).toMatchObject(
      { deal: { createdAt: { at: utc(2027, 3, 3), dateOnly: true } } },
    );
    expect(
      parseDealRecord({ deal_id: 'M1', created_at: '03/04/2027' }, 'month-first'),
    ).toMatchObject({ deal: { createdAt: { at: utc(2027, 2, 4), dateOnly: true } } });
  });

  it('refuses a currency no ISO 4217 code names, in deals and in rates', () => {
    const unknown = 'expected an ISO 4217 code such as EUR, got "EUD"';
    expect(
      closedloopFormat.parse('deals', { deal_id: 'C1', amount: '100', currency: 'EUD' }),
    ).toEqual({ kind: 'error', error: { field: 'currency', message: unknown } });
    expect(
      closedloopFormat.parse('rates', { date: '2027-01-01', currency: 'EUD', rate: '1.1' }),
    ).toEqual({ kind: 'error', error: { field: 'currency', message: unknown } });
  });

  it("takes the currency from the amount's symbol, and refuses a symbol the currency contradicts", () => {
    const parse = (amount: string, currency: string) =>
      closedloopFormat.parse('deals', { deal_id: 'E1', amount, currency });
    expect(parse('€1,200', '')).toEqual({
      kind: 'deal',
      deal: { externalId: 'E1', amount: '1200', currency: 'EUR' },
    });
    expect(parse('£500', 'USD')).toEqual({
      kind: 'error',
      error: { field: 'amount', message: 'expected an amount in USD, got "£500"' },
    });
    expect(parse('¥1000', '')).toMatchObject({ kind: 'error', error: { field: 'currency' } });
  });

  it('reads stage history', () => {
    const { role, rows } = parseCsvFile(closedloopFormat, fixture('stage_history.csv'));
    expect(role).toBe('history');
    const { history, errors } = byKind(rows);
    expect(errors).toEqual([]);
    expect(history[1]).toEqual({
      externalId: 'D-100',
      stage: 'Proposal',
      enteredAt: { at: utc(2027, 1, 2, 13, 0), dateOnly: false },
    });
    expect(
      closedloopFormat.parse('history', { deal_id: 'D-1', stage: 'Demo', entered_at: '' }),
    ).toEqual({
      kind: 'error',
      error: {
        field: 'entered_at',
        message: 'expected an ISO 8601 date such as 2027-03-01, got an empty field',
      },
    });
  });

  it('reads rates', () => {
    const { role, rows } = parseCsvFile(closedloopFormat, fixture('rates.csv'));
    expect(role).toBe('rates');
    expect(byKind(rows).rates).toEqual([
      { date: { at: utc(2027, 0, 1), dateOnly: true }, currency: 'EUR', rate: 1.0825 },
      { date: { at: utc(2027, 0, 1), dateOnly: true }, currency: 'GBP', rate: 1.271 },
      { date: { at: utc(2027, 1, 1), dateOnly: true }, currency: 'EUR', rate: 1.079 },
    ]);
    expect(
      closedloopFormat.parse('rates', { date: '2027-01-01', currency: 'EUR', rate: '0' }),
    ).toMatchObject({ error: { field: 'rate', message: 'expected a rate above 0, got "0"' } });
    expect(
      closedloopFormat.parse('rates', { date: '2027-01-01', currency: '', rate: '1' }),
    ).toMatchObject({
      error: { field: 'currency' },
    });
  });
});
