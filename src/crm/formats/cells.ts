/**
 * Reading one CSV row by column name, for the formats: each read gives the value or nothing, and
 * the first bad cell is kept as the row's error, so a format reads every field and checks once.
 */
import type { Moment } from '../../core/deals.js';
import { ClosedloopError } from '../../core/errors.js';
import {
  type Cell,
  cleanText,
  type DateReading,
  parseChoice,
  parseCurrency,
  parseDecimal,
  parseEmails,
  parseFlag,
  parseMoment,
  parseMoney,
  parseWholeNumber,
  quote,
} from '../values.js';
import type { CsvRecord, CsvSource, ExportReading, RowError } from './format.js';

/** Column names are matched in any case, with surrounding spaces and a byte order mark ignored. */
export function columnKey(column: string): string {
  return column
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase();
}

export function headerHas(header: readonly string[], ...columns: string[]): boolean {
  const keys = new Set(header.map(columnKey));
  return columns.every((column) => keys.has(columnKey(column)));
}

/** A header naming a column twice: which of the two is the value? Neither is guessed at. */
export function duplicateColumn(source: CsvSource | undefined, column: string): ClosedloopError {
  return new ClosedloopError(
    'CL_ERR_CSV_HEADER',
    `${source?.file ?? 'header'}:1: column ${quote(column)} appears twice`,
  );
}

export class RowCells {
  readonly #cells = new Map<string, { readonly column: string; readonly text: string }>();
  readonly #source: CsvSource | undefined;
  #error: RowError | undefined;

  /**
   * `dates`: how date cells are read (default: slash dates month first, as US exports write
   * them); `timeZone`: where the export's times without an offset were written (undefined: UTC),
   * also the zone whose calendar days the row's quirks compare; `blankCurrency`: the currency a
   * blank currency cell stands for (the workspace's).
   */
  constructor(
    record: CsvRecord,
    private readonly dates: DateReading = 'month-first',
    readonly timeZone?: string,
    source?: CsvSource,
    private readonly blankCurrency?: string,
  ) {
    for (const [column, text] of Object.entries(record)) {
      // A duplicate keeps the first spelling, which the refusal names (see `#cell`).
      const first = this.#cells.get(columnKey(column))?.column;
      this.#cells.set(columnKey(column), { column: first ?? column.trim(), text });
    }
    this.#source = source;
  }

  /**
   * The cell of a column, refusing the file when its header names that column twice; a
   * duplicate of a column no format reads is left alone.
   */
  #cell(column: string): { readonly column: string; readonly text: string } | undefined {
    const key = columnKey(column);
    const cell = this.#cells.get(key);
    if (this.#source?.duplicates.has(key) === true) {
      throw duplicateColumn(this.#source, cell?.column ?? column.trim());
    }
    return cell;
  }

  /** The first bad cell of the row, if any. */
  get error(): RowError | undefined {
    return this.#error;
  }

  /** The column as the file spells it, so errors name what the user sees. */
  column(name: string): string {
    return this.#cell(name)?.column ?? name;
  }

  raw(column: string): string | undefined {
    return this.#cell(column)?.text;
  }

  text(column: string): string | undefined {
    return cleanText(this.raw(column));
  }

  moment(column: string): Moment | undefined {
    return this.#take(
      parseMoment(this.raw(column), this.column(column), this.dates, this.timeZone),
    );
  }

  decimal(column: string): string | undefined {
    return this.#take(parseDecimal(this.raw(column), this.column(column)));
  }

  wholeNumber(column: string): number | undefined {
    return this.#take(parseWholeNumber(this.raw(column), this.column(column)));
  }

  currency(column: string): string | undefined {
    return this.#take(parseCurrency(this.raw(column), this.column(column)));
  }

  /** An amount with its currency, read together so that a sign such as € is checked (see `parseMoney`). */
  money(amountColumn: string, currencyColumn: string): { amount?: string; currency?: string } {
    return (
      this.#take(
        parseMoney(
          this.raw(amountColumn),
          this.column(amountColumn),
          this.raw(currencyColumn),
          this.column(currencyColumn),
          this.blankCurrency,
        ),
      ) ?? {}
    );
  }

  /** An amount in a currency the format fixes (Maven's USD): a sign of another is refused. */
  amountIn(amountColumn: string, currency: string): string | undefined {
    return this.#take(parseMoney(this.raw(amountColumn), this.column(amountColumn), currency, ''))
      ?.amount;
  }

  flag(column: string): boolean | undefined {
    return this.#take(parseFlag(this.raw(column), this.column(column)));
  }

  emails(column: string): readonly string[] | undefined {
    return this.#take(parseEmails(this.raw(column), this.column(column)));
  }

  choice<const T extends string>(column: string, choices: readonly T[]): T | undefined {
    return this.#take(parseChoice(this.raw(column), this.column(column), choices));
  }

  /** Records a problem found beyond a single cell's shape (a probability over 100). */
  reject(column: string, message: string): undefined {
    this.#error ??= { field: this.column(column), message };
    return undefined;
  }

  /** A required text cell: its value, or the row's error when it is empty. */
  required(column: string, what: string): string {
    const value = this.text(column);
    if (value === undefined) this.reject(column, `expected ${what}, got an empty field`);
    return value ?? '';
  }

  /** A date the row cannot do without; when it is empty the row is rejected, so NaN never leaves it. */
  requiredMoment(column: string): Moment {
    const moment = this.moment(column);
    if (moment !== undefined) return moment;
    this.required(column, 'an ISO 8601 date such as 2027-03-01');
    return { at: Number.NaN, dateOnly: true };
  }

  #take<T>(cell: Cell<T>): T | undefined {
    if (cell.error !== undefined) this.#error ??= cell.error;
    return cell.value;
  }
}

/**
 * The cells of a row of an export that writes local times and US slash dates (HubSpot,
 * Pipedrive), read as `reading` says: its zone, its file and what a blank currency stands for.
 */
export function exportCells(record: CsvRecord, reading: ExportReading | undefined): RowCells {
  return new RowCells(record, 'month-first', reading?.timeZone, reading?.source, reading?.currency);
}
