import { describe, expect, it } from 'vitest';
import {
  byKind,
  firstDealIn,
  fixturePath,
  parseCsvFile,
  readCsv,
} from './fixtures/read-fixture.js';
import { hubspotFormat, parseAssociatedContacts, stageOfDateEnteredColumn } from './hubspot.js';

const utc = Date.UTC;
const deals = fixturePath('hubspot', 'deals.csv');

describe('hubspot format', () => {
  it('recognises a deals export by its header', () => {
    expect(hubspotFormat.roleOf(readCsv(deals).header)).toBe('deals');
    expect(hubspotFormat.roleOf(['Deal ID', 'Deal Name'])).toBe('deals');
    expect(hubspotFormat.roleOf(['date', 'currency', 'rate'])).toBe('rates');
    expect(hubspotFormat.roleOf(['Record ID', 'First Name', 'Email'])).toBeUndefined();
  });

  it('reads a full row, with its stage history from the Date entered columns', () => {
    const { rows } = parseCsvFile(hubspotFormat, deals);
    expect(rows[0]).toEqual({
      kind: 'deal',
      deal: {
        externalId: '9001',
        name: 'Acme expansion',
        createdAt: { at: utc(2027, 0, 5, 10), dateOnly: false },
        amount: '12000',
        status: 'won',
        closedAt: { at: utc(2027, 1, 20, 16, 30), dateOnly: false },
        pipeline: 'Sales Pipeline',
        stage: 'Closed Won',
        owner: 'Jane Owner',
        segment: 'existingbusiness',
        account: 'Acme Corp',
        emails: ['ana@acme.example', 'bob@acme.example'],
        history: [
          {
            externalId: '9001',
            stage: 'Appointment Scheduled',
            enteredAt: { at: utc(2027, 0, 5, 10), dateOnly: false },
          },
          {
            externalId: '9001',
            stage: 'Qualified To Buy',
            enteredAt: { at: utc(2027, 0, 12, 9), dateOnly: false },
          },
          {
            externalId: '9001',
            stage: 'Contract Sent',
            enteredAt: { at: utc(2027, 1, 1, 11, 15), dateOnly: false },
          },
          {
            externalId: '9001',
            stage: 'Closed Won',
            enteredAt: { at: utc(2027, 1, 20, 16, 30), dateOnly: false },
          },
        ],
      },
    });
  });

  it("reads the export's times as local times of the zone it is given", () => {
    const deal = firstDealIn(hubspotFormat, deals, 'Asia/Taipei');
    // 10:00 in Taipei (UTC+8) is 02:00 UTC; the stage history is read the same way.
    expect(deal.createdAt).toEqual({ at: utc(2027, 0, 5, 2), dateOnly: false });
    expect(deal.closedAt).toEqual({ at: utc(2027, 1, 20, 8, 30), dateOnly: false });
    expect(deal.history?.map((entry) => entry.enteredAt.at)).toEqual([
      utc(2027, 0, 5, 2),
      utc(2027, 0, 12, 1),
      utc(2027, 1, 1, 3, 15),
      utc(2027, 1, 20, 8, 30),
    ]);
  });

  it('reads the status from the stage name in any language, and the close date by status', () => {
    const { deals: read, errors, quirks } = byKind(parseCsvFile(hubspotFormat, deals).rows);
    expect(errors).toEqual([]);
    expect(read.map((deal) => deal.status)).toEqual(['won', 'open', 'lost', 'won']);
    expect(read[1].expectedCloseAt).toEqual({ at: utc(2027, 3, 30), dateOnly: false });
    expect(read[1].closedAt).toBeUndefined();
    expect(read[1].contactIds).toEqual(['1051', '1251']);
    expect(read[3]).toMatchObject({
      pipeline: 'Pipeline France',
      createdAt: { at: utc(2027, 0, 15, 9), dateOnly: false },
      history: [{ stage: 'Nouveau' }, { stage: 'Gagné' }],
    });
    expect(quirks).toEqual(['associated contact without email or id']);
  });

  it('prefers the Is Closed Won and Is closed columns when present', () => {
    const parse = (record: Record<string, string>) =>
      hubspotFormat.parse('deals', { 'Record ID': '1', 'Deal Stage': 'Signed', ...record });
    expect(parse({ 'Is Closed Won': 'true', 'Is closed': 'true' })).toMatchObject({
      deal: { status: 'won' },
    });
    expect(parse({ 'Is Closed Won': 'false', 'Is closed': 'true' })).toMatchObject({
      deal: { status: 'lost' },
    });
    expect(parse({})).toMatchObject({ deal: { status: 'open' } });
  });

  it('takes won or lost from the stage when Is closed is there but Is Closed Won is not', () => {
    const parse = (stage: string, record: Record<string, string>) =>
      hubspotFormat.parse('deals', { 'Record ID': '1', 'Deal Stage': stage, ...record });
    expect(parse('Closed Won', { 'Is closed': 'true' })).toEqual({
      kind: 'deal',
      deal: { externalId: '1', stage: 'Closed Won', status: 'won' },
    });
    expect(parse('Closed Won', { 'Is closed': 'true', 'Is Closed Won': '' })).toMatchObject({
      deal: { status: 'won' },
    });
    expect(parse('Closed Lost', { 'Is closed': 'true' })).toMatchObject({
      deal: { status: 'lost' },
    });
    // A closed stage whose name says neither: kept as lost, as before, but reported.
    expect(parse('Signed', { 'Is closed': 'true' })).toEqual({
      kind: 'deal',
      deal: { externalId: '1', stage: 'Signed', status: 'lost' },
      quirks: ['closed in a stage that names no outcome, taken as lost'],
    });
    // "Is closed" false is kept over the stage's name, and the contradiction reported.
    expect(parse('Closed Won', { 'Is closed': 'false' })).toEqual({
      kind: 'deal',
      deal: { externalId: '1', stage: 'Closed Won', status: 'open' },
      quirks: ['status disagrees with stage'],
    });
  });

  it('keeps a row that has nothing but its id', () => {
    expect(
      hubspotFormat.parse('deals', { 'Record ID': '77', 'Deal Name': '', Amount: '' }),
    ).toEqual({
      kind: 'deal',
      deal: { externalId: '77' },
    });
  });

  it('refuses bad cells, naming the column', () => {
    const errorOf = (record: Record<string, string>) =>
      hubspotFormat.parse('deals', { 'Record ID': '1', ...record });
    expect(errorOf({ Amount: 'TBD' })).toEqual({
      kind: 'error',
      error: { field: 'Amount', message: 'expected a number such as 1234.50, got "TBD"' },
    });
    expect(errorOf({ Amount: '€1,200', Currency: 'USD' })).toMatchObject({
      error: { field: 'Amount', message: 'expected an amount in USD, got "€1,200"' },
    });
    expect(hubspotFormat.parse('deals', { 'Record ID': '1', Amount: '€1,200' })).toMatchObject({
      deal: { amount: '1200', currency: 'EUR' },
    });
    expect(errorOf({ 'Date entered "Demo (Sales)"': 'last week' })).toMatchObject({
      error: { field: 'Date entered "Demo (Sales)"' },
    });
    expect(hubspotFormat.parse('deals', { 'Record ID': '', 'Deal Name': 'x' })).toMatchObject({
      error: { field: 'Record ID', message: 'expected a deal id, got an empty field' },
    });
  });

  it('finds the stage in a Date entered column', () => {
    expect(stageOfDateEnteredColumn('Date entered "Contract Sent (Sales Pipeline)"')).toBe(
      'Contract Sent',
    );
    expect(stageOfDateEnteredColumn('Date entered "Demo (online) (EMEA)"')).toBe('Demo (online)');
    expect(stageOfDateEnteredColumn('Date entered Qualified')).toBe('Qualified');
    expect(stageOfDateEnteredColumn('Date exited "Qualified (Sales Pipeline)"')).toBeUndefined();
  });

  it('reads associated contacts: emails where present, else ids', () => {
    expect(
      parseAssociatedContacts('Ana Ruiz (ana@acme.example);Ruiz, Bob (bob@acme.example); 1051'),
    ).toEqual({
      emails: ['ana@acme.example', 'bob@acme.example'],
      contactIds: ['1051'],
      unidentified: [],
    });
    expect(parseAssociatedContacts('101, 102;Jean Dupont')).toEqual({
      emails: [],
      contactIds: ['101', '102'],
      unidentified: ['Jean Dupont'],
    });
    expect(parseAssociatedContacts(undefined)).toEqual({
      emails: [],
      contactIds: [],
      unidentified: [],
    });
  });

  it('reads a cell of more contacts than a call can take arguments', () => {
    // A cell is as long as the export makes it: 200,000 overflowed the call stack when spread.
    const count = 200_000;
    const ids = Array.from({ length: count }, (_, i) => String(i + 1));
    expect(parseAssociatedContacts(ids.join(',')).contactIds).toEqual(ids);
    const emails = ids.map((id) => `c${id}@acme.example`);
    expect(parseAssociatedContacts(emails.join(' ')).emails).toEqual(emails);
  });
});
