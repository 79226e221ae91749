import { describe, expect, it } from 'vitest';
import {
  byKind,
  firstDealIn,
  fixturePath,
  parseCsvFile,
  readCsv,
} from './fixtures/read-fixture.js';
import { pipedriveFormat } from './pipedrive.js';

const utc = Date.UTC;
const deals = fixturePath('pipedrive', 'deals.csv');

describe('pipedrive format', () => {
  it('recognises a deals export by its header, with or without the Deal - prefix', () => {
    expect(pipedriveFormat.roleOf(readCsv(deals).header)).toBe('deals');
    expect(pipedriveFormat.roleOf(['ID', 'Title', 'Value'])).toBe('deals');
    expect(pipedriveFormat.roleOf(['date', 'currency', 'rate'])).toBe('rates');
    expect(pipedriveFormat.roleOf(['Person - ID', 'Person - Name'])).toBeUndefined();
  });

  it('reads a full row', () => {
    const { rows } = parseCsvFile(pipedriveFormat, deals);
    expect(rows[0]).toEqual({
      kind: 'deal',
      deal: {
        externalId: '41',
        name: 'Umbrella deal',
        createdAt: { at: utc(2027, 0, 3, 9, 12, 44), dateOnly: false },
        amount: '15000',
        currency: 'EUR',
        status: 'won',
        closedAt: { at: utc(2027, 1, 14, 15), dateOnly: false },
        pipeline: 'Pipeline',
        stage: 'Negotiations Started',
        owner: 'Mia Wong',
        channel: 'Paid search',
        account: 'Umbrella GmbH',
        emails: ['lena@umbrella.example', 'lena.vogel@home.example'],
      },
    });
  });

  it("reads the export's times as local times of the zone it is given", () => {
    const deal = firstDealIn(pipedriveFormat, deals, 'Europe/Berlin');
    // Berlin is one hour ahead of UTC in winter.
    expect(deal.createdAt).toEqual({ at: utc(2027, 0, 3, 8, 12, 44), dateOnly: false });
    expect(deal.closedAt).toEqual({ at: utc(2027, 1, 14, 14), dateOnly: false });
  });

  it('flags a deal closed before it was created by the calendar days of the zone', () => {
    const row = (timeZone: string) =>
      pipedriveFormat.parse(
        'deals',
        {
          ID: '7',
          Title: 'Late-night deal',
          Status: 'won',
          'Deal created': '2027-03-31 21:00',
          'Deal closed on': '2027-03-31',
        },
        { timeZone },
      );
    // Created at 21:00 on 31 March in New York, closed that day: nothing odd.
    expect(row('America/New_York')).toMatchObject({ kind: 'deal' });
    expect(row('America/New_York')).not.toHaveProperty('quirks');
    // In Auckland, 21:00 on 31 March was still the morning of the 31st in UTC: also the same day.
    expect(row('Pacific/Auckland')).not.toHaveProperty('quirks');
    // Closed the day before it was created, wherever it was written.
    const early = pipedriveFormat.parse(
      'deals',
      {
        ID: '8',
        Title: 'Backdated',
        Status: 'won',
        'Deal created': '2027-03-31 00:30',
        'Deal closed on': '2027-03-30',
      },
      { timeZone: 'Asia/Tokyo' },
    );
    expect(early).toMatchObject({ kind: 'deal', quirks: ['closed before created'] });
  });

  it('closes lost deals at their lost time, keeps open ones expected, and skips deleted ones', () => {
    const { deals: read, skips, errors } = byKind(parseCsvFile(pipedriveFormat, deals).rows);
    expect(errors).toEqual([]);
    expect(read.map((deal) => deal.status)).toEqual(['won', 'lost', 'open']);
    expect(read[1].closedAt).toEqual({ at: utc(2027, 1, 1, 12, 30), dateOnly: false });
    expect(read[2]).toMatchObject({
      expectedCloseAt: { at: utc(2027, 3, 15), dateOnly: true },
      closedAt: undefined,
    });
    expect(skips).toEqual([{ kind: 'skip', reason: 'deleted in Pipedrive' }]);
  });

  it('reads the unprefixed names, and a status from won or lost times when none is stated', () => {
    expect(
      pipedriveFormat.parse('deals', {
        ID: '7',
        Title: 'Plain',
        'Won time': '2027-02-01 10:00:00',
      }),
    ).toMatchObject({ deal: { externalId: '7', name: 'Plain', status: 'won' } });
  });

  it('keeps a row that has nothing but its id', () => {
    expect(pipedriveFormat.parse('deals', { 'Deal - ID': '8', 'Deal - Title': '' })).toEqual({
      kind: 'deal',
      deal: { externalId: '8' },
    });
  });

  it('refuses a header that names a column it reads twice, person emails included', () => {
    const record = { 'Deal - ID': '9', 'Deal - Title': 'x', 'Person - Email': 'a@b.example' };
    const source = { file: 'deals.csv', duplicates: new Set(['person - email']) };
    const reading = { timeZone: 'UTC', source };
    expect(() => pipedriveFormat.parse('deals', record, reading)).toThrowError(
      expect.objectContaining({
        code: 'CL_ERR_CSV_HEADER',
        message: 'deals.csv:1: column "Person - Email" appears twice',
      }),
    );
  });

  it('refuses bad cells, naming the column as the file writes it', () => {
    const errorOf = (record: Record<string, string>) =>
      pipedriveFormat.parse('deals', { 'Deal - ID': '9', ...record });
    expect(errorOf({ 'Deal - Value': 'ten' })).toEqual({
      kind: 'error',
      error: { field: 'Deal - Value', message: 'expected a number such as 1234.50, got "ten"' },
    });
    expect(errorOf({ 'Deal - Value': '¥1000', 'Deal - Currency': '' })).toMatchObject({
      error: { field: 'Deal - Currency', message: /^expected JPY or CNY/ },
    });
    expect(errorOf({ 'Deal - Status': 'pending' })).toMatchObject({
      error: {
        field: 'Deal - Status',
        message: 'expected open, won, lost or deleted, got "pending"',
      },
    });
    expect(errorOf({ 'Deal - Deal created': '2027-13-01' })).toMatchObject({
      error: { field: 'Deal - Deal created' },
    });
  });
});
