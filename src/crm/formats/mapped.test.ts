import { describe, expect, it } from 'vitest';
import { createMappedFormat, parseDealMapping } from './mapped.js';

const utc = Date.UTC;

const mapping = {
  deals: {
    deal_id: 'Opportunity #',
    name: 'Title',
    amount: 'Value',
    currency: 'Cur',
    created_at: 'Opened',
    stage: 'Phase',
    emails: 'Contacts',
  },
  history: { deal_id: 'Opportunity #', stage: 'Phase', entered_at: 'Changed' },
  dates: 'DD/MM/YYYY',
};

describe('mapped format', () => {
  const format = createMappedFormat(mapping);

  it('reads times without an offset in the zone of the import, dates as dates', () => {
    const copenhagen = { timeZone: 'Europe/Copenhagen' };
    const deal = format.parse(
      'deals',
      { 'Opportunity #': 'OP-2', Opened: '03/02/2027 09:30', Phase: 'Demo' },
      copenhagen,
    );
    expect(deal).toMatchObject({
      kind: 'deal',
      deal: { createdAt: { at: utc(2027, 1, 3, 8, 30), dateOnly: false } },
    });
    const entry = format.parse(
      'history',
      { 'Opportunity #': 'OP-2', Phase: 'Demo', Changed: '2027-07-01 00:15' },
      copenhagen,
    );
    // Summer: two hours ahead of UTC, so still 30 June in UTC.
    expect(entry).toMatchObject({
      kind: 'history',
      history: { enteredAt: { at: utc(2027, 5, 30, 22, 15), dateOnly: false } },
    });
    expect(
      format.parse('deals', { 'Opportunity #': 'OP-3', Opened: '03/02/2027' }, copenhagen),
    ).toMatchObject({ deal: { createdAt: { at: utc(2027, 1, 3), dateOnly: true } } });
  });

  const dealsHeader = ['Opportunity #', 'Title', 'Value', 'Cur', 'Opened', 'Phase', 'Contacts'];

  it('tells deals, history and rates apart by the mapped columns', () => {
    expect(format.roleOf(dealsHeader)).toBe('deals');
    expect(format.roleOf(['opportunity #', 'phase', 'changed'])).toBe('history');
    expect(format.roleOf(['date', 'currency', 'rate'])).toBe('rates');
    expect(format.roleOf(['Id', 'Title'])).toBeUndefined();
  });

  it('refuses a header that lacks a mapped column, naming the column and the file', () => {
    const refusal = (columns: string[]) => {
      try {
        return format.roleOf(columns, { file: 'opps.csv', duplicates: new Set() });
      } catch (error) {
        return error as { code: string; message: string };
      }
    };
    // A typo in the mapping ("Valeu") would import every deal without an amount.
    expect(refusal(dealsHeader.map((column) => (column === 'Value' ? 'Valeu' : column)))).toEqual(
      expect.objectContaining({
        code: 'CL_ERR_CSV_HEADER',
        message:
          'opps.csv:1: missing column "Value" (for deals.amount), named in the mapping; the header has "Opportunity #", "Title", "Valeu", "Cur", "Opened", "Phase", "Contacts"',
      }),
    );
    // A history file short of a history column is no deals file.
    expect(refusal(['Opportunity #', 'Phase', 'Changed on'])).toEqual(
      expect.objectContaining({
        code: 'CL_ERR_CSV_HEADER',
        message: expect.stringMatching(
          /^opps\.csv:1: missing column "Changed" \(for history\.entered_at\), named in the mapping; /,
        ),
      }),
    );
    expect(refusal([...dealsHeader.slice(0, 2), 'Va\nlue'])).toMatchObject({
      message: expect.stringMatching(/^[^\n]*"Va\\nlue"[^\n]*$/),
    });
    expect(refusal(['Opportunity #', 'Changed'])).toMatchObject({
      message: expect.stringMatching(/^opps\.csv:1: missing column "Phase" \(for history\.stage\)/),
    });
    // Every column of both: read as history, its deals' amounts would be lost unseen.
    expect(refusal([...dealsHeader, 'Changed'])).toMatchObject({
      code: 'CL_ERR_CSV_HEADER',
      message: expect.stringMatching(
        /^opps\.csv:1: the header has every column the mapping names for deals and for history; a file must be one of the two/,
      ),
    });
  });

  it('refuses a header that names a mapped column twice, and tolerates other duplicates', () => {
    const duplicated = [...dealsHeader, 'value', 'Notes', 'Notes'];
    const source = { file: 'opps.csv', duplicates: new Set(['value', 'notes']) };
    expect(() => format.roleOf(duplicated, source)).toThrowError(
      expect.objectContaining({
        code: 'CL_ERR_CSV_HEADER',
        message: 'opps.csv:1: column "Value" appears twice',
      }),
    );
    expect(format.roleOf([...dealsHeader, 'Notes', 'Notes'])).toBe('deals');
  });

  it('reads a full row from the mapped columns, slash dates day first', () => {
    expect(
      format.parse('deals', {
        'Opportunity #': 'OP-1',
        Title: 'Hansen ApS',
        Value: '1,500.00',
        Cur: 'dkk',
        Opened: '03/02/2027',
        Phase: 'Vundet',
        Contacts: 'mette@hansen.example',
        Unmapped: 'ignored',
      }),
    ).toEqual({
      kind: 'deal',
      deal: {
        externalId: 'OP-1',
        name: 'Hansen ApS',
        amount: '1500.00',
        currency: 'DKK',
        createdAt: { at: utc(2027, 1, 3), dateOnly: true },
        stage: 'Vundet',
        emails: ['mette@hansen.example'],
      },
    });
    expect(
      format.parse('history', { 'Opportunity #': 'OP-1', Phase: 'Demo', Changed: '2027-02-05' }),
    ).toEqual({
      kind: 'history',
      history: {
        externalId: 'OP-1',
        stage: 'Demo',
        enteredAt: { at: utc(2027, 1, 5), dateOnly: true },
      },
    });
  });

  it('keeps a row that has nothing but its id', () => {
    expect(format.parse('deals', { 'Opportunity #': 'OP-2' })).toEqual({
      kind: 'deal',
      deal: { externalId: 'OP-2' },
    });
  });

  it('names the file column in a bad cell error', () => {
    expect(format.parse('deals', { 'Opportunity #': 'OP-3', Opened: '13/13/2027' })).toMatchObject({
      kind: 'error',
      error: { field: 'Opened' },
    });
    expect(format.parse('deals', { 'Opportunity #': '', Title: 'x' })).toEqual({
      kind: 'error',
      error: { field: 'Opportunity #', message: 'expected a deal id, got an empty field' },
    });
  });

  it('refuses a mapping that is not right, naming the key', () => {
    const problem = (json: unknown) => {
      try {
        parseDealMapping(json);
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(problem([])).toMatch(/^mapping: expected an object/);
    expect(problem({ deals: { name: 'Title' } })).toBe(
      'deals.deal_id: missing: name the column that holds it',
    );
    expect(problem({ deals: { deal_id: 'Id', amont: 'Value' } })).toMatch(
      /^deals\.amont: not a field; expected one of deal_id, name, /,
    );
    expect(problem({ deals: { deal_id: 12 } })).toBe(
      'deals.deal_id: expected a column name, got 12',
    );
    expect(problem({ deals: { deal_id: 'Id' }, history: { deal_id: 'Id', stage: 'S' } })).toBe(
      'history.entered_at: missing: name the column that holds it',
    );
    expect(problem({ deals: { deal_id: 'Id' }, dates: 'YYYY/MM/DD' })).toBe(
      'dates: expected "MM/DD/YYYY" or "DD/MM/YYYY", got "YYYY/MM/DD"',
    );
    expect(problem({ deals: { deal_id: 'Id' }, columns: {} })).toBe(
      'columns: not a mapping key; expected deals, history or dates',
    );
    expect(problem({ deals: { deal_id: 'Id' } })).toBe('accepted');
  });

  it('reports mapping errors as configuration errors', () => {
    expect(() => createMappedFormat({})).toThrowError(
      expect.objectContaining({ code: 'CL_ERR_CONFIG' }),
    );
  });
});
