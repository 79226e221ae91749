import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { apiDealsBodySchema, dealFromApi } from './api-deals.js';

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
