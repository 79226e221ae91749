/**
 * Closedloop's own CSV layout (documented in the README): deals.csv, and optionally
 * stage_history.csv and rates.csv. Only `deal_id` is required; every other column may be missing.
 */
import { type DateReading, parseDomain } from '../values.js';
import { headerHas, RowCells } from './cells.js';
import type {
  CsvRecord,
  CsvSource,
  DealFormat,
  ExportReading,
  FileRole,
  ParsedRow,
} from './format.js';
import { dealResult, historyResult, statusFromStage } from './rows.js';

export const dealColumns = [
  'deal_id',
  'name',
  'created_at',
  'amount',
  'currency',
  'status',
  'closed_at',
  'pipeline',
  'stage',
  'owner',
  'segment',
  'emails',
  'account',
  'account_domain',
  'channel',
  'recurring_interval',
  'term_months',
] as const;

export const historyColumns = ['deal_id', 'stage', 'entered_at'] as const;

export const rateColumns = ['date', 'currency', 'rate'] as const;

export function isRatesHeader(header: readonly string[]): boolean {
  return headerHas(header, ...rateColumns);
}

/**
 * `dates`: how dates are read (undefined: slash dates in no stated order, as a column map without
 * `dates` gives them: one whose day and month could swap is refused); `timeZone`: where times
 * without an offset were written (undefined: UTC, the format's rule); `blankCurrency`: what a
 * blank currency cell stands for.
 */
export function parseDealRecord(
  record: CsvRecord,
  dates?: DateReading,
  timeZone?: string,
  source?: CsvSource,
  blankCurrency?: string,
): ParsedRow {
  const cells = new RowCells(record, dates ?? 'unstated', timeZone, source, blankCurrency);
  const stage = cells.text('stage');
  const { status, quirks } = statusFromStage(
    cells.choice('status', ['open', 'won', 'lost']),
    stage,
  );
  const externalId = cells.required('deal_id', 'a deal id');
  const name = cells.text('name');
  const createdAt = cells.moment('created_at');
  const { amount, currency } = cells.money('amount', 'currency');
  return dealResult(
    cells,
    {
      externalId,
      name,
      createdAt,
      amount,
      currency,
      status,
      closedAt: cells.moment('closed_at'),
      pipeline: cells.text('pipeline'),
      stage,
      owner: cells.text('owner'),
      segment: cells.text('segment'),
      emails: cells.emails('emails'),
      account: cells.text('account'),
      accountDomain: parseDomain(cells.raw('account_domain')),
      channel: cells.text('channel'),
      recurringInterval: cells.choice('recurring_interval', ['month', 'year']),
      termMonths: cells.wholeNumber('term_months'),
    },
    quirks,
  );
}

export function parseHistoryRecord(
  record: CsvRecord,
  dates?: DateReading,
  timeZone?: string,
  source?: CsvSource,
): ParsedRow {
  const cells = new RowCells(record, dates ?? 'unstated', timeZone, source);
  return historyResult(cells, {
    externalId: cells.required('deal_id', 'a deal id'),
    stage: cells.required('stage', 'a stage name'),
    enteredAt: cells.requiredMoment('entered_at'),
  });
}

/** rates.csv: units of the workspace currency per one unit of `currency`, from `date` on. */
export function parseRateRecord(
  record: CsvRecord,
  dates?: DateReading,
  source?: CsvSource,
): ParsedRow {
  const cells = new RowCells(record, dates ?? 'unstated', undefined, source);
  const date = cells.requiredMoment('date');
  cells.required('currency', 'an ISO 4217 code such as EUR');
  const currency = cells.currency('currency') ?? '';
  const rate = cells.decimal('rate');
  if (rate === undefined) cells.required('rate', 'a rate such as 1.0825');
  else if (!(Number(rate) > 0)) cells.reject('rate', `expected a rate above 0, got "${rate}"`);
  if (cells.error !== undefined) return { kind: 'error', error: cells.error };
  return { kind: 'rate', rate: { date, currency, rate: Number(rate) } };
}

export const closedloopFormat: DealFormat = {
  name: 'closedloop',
  roleOf(header: readonly string[]): FileRole | undefined {
    if (isRatesHeader(header)) return 'rates';
    if (headerHas(header, ...historyColumns)) return 'history';
    if (headerHas(header, 'deal_id')) return 'deals';
    return undefined;
  },
  // ISO 8601 only, as the README gives the format: a slash date would be a guess at its order. A
  // time without an offset is UTC, the format's rule.
  parse(role: FileRole, record: CsvRecord, reading?: ExportReading): ParsedRow {
    const source = reading?.source;
    if (role === 'history') return parseHistoryRecord(record, 'iso', undefined, source);
    if (role === 'rates') return parseRateRecord(record, 'iso', source);
    return parseDealRecord(record, 'iso', undefined, source, reading?.currency);
  },
};
