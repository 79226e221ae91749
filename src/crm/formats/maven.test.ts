import { describe, expect, it } from 'vitest';
import { sharedDataPath } from '../../test-support/shared-data.js';
import { byKind, parseCsvFile } from './fixtures/read-fixture.js';
import { mavenFormat } from './maven.js';

const utc = Date.UTC;
const day = (year: number, month: number, date: number) => ({
  at: utc(year, month - 1, date),
  dateOnly: true,
});

const header = [
  'opportunity_id',
  'sales_agent',
  'product',
  'account',
  'deal_stage',
  'engage_date',
  'close_date',
  'close_value',
];

describe('maven format', () => {
  it('recognises sales_pipeline.csv by its header', () => {
    expect(mavenFormat.roleOf(header)).toBe('deals');
    expect(mavenFormat.roleOf(['account', 'sector'])).toBeUndefined();
    expect(mavenFormat.stageOrder).toEqual(['Prospecting', 'Engaging']);
  });

  it('reads a won row: engaged at creation, won at the close, for its close value', () => {
    const row = mavenFormat.parse('deals', {
      opportunity_id: '1C1I7A6R',
      sales_agent: 'Moses Frase',
      product: 'GTX Plus Basic',
      account: 'Cancity',
      deal_stage: 'Won',
      engage_date: '2016-10-20',
      close_date: '2017-03-01',
      close_value: '1054',
    });
    expect(row).toEqual({
      kind: 'deal',
      deal: {
        externalId: '1C1I7A6R',
        createdAt: day(2016, 10, 20),
        currency: 'USD',
        status: 'won',
        closedAt: day(2017, 3, 1),
        stage: 'Won',
        owner: 'Moses Frase',
        segment: 'GTX Plus Basic',
        account: 'Cancity',
        // The close value is known from the close on, not from the creation.
        history: [
          { externalId: '1C1I7A6R', stage: 'Engaging', enteredAt: day(2016, 10, 20) },
          { externalId: '1C1I7A6R', stage: 'Won', enteredAt: day(2017, 3, 1), amount: '1054' },
        ],
      },
    });
  });

  it('gives a prospect no dates and no history, and an engaging deal its engage date', () => {
    expect(
      mavenFormat.parse('deals', { opportunity_id: 'P1', deal_stage: 'Prospecting', account: '' }),
    ).toEqual({
      kind: 'deal',
      deal: { externalId: 'P1', currency: 'USD', status: 'open', stage: 'Prospecting' },
    });
    expect(
      mavenFormat.parse('deals', {
        opportunity_id: 'E1',
        deal_stage: 'Engaging',
        engage_date: '2017-05-02',
      }),
    ).toMatchObject({
      deal: {
        status: 'open',
        createdAt: day(2017, 5, 2),
        history: [{ stage: 'Engaging', enteredAt: day(2017, 5, 2) }],
      },
    });
  });

  it('keeps a row that has nothing but its id', () => {
    expect(mavenFormat.parse('deals', { opportunity_id: 'X1' })).toEqual({
      kind: 'deal',
      deal: { externalId: 'X1', currency: 'USD' },
    });
  });

  it('refuses bad cells, naming the column', () => {
    expect(
      mavenFormat.parse('deals', { opportunity_id: 'B1', deal_stage: 'Won', close_value: 'n/a' }),
    ).toEqual({
      kind: 'error',
      error: { field: 'close_value', message: 'expected a number such as 1234.50, got "n/a"' },
    });
    expect(
      mavenFormat.parse('deals', { opportunity_id: 'B2', engage_date: '2017-02-29' }),
    ).toMatchObject({ error: { field: 'engage_date' } });
    // The layout's amounts are USD: another currency's symbol is a different file.
    expect(mavenFormat.parse('deals', { opportunity_id: 'B3', close_value: '€1054' })).toEqual({
      kind: 'error',
      error: { field: 'close_value', message: 'expected an amount in USD, got "€1054"' },
    });
  });

  it('refuses a negative close value, whether the deal is open or closed with it', () => {
    const closed = { deal_stage: 'Won', close_date: '2017-03-01', close_value: '-1054' };
    for (const row of [closed, { ...closed, deal_stage: 'Engaging' }]) {
      expect(mavenFormat.parse('deals', { opportunity_id: 'B4', ...row })).toMatchObject({
        kind: 'error',
        error: { message: 'expected an amount of 0 or more, got "-1054"' },
      });
    }
  });

  it('loads the Maven sample: 8,800 deals, 4,238 won, 2,473 lost, 2,089 open, no errors', () => {
    const { role, rows } = parseCsvFile(
      mavenFormat,
      sharedDataPath('maven-crm', 'sales_pipeline.csv'),
    );
    expect(role).toBe('deals');
    const { deals, errors, quirks } = byKind(rows);
    expect(errors).toEqual([]);
    expect(quirks).toEqual([]);
    expect(deals).toHaveLength(8800);
    const count = (status: string) => deals.filter((deal) => deal.status === status).length;
    expect([count('won'), count('lost'), count('open')]).toEqual([4238, 2473, 2089]);
    // Won revenue summed in whole dollars, as the sample writes them.
    const wonRevenue = deals
      .filter((deal) => deal.status === 'won')
      .reduce((sum, deal) => sum + BigInt(deal.history?.at(-1)?.amount ?? '0'), 0n);
    expect(wonRevenue).toBe(10_005_534n);
    expect(deals.filter((deal) => deal.history?.length === 2)).toHaveLength(4238 + 2473);
  });
});
