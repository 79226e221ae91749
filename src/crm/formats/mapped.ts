/**
 * Any other CSV, by a mapping (`--map FILE.json`) from Closedloop's fields to the file's columns:
 *
 *   {"deals": {"deal_id": "Opportunity #", "amount": "Value", "created_at": "Opened"},
 *    "history": {"deal_id": "Opportunity #", "stage": "Stage", "entered_at": "Changed"},
 *    "dates": "DD/MM/YYYY"}
 *
 * Rows are then read exactly as the closedloop format reads its own columns. Only the mapped
 * columns are read. `dates` says how slash dates are ordered (default MM/DD/YYYY); ISO 8601 dates
 * are always understood.
 */
import { ClosedloopError } from '../../core/errors.js';
import type { SlashDateOrder } from '../values.js';
import { columnKey, headerHas } from './cells.js';
import {
  dealColumns,
  historyColumns,
  isRatesHeader,
  parseDealRecord,
  parseHistoryRecord,
  parseRateRecord,
} from './closedloop.js';
import type { CsvRecord, DealFormat, ExportReading, FileRole, ParsedRow } from './format.js';

type DealField = (typeof dealColumns)[number];
type HistoryField = (typeof historyColumns)[number];

export interface DealMapping {
  readonly deals: Readonly<Partial<Record<DealField, string>>> & { readonly deal_id: string };
  readonly history?: Readonly<Record<HistoryField, string>>;
  readonly dates?: SlashDateOrder;
}

const dateHints: Readonly<Record<string, SlashDateOrder>> = {
  'MM/DD/YYYY': 'month-first',
  'DD/MM/YYYY': 'day-first',
};

function invalid(key: string, problem: string): ClosedloopError {
  return new ClosedloopError('CL_ERR_CONFIG', `${key}: ${problem}`);
}

const describe = (value: unknown) => JSON.stringify(value) ?? String(value);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Field → column name, each field one Closedloop knows and each column a non-empty string. */
function readColumns<Field extends string>(
  key: string,
  value: unknown,
  fields: readonly Field[],
): Partial<Record<Field, string>> {
  if (!isObject(value)) {
    throw invalid(key, `expected an object from fields to column names, got ${describe(value)}`);
  }
  const columns: Partial<Record<Field, string>> = {};
  for (const [field, column] of Object.entries(value)) {
    if (!fields.includes(field as Field)) {
      throw invalid(`${key}.${field}`, `not a field; expected one of ${fields.join(', ')}`);
    }
    if (typeof column !== 'string' || column.trim() === '') {
      throw invalid(`${key}.${field}`, `expected a column name, got ${describe(column)}`);
    }
    columns[field as Field] = column.trim();
  }
  for (const field of fields) {
    if (key === 'history' || field === 'deal_id') {
      if (columns[field] === undefined) {
        throw invalid(`${key}.${field}`, 'missing: name the column that holds it');
      }
    }
  }
  return columns;
}

/** Checks a parsed `--map` JSON document; errors name the mapping key at fault. */
export function parseDealMapping(json: unknown): DealMapping {
  if (!isObject(json)) {
    throw invalid(
      'mapping',
      `expected an object such as {"deals":{"deal_id":"Id"}}, got ${describe(json)}`,
    );
  }
  for (const key of Object.keys(json)) {
    if (!['deals', 'history', 'dates'].includes(key)) {
      throw invalid(key, 'not a mapping key; expected deals, history or dates');
    }
  }
  const deals = readColumns('deals', json.deals, dealColumns) as DealMapping['deals'];
  const history =
    json.history === undefined
      ? undefined
      : (readColumns('history', json.history, historyColumns) as DealMapping['history']);
  let dates: SlashDateOrder | undefined;
  if (json.dates !== undefined) {
    dates = typeof json.dates === 'string' ? dateHints[json.dates] : undefined;
    if (dates === undefined) {
      throw invalid('dates', `expected "MM/DD/YYYY" or "DD/MM/YYYY", got ${describe(json.dates)}`);
    }
  }
  return { deals, history, dates };
}

/**
 * The record under Closedloop's column names, read from the file's mapped columns; and the way
 * back, so that an error names the column the user knows.
 */
function renamer(columns: Readonly<Partial<Record<string, string>>>) {
  const entries = Object.entries(columns).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  return {
    rename(record: CsvRecord): CsvRecord {
      const byKey = new Map(
        Object.entries(record).map(([column, text]) => [columnKey(column), text]),
      );
      return Object.fromEntries(
        entries.map(([field, column]) => [field, byKey.get(columnKey(column)) ?? '']),
      );
    },
    restore(row: ParsedRow): ParsedRow {
      if (row.kind !== 'error') return row;
      const column = columns[row.error.field] ?? row.error.field;
      return { kind: 'error', error: { ...row.error, field: column } };
    },
  };
}

export function createMappedFormat(json: unknown): DealFormat {
  const mapping = parseDealMapping(json);
  const deals = renamer(mapping.deals);
  const history = mapping.history === undefined ? undefined : renamer(mapping.history);
  return {
    name: 'map',
    roleOf(header: readonly string[]): FileRole | undefined {
      if (mapping.history !== undefined && headerHas(header, ...Object.values(mapping.history))) {
        return 'history';
      }
      if (headerHas(header, mapping.deals.deal_id)) return 'deals';
      if (isRatesHeader(header)) return 'rates';
      return undefined;
    },
    localTimes: true,
    parse(role: FileRole, record: CsvRecord, reading?: ExportReading): ParsedRow {
      if (role === 'rates') return parseRateRecord(record, mapping.dates);
      const zone = reading?.timeZone;
      if (role === 'history') {
        if (history === undefined) {
          return { kind: 'skip', reason: 'the mapping names no history columns' };
        }
        return history.restore(parseHistoryRecord(history.rename(record), mapping.dates, zone));
      }
      return deals.restore(parseDealRecord(deals.rename(record), mapping.dates, zone));
    },
  };
}
