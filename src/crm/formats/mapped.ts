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
import { quote, type SlashDateOrder } from '../values.js';
import { columnKey, duplicateColumn, headerHas } from './cells.js';
import {
  dealColumns,
  historyColumns,
  isRatesHeader,
  parseDealRecord,
  parseHistoryRecord,
  parseRateRecord,
} from './closedloop.js';
import type {
  CsvRecord,
  CsvSource,
  DealFormat,
  ExportReading,
  FileRole,
  ParsedRow,
} from './format.js';

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
      const renamed = Object.fromEntries(
        entries.map(([field, column]) => [field, byKey.get(columnKey(column)) ?? '']),
      );
      return renamed;
    },
    restore(row: ParsedRow): ParsedRow {
      if (row.kind !== 'error') return row;
      const column = columns[row.error.field] ?? row.error.field;
      return { kind: 'error', error: { ...row.error, field: column } };
    },
  };
}

/** The mapped columns the header lacks, each with its mapping key ("deals.amount"). */
function missingColumns(
  header: readonly string[],
  role: 'deals' | 'history',
  columns: Readonly<Partial<Record<string, string>>>,
): [key: string, column: string][] {
  const missing: [string, string][] = [];
  for (const [field, column] of Object.entries(columns)) {
    if (column !== undefined && !headerHas(header, column)) {
      missing.push([`${role}.${field}`, column]);
    }
  }
  return missing;
}

/** Refuses a header that names a mapped column twice: which of the two would be the value? */
function assertOnce(
  header: readonly string[],
  columns: Readonly<Partial<Record<string, string>>>,
  source: CsvSource | undefined,
): void {
  for (const column of Object.values(columns)) {
    if (column === undefined) continue;
    const named = header.filter((name) => columnKey(name) === columnKey(column));
    if (named.length > 1) throw duplicateColumn(source, named[0] ?? column);
  }
}

function headerError(source: CsvSource | undefined, problem: string): ClosedloopError {
  return new ClosedloopError('CL_ERR_CSV_HEADER', `${source?.file ?? 'header'}:1: ${problem}`);
}

const listedColumns = 12;

function listHeader(header: readonly string[]): string {
  const listed = header.slice(0, listedColumns).map(quote);
  return `${listed.join(', ')}${header.length > listedColumns ? ', …' : ''}`;
}

export function createMappedFormat(json: unknown): DealFormat {
  const mapping = parseDealMapping(json);
  const deals = renamer(mapping.deals);
  const history = mapping.history === undefined ? undefined : renamer(mapping.history);
  return {
    name: 'map',
    roleOf(header: readonly string[], source?: CsvSource): FileRole | undefined {
      // Every mapped column must be in the header: a missing one would be read as empty, and a
      // typo in the mapping would import every deal without, say, its amount.
      const historyMap: Readonly<Partial<Record<string, string>>> = mapping.history ?? {};
      const missingHistory = missingColumns(header, 'history', historyMap);
      const missingDeals = missingColumns(header, 'deals', mapping.deals);
      const isHistory = mapping.history !== undefined && missingHistory.length === 0;
      if (isHistory && missingDeals.length === 0) {
        // Read as either, the file would lose what the other role reads from it.
        throw headerError(
          source,
          `the header has every column the mapping names for deals and for history; a file must be one of the two (the header has ${listHeader(header)})`,
        );
      }
      if (isHistory) {
        assertOnce(header, historyMap, source);
        return 'history';
      }
      if (missingDeals.length === 0) {
        assertOnce(header, mapping.deals, source);
        return 'deals';
      }
      if (isRatesHeader(header) && !headerHas(header, mapping.deals.deal_id)) return 'rates';
      const mapped = [mapping.deals.deal_id, ...Object.values(mapping.history ?? {})];
      if (!mapped.some((column) => headerHas(header, column))) return undefined;
      // A file of ours with a column short: name what the role whose columns it has more of
      // lacks (a history file short of its date is no deals file).
      const share = (missing: readonly unknown[], columns: object) =>
        1 - missing.length / Object.keys(columns).length;
      const closer =
        mapping.history !== undefined &&
        share(missingHistory, historyMap) > share(missingDeals, mapping.deals)
          ? missingHistory
          : missingDeals;
      const columns = closer.map(([key, column]) => `${quote(column)} (for ${key})`).join(', ');
      throw headerError(
        source,
        `missing column${closer.length > 1 ? 's' : ''} ${columns}, named in the mapping; the header has ${listHeader(header)}`,
      );
    },
    localTimes: true,
    parse(role: FileRole, record: CsvRecord, reading?: ExportReading): ParsedRow {
      if (role === 'rates') return parseRateRecord(record, mapping.dates, reading?.source);
      const zone = reading?.timeZone;
      if (role === 'history') {
        if (history === undefined) {
          return { kind: 'skip', reason: 'the mapping names no history columns' };
        }
        return history.restore(parseHistoryRecord(history.rename(record), mapping.dates, zone));
      }
      return deals.restore(
        parseDealRecord(deals.rename(record), mapping.dates, zone, undefined, reading?.currency),
      );
    },
  };
}
