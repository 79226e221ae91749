import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { apiDealsBodySchema, dealFromApi, inexactAmountError } from './api-deals.js';

const checkBody = Compile(apiDealsBodySchema);

describe('a deal of POST /api/deals', () => {
  it('takes a currency in either case, as Stripe writes it lower case, and keeps it upper case', () => {
    const deal = { id: 'D-usd', amount: 990, currency: 'usd' };
    expect(checkBody.Check({ deals: [deal] })).toBe(true);
    const read = dealFromApi(deal, 0);
    expect('deal' in read && read.deal.row).toMatchObject({ amount: '990', currency: 'USD' });
  });

  it('refuses what is no three-letter code', () => {
    for (const currency of ['euro', 'U$D', 'us']) {
      expect(checkBody.Check({ deals: [{ id: 'x', currency }] }), currency).toBe(false);
    }
  });

  it('refuses an amount that is no exact decimal, naming the field', () => {
    for (const amount of [1e21, 1e-7, '99999999999999999999', 900_719_925_475]) {
      const read = dealFromApi({ id: 'D-big', amount }, 3);
      expect(read, String(amount)).toEqual({
        error: `deals.3.amount: expected a decimal amount such as 12000.50, at most 900719925474, got ${String(amount)}`,
      });
    }
    const largest = dealFromApi({ id: 'D-max', amount: '900719925474.00' }, 0);
    expect('deal' in largest && largest.deal.row?.amount).toBe('900719925474.00');
    const cents = dealFromApi({ id: 'D-float', amount: 0.1 + 0.2 }, 0);
    expect('deal' in cents && cents.deal.row?.amount).toBe('0.30000000000000004');
  });
});

describe('what a deal of POST /api/deals dates', () => {
  it('dates its stage, and the status given with it, by the latest change into that stage', () => {
    const read = dealFromApi(
      {
        id: 'S3',
        stage: 'Proposal',
        status: 'open',
        stageChanges: [
          { stage: 'Proposal', at: '2026-10-12T00:00:00Z' },
          { stage: 'Proposal', at: '2026-10-20T00:00:00Z' },
          { stage: 'Demo', at: '2026-10-25T00:00:00Z' },
        ],
      },
      0,
    );
    const at = Date.parse('2026-10-20T00:00:00Z');
    expect('deal' in read && read.deal.fieldTimes).toEqual({ stage: at, status: at });
    // A stage no change enters, or no changes at all: taken as current, as before.
    for (const stageChanges of [[{ stage: 'Demo', at: '2026-10-25T00:00:00Z' }], undefined]) {
      const undated = dealFromApi({ id: 'S3', stage: 'Proposal', stageChanges }, 0);
      expect('deal' in undated && undated.deal).not.toHaveProperty('fieldTimes');
    }
  });
});

describe('dates and ids of POST /api/deals', () => {
  it('takes ISO 8601 dates only: a slash date is refused, not read month first', () => {
    const zoned =
      'expected an ISO 8601 date such as 2027-03-01, or a date and time with Z or an offset such as 2027-03-01T09:30:00Z';
    expect(dealFromApi({ id: 'SL', createdAt: '03/04/2027' }, 0)).toEqual({
      error: `deals.0.createdAt: ${zoned}, got "03/04/2027"`,
    });
    expect(dealFromApi({ id: 'SL', closedAt: '3/31/2027', status: 'won' }, 2)).toEqual({
      error: `deals.2.closedAt: ${zoned}, got "3/31/2027"`,
    });
    expect(dealFromApi({ id: 'SL', expectedCloseAt: '03/04/2027 10:00' }, 0)).toEqual({
      error: `deals.0.expectedCloseAt: ${zoned}, got "03/04/2027 10:00"`,
    });
    expect(
      dealFromApi({ id: 'SL', stageChanges: [{ stage: 'Demo', at: '03/04/2027' }] }, 1),
    ).toEqual({ error: `deals.1.stageChanges.0.at: ${zoned}, got "03/04/2027"` });
    // A time without a zone would be a guess at the sender's clock.
    expect(dealFromApi({ id: 'SL', createdAt: '2027-03-04T10:00:00' }, 0)).toEqual({
      error: `deals.0.createdAt: ${zoned}, got "2027-03-04T10:00:00"`,
    });
    const read = dealFromApi(
      { id: 'SL', createdAt: '2027-03-04', closedAt: '2027-04-03T10:00:00+02:00', status: 'won' },
      0,
    );
    expect('deal' in read && read.deal.row).toMatchObject({
      createdAt: { at: Date.UTC(2027, 2, 4), dateOnly: true },
      closedAt: { at: Date.UTC(2027, 3, 3, 8), dateOnly: false },
    });
  });

  it('refuses an id that is only blanks, and trims one as the CSV import does', () => {
    for (const id of ['   ', '\t', ' \n ']) {
      expect(dealFromApi({ id }, 4), JSON.stringify(id)).toEqual({
        error: 'deals.4.id: expected a non-empty id',
      });
    }
    const read = dealFromApi(
      { id: ' D-7 ', stage: 'Demo', stageChanges: [{ stage: 'Demo', at: '2027-01-02' }] },
      0,
    );
    expect('deal' in read && read.deal.externalId).toBe('D-7');
    expect('deal' in read && read.deal.row?.externalId).toBe('D-7');
    expect('deal' in read && read.deal.history.map((entry) => entry.externalId)).toEqual(['D-7']);
  });
});

describe('money of POST /api/deals', () => {
  it('refuses a currency no ISO 4217 code names, however it is written', () => {
    for (const currency of ['QQQ', 'xyz']) {
      expect(dealFromApi({ id: 'D1', amount: '100.10', currency }, 2)).toEqual({
        error: `deals.2.currency: expected an ISO 4217 code such as EUR, got "${currency}"`,
      });
    }
  });

  it('refuses a negative amount, and takes zero however it is signed', () => {
    for (const amount of [-5, '-5', '-0.01']) {
      expect(dealFromApi({ id: 'D1', amount }, 1)).toEqual({
        error: `deals.1.amount: expected an amount of 0 or more, got ${amount}`,
      });
    }
    for (const amount of [-0, '-0', '-0.00']) {
      expect('deal' in dealFromApi({ id: 'D1', amount }, 0), String(amount)).toBe(true);
    }
  });

  it('says what an amount its currency cannot hold should be', () => {
    const read = (row: object) => ({
      externalId: 'D1',
      row: { externalId: 'D1', ...row },
      history: [],
    });
    const fields = (index: number) => ({
      amount: `deals.${index}.amount`,
      currency: `deals.${index}.currency`,
    });
    expect(inexactAmountError(read({ amount: '100.5' }), 'JPY', fields(4))).toBe(
      'deals.4.amount: expected an amount in JPY with no decimals, got 100.5',
    );
    expect(inexactAmountError(read({ amount: '1.2345' }), 'KWD', fields(0))).toBe(
      'deals.0.amount: expected an amount in KWD with at most 3 decimals, got 1.2345',
    );
    expect(inexactAmountError(read({ currency: 'JPY' }), 'JPY', fields(0))).toBe(
      "deals.0.currency: expected a currency that holds the deal's amount exactly, got JPY (no decimals); give the amount in JPY with it",
    );
    // A webhook's dated amounts: the one that cannot be held is named, not the latest.
    const dated = {
      ...read({ amount: '12.50' }),
      amountChanges: [
        { at: { at: 0, dateOnly: false }, amount: '12.345' },
        { at: { at: 1, dateOnly: false }, amount: '12.50' },
      ],
    };
    expect(
      inexactAmountError(dated, 'USD', { amount: 'amount of deal D1', currency: 'currency' }),
    ).toBe('amount of deal D1: expected an amount in USD with at most 2 decimals, got 12.345');
  });
});
