/**
 * A HubSpot deals export, read by the property labels HubSpot writes in its header ("Record ID",
 * "Deal Stage", ...). The stage history comes from the `Date entered "<stage> (<pipeline>)"`
 * columns, one per stage of every pipeline, filled for the stages the deal went through.
 */
import type { DealStatus } from '../../core/deals.js';
import { outcomeOfStage } from '../stage-words.js';
import { cleanText, findEmails } from '../values.js';
import { columnKey, exportCells, headerHas, type RowCells } from './cells.js';
import { isRatesHeader, parseRateRecord } from './closedloop.js';
import type {
  CsvRecord,
  DealFormat,
  ExportReading,
  FileRole,
  HistoryRow,
  ParsedRow,
} from './format.js';
import { dealResult } from './rows.js';

// HubSpot renamed "Deal ID" to "Record ID"; older exports still carry the first.
const idColumns = ['Record ID', 'Deal ID'];

function parseDeal(record: CsvRecord, reading: ExportReading | undefined): ParsedRow {
  const cells = exportCells(record, reading);
  const idColumn = idColumns.find((column) => cells.raw(column) !== undefined) ?? idColumns[0];
  const externalId = cells.required(idColumn, 'a deal id');
  const stage = cells.text('Deal Stage');
  const { status, quirks: statusQuirks } = statusOf(cells, stage);
  const closeDate = cells.moment('Close Date');
  const isClosed = status === 'won' || status === 'lost';
  const contacts = parseAssociatedContacts(cells.raw('Associated Contact'));
  const contactIds = [...contacts.contactIds, ...idList(cells.raw('Associated Contact IDs'))];
  // One stable wording, so that the import's summary counts these deals together.
  const { amount, currency } = cells.money('Amount', 'Currency');
  const quirks = [
    ...statusQuirks,
    ...(contacts.unidentified.length > 0 ? ['associated contact without email or id'] : []),
  ];
  return dealResult(
    cells,
    {
      externalId,
      name: cells.text('Deal Name'),
      createdAt: cells.moment('Create Date'),
      amount,
      currency,
      status,
      closedAt: isClosed ? closeDate : undefined,
      expectedCloseAt: isClosed ? undefined : closeDate,
      pipeline: cells.text('Pipeline'),
      stage,
      owner: cells.text('Deal owner'),
      segment: cells.text('Deal Type'),
      account: cells.text('Associated Company'),
      emails: contacts.emails.length > 0 ? contacts.emails : undefined,
      contactIds: contactIds.length > 0 ? [...new Set(contactIds)] : undefined,
      history: stageHistory(record, cells, externalId),
    },
    quirks,
  );
}

/**
 * "Is Closed Won" and "Is closed" when the export has them; else the stage's name: won or lost
 * when it says so in a language we know, open otherwise. A closed deal whose "Is Closed Won" is
 * missing or blank is won or lost as its stage's name says (exports often leave the column out).
 */
function statusOf(
  cells: RowCells,
  stage: string | undefined,
): { status?: DealStatus; quirks: string[] } {
  const isWon = cells.flag('Is Closed Won');
  const isClosed = cells.flag('Is closed');
  const implied = stage === undefined ? null : outcomeOfStage(stage);
  if (isWon === true) return { status: 'won', quirks: [] };
  if (isClosed === false) {
    // The flag is kept over the name, but a stage named won or lost is worth a word.
    return { status: 'open', quirks: implied === null ? [] : ['status disagrees with stage'] };
  }
  if (isClosed === true) {
    if (isWon === false) return { status: 'lost', quirks: [] };
    if (implied !== null) return { status: implied, quirks: [] };
    // HubSpot's own rule for "Is Closed Won" is not in the file: say that lost was a guess.
    return { status: 'lost', quirks: ['closed in a stage that names no outcome, taken as lost'] };
  }
  if (stage === undefined) return { quirks: [] };
  return { status: implied ?? 'open', quirks: [] };
}

const dateEnteredColumn = /^date entered\s+"?(.*?)"?$/i;

/** The stage a `Date entered "Contract Sent (Sales Pipeline)"` column is for: "Contract Sent". */
export function stageOfDateEnteredColumn(column: string): string | undefined {
  const match = dateEnteredColumn.exec(column.trim());
  if (match === null) return undefined;
  // HubSpot appends the pipeline's label so that stages of several pipelines can share a name.
  return cleanText(match[1].replace(/\s*\([^()]*\)$/, ''));
}

function stageHistory(
  record: CsvRecord,
  cells: RowCells,
  externalId: string,
): HistoryRow[] | undefined {
  const history: HistoryRow[] = [];
  for (const column of Object.keys(record)) {
    const stage = stageOfDateEnteredColumn(column);
    if (stage === undefined) continue;
    const enteredAt = cells.moment(column);
    if (enteredAt !== undefined) history.push({ externalId, stage, enteredAt });
  }
  return history.length === 0 ? undefined : history.sort((a, b) => a.enteredAt.at - b.enteredAt.at);
}

export interface AssociatedContacts {
  readonly emails: string[];
  readonly contactIds: string[];
  /** Contacts given by name alone, which nothing can tie to a person. */
  readonly unidentified: string[];
}

/**
 * HubSpot lists a deal's contacts in one cell, separated by `;`, each an email, a record id, or a
 * name with the email in parentheses ("Ana Ruiz (ana@acme.example)"). Emails are taken wherever
 * they appear; a contact without one is kept by its id.
 */
export function parseAssociatedContacts(text: string | undefined): AssociatedContacts {
  const contacts: AssociatedContacts = { emails: [], contactIds: [], unidentified: [] };
  for (const part of (text ?? '').split(';')) {
    const contact = part.trim();
    if (contact === '') continue;
    const emails = findEmails(contact);
    const ids = contact.split(',').map((id) => id.trim());
    // One push at a time: a cell may hold more contacts than a call can take arguments.
    if (emails.length > 0) {
      for (const email of emails) contacts.emails.push(email);
    } else if (ids.every((id) => /^\d+$/.test(id))) {
      for (const id of ids) contacts.contactIds.push(id);
    } else {
      contacts.unidentified.push(contact);
    }
  }
  return contacts;
}

function idList(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[;,]/)
    .map((id) => id.trim())
    .filter((id) => id !== '');
}

export const hubspotFormat: DealFormat = {
  name: 'hubspot',
  localTimes: true,
  roleOf(header: readonly string[]): FileRole | undefined {
    if (isRatesHeader(header)) return 'rates';
    const keys = header.map(columnKey);
    const hasId = idColumns.some((column) => keys.includes(columnKey(column)));
    if (hasId && (headerHas(header, 'Deal Name') || headerHas(header, 'Deal Stage'))) {
      return 'deals';
    }
    return undefined;
  },
  parse(role: FileRole, record: CsvRecord, reading?: ExportReading): ParsedRow {
    if (role === 'rates') return parseRateRecord(record, undefined, reading?.source);
    if (role === 'history') {
      return { kind: 'skip', reason: 'HubSpot exports carry stage history in the deals file' };
    }
    return parseDeal(record, reading);
  },
};
