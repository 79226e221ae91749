/**
 * A Pipedrive deals export. Pipedrive names a deal's fields "Deal - Title", "Deal - Value", ...
 * and a linked item's fields "Person - Email", "Organization - Name"; a plainer export writes the
 * deal's fields without the prefix. Both are read.
 */
import type { DealStatus } from '../../core/deals.js';
import { findEmails } from '../values.js';
import { columnKey, exportCells, type RowCells } from './cells.js';
import { isRatesHeader, parseRateRecord } from './closedloop.js';
import type { CsvRecord, DealFormat, ExportReading, FileRole, ParsedRow } from './format.js';
import { dealResult } from './rows.js';

function parseDeal(record: CsvRecord, reading: ExportReading | undefined): ParsedRow {
  const cells = exportCells(record, reading);
  const column = (field: string) =>
    cells.raw(`Deal - ${field}`) === undefined ? field : `Deal - ${field}`;
  const stated = cells.choice(column('Status'), ['open', 'won', 'lost', 'deleted']);
  if (stated === 'deleted') return { kind: 'skip', reason: 'deleted in Pipedrive' };
  const wonTime = cells.moment(column('Won time'));
  const lostTime = cells.moment(column('Lost time'));
  const closedOn = cells.moment(column('Deal closed on'));
  // An export without the status column still tells a closed deal by when it was won or lost.
  const status: DealStatus | undefined =
    stated ?? (wonTime !== undefined ? 'won' : lostTime !== undefined ? 'lost' : undefined);
  const closedAt =
    status === 'won'
      ? (wonTime ?? closedOn)
      : status === 'lost'
        ? (lostTime ?? closedOn)
        : undefined;
  const { amount, currency } = cells.money(column('Value'), column('Currency'));
  return dealResult(cells, {
    externalId: cells.required(column('ID'), 'a deal id'),
    name: cells.text(column('Title')),
    createdAt: cells.moment(column('Deal created')),
    amount,
    currency,
    status,
    closedAt,
    expectedCloseAt: status === 'open' ? cells.moment(column('Expected close date')) : undefined,
    pipeline: cells.text(column('Pipeline')),
    stage: cells.text(column('Stage')),
    owner: cells.text(column('Owner')),
    channel: cells.text(column('Source channel')),
    account: cells.text('Organization - Name') ?? cells.text(column('Organization')),
    emails: personEmails(record, cells),
  });
}

/**
 * "Person - Email", or one column per kind ("Person - Email - Work"), each maybe listing several.
 * Linked people's emails are taken where they are email-shaped: a stray note in one of them is no
 * reason to refuse the deal.
 */
function personEmails(record: CsvRecord, cells: RowCells): string[] | undefined {
  const emails = new Set<string>();
  for (const column of Object.keys(record)) {
    if (columnKey(column).startsWith('person - email')) {
      // Through the cells, so that a column the header names twice is refused.
      for (const email of findEmails(cells.raw(column) ?? '')) emails.add(email);
    }
  }
  return emails.size > 0 ? [...emails] : undefined;
}

export const pipedriveFormat: DealFormat = {
  name: 'pipedrive',
  localTimes: true,
  roleOf(header: readonly string[]): FileRole | undefined {
    if (isRatesHeader(header)) return 'rates';
    const keys = new Set(header.map((column) => columnKey(column).replace(/^deal - /, '')));
    return keys.has('id') && keys.has('title') ? 'deals' : undefined;
  },
  parse(role: FileRole, record: CsvRecord, reading?: ExportReading): ParsedRow {
    if (role === 'rates') return parseRateRecord(record, undefined, reading?.source);
    if (role === 'history') {
      return { kind: 'skip', reason: 'a Pipedrive deals export has no stage history file' };
    }
    return parseDeal(record, reading);
  },
};
