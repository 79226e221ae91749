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
});
