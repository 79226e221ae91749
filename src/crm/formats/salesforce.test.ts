import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedDataPath } from '../../test-support/shared-data.js';
import { byKind, fixturePath, parseCsvFile, readCsv } from './fixtures/read-fixture.js';
import { salesforceFormat } from './salesforce.js';

const utc = Date.UTC;
const multiCurrency = (name: string) => fixturePath('salesforce-multicurrency', name);

describe('salesforce format', () => {
  it('tells opportunities, their history and rates apart by their headers', () => {
    expect(
      salesforceFormat.roleOf(readCsv(sharedDataPath('salesforce-demo', 'Opportunity.csv')).header),
    ).toBe('deals');
    expect(
      salesforceFormat.roleOf(
        readCsv(sharedDataPath('salesforce-demo', 'OpportunityHistory.csv')).header,
      ),
    ).toBe('history');
    expect(salesforceFormat.roleOf(['date', 'currency', 'rate'])).toBe('rates');
    expect(salesforceFormat.roleOf(['Id', 'Name'])).toBeUndefined();
  });

  it('reads a full opportunity row', () => {
    const row = salesforceFormat.parse('deals', {
      Id: '006A',
      IsDeleted: '0',
      Name: 'Express Logistics Standby Generator',
      StageName: 'Closed Won',
      Amount: '220000',
      Probability: '100',
      CloseDate: '2018-10-15 00:00:00',
      Type: 'New Customer',
      LeadSource: 'Trade Show',
      IsClosed: '1',
      IsWon: '1',
      OwnerId: '005X',
      AccountId: '001Y',
      CurrencyIsoCode: 'USD',
      CreatedDate: '2018-10-13 17:16:45',
    });
    expect(row).toEqual({
      kind: 'deal',
      deal: {
        externalId: '006A',
        name: 'Express Logistics Standby Generator',
        createdAt: { at: utc(2018, 9, 13, 17, 16, 45), dateOnly: false },
        amount: '220000',
        currency: 'USD',
        status: 'won',
        closedAt: { at: utc(2018, 9, 15), dateOnly: true },
        stage: 'Closed Won',
        stageProbability: 1,
        stageOutcome: 'won',
        owner: '005X',
        account: '001Y',
        segment: 'New Customer',
        channel: 'Trade Show',
      },
    });
  });

  it('gives an open opportunity an expected close date, not a close', () => {
    const row = salesforceFormat.parse('deals', {
      Id: '006B',
      StageName: 'Needs Analysis',
      CloseDate: '2027-05-01',
      IsClosed: 'false',
      IsWon: 'false',
      Probability: '20',
    });
    expect(row).toMatchObject({
      deal: {
        status: 'open',
        expectedCloseAt: { at: utc(2027, 4, 1), dateOnly: true },
        stageProbability: 0.2,
        stageOutcome: 'open',
      },
    });
    expect(row.kind === 'deal' && row.deal.closedAt).toBe(undefined);
  });

  it('keeps a row that has nothing but its id, and skips deleted rows', () => {
    expect(salesforceFormat.parse('deals', { Id: '006C', Name: '', Amount: '' })).toEqual({
      kind: 'deal',
      deal: { externalId: '006C' },
    });
    expect(salesforceFormat.parse('deals', { Id: '006D', IsDeleted: '1' })).toEqual({
      kind: 'skip',
      reason: 'deleted in Salesforce (IsDeleted = 1)',
    });
  });

  it('refuses bad cells, naming the column', () => {
    const errorOf = (record: Record<string, string>) =>
      salesforceFormat.parse('deals', { Id: '006E', ...record });
    expect(errorOf({ Amount: 'lots' })).toEqual({
      kind: 'error',
      error: { field: 'Amount', message: 'expected a number such as 1234.50, got "lots"' },
    });
    expect(errorOf({ Amount: '£500', CurrencyIsoCode: 'USD' })).toMatchObject({
      error: { field: 'Amount', message: 'expected an amount in USD, got "£500"' },
    });
    expect(errorOf({ CloseDate: '31/12/2027' })).toMatchObject({ error: { field: 'CloseDate' } });
    expect(errorOf({ IsWon: 'perhaps' })).toMatchObject({ error: { field: 'IsWon' } });
    expect(errorOf({ Probability: '150' })).toMatchObject({
      error: { field: 'Probability', message: 'expected a percentage from 0 to 100, got "150"' },
    });
    expect(
      salesforceFormat.parse('history', {
        OpportunityId: '006E',
        StageName: 'Won',
        CreatedDate: 'x',
      }),
    ).toMatchObject({ error: { field: 'CreatedDate' } });
  });

  it('refuses a negative amount, of the opportunity or of a history entry', () => {
    expect(salesforceFormat.parse('deals', { Id: '006E', Amount: '-5000' })).toEqual({
      kind: 'error',
      error: { field: 'Amount', message: 'expected an amount of 0 or more, got "-5000"' },
    });
    expect(
      salesforceFormat.parse('history', {
        OpportunityId: '006E',
        StageName: 'Won',
        CreatedDate: '2027-01-05',
        Amount: '-5000',
      }),
    ).toEqual({
      kind: 'error',
      error: { field: 'Amount', message: 'expected an amount of 0 or more, got "-5000"' },
    });
  });

  it('loads the demo export: 31 opportunities and their history, with no errors', () => {
    const deals = byKind(
      parseCsvFile(salesforceFormat, sharedDataPath('salesforce-demo', 'Opportunity.csv')).rows,
    );
    expect(deals.errors).toEqual([]);
    expect(deals.deals).toHaveLength(31);
    expect(deals.deals.filter((deal) => deal.status === 'won')).toHaveLength(18);
    expect(deals.deals.filter((deal) => deal.status === 'open')).toHaveLength(13);
    expect(deals.deals.every((deal) => deal.amount !== undefined && deal.stage !== undefined)).toBe(
      true,
    );
    // The demo org's opportunities were loaded in one go, after most of them had closed.
    expect(deals.quirks).toContain('closed before created');

    const history = byKind(
      parseCsvFile(salesforceFormat, sharedDataPath('salesforce-demo', 'OpportunityHistory.csv'))
        .rows,
    );
    expect(history.errors).toEqual([]);
    expect(history.history).toHaveLength(62);
    expect(new Set(history.history.map((entry) => entry.externalId))).toEqual(
      new Set(deals.deals.map((deal) => deal.externalId)),
    );
    expect(history.history[0]).toEqual({
      externalId: '0064600000J5S5TAAV',
      stage: 'Qualification',
      enteredAt: { at: utc(2018, 9, 13, 17, 16, 45), dateOnly: false },
      amount: '15000',
    });
  });

  it('decodes a Latin-1 multi-currency export', () => {
    const bytes = readFileSync(multiCurrency('Opportunity.csv'));
    expect(bytes.includes(Buffer.from('Société', 'latin1'))).toBe(true);
    expect(bytes.includes(Buffer.from('Société', 'utf8'))).toBe(false);
    const { role, rows } = parseCsvFile(
      salesforceFormat,
      multiCurrency('Opportunity.csv'),
      'latin1',
    );
    expect(role).toBe('deals');
    const { deals, skips, errors } = byKind(rows);
    expect(errors).toEqual([]);
    expect(skips).toHaveLength(1);
    expect(deals.map((deal) => [deal.account, deal.currency, deal.amount, deal.status])).toEqual([
      ['Société Générale', 'EUR', '48000.00', 'won'],
      ['Müller GmbH', 'EUR', '120000', 'open'],
      ['Åkesson & Söner AB', 'GBP', '15500.50', 'lost'],
      ['Industrias Peña S.A.', 'USD', '25000', 'won'],
      ['Thornton & Co Ltd', 'GBP', '9999.99', 'open'],
    ]);
    expect(deals[1].name).toBe('Müller GmbH - Lizenzerweiterung');

    const history = byKind(
      parseCsvFile(salesforceFormat, multiCurrency('OpportunityHistory.csv'), 'latin1').rows,
    );
    expect(history.errors).toEqual([]);
    expect(history.history).toHaveLength(7);
    expect(history.skips).toHaveLength(1);

    const rates = byKind(parseCsvFile(salesforceFormat, multiCurrency('rates.csv')).rows);
    expect(rates.rates.map((rate) => rate.currency)).toEqual(['EUR', 'GBP', 'EUR', 'GBP']);
  });
});
