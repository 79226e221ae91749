/**
 * Reading one CSV row by column name, for the formats: each read gives the value or nothing, and
 * the first bad cell is kept as the row's error, so a format reads every field and checks once.
 */
import type { Moment } from '../../core/deals.js';
import {
  type Cell,
  cleanText,
  parseChoice,
  parseCurrency,
  parseDecimal,
  parseEmails,
  parseFlag,
  parseMoment,
  parseWholeNumber,
  type SlashDateOrder,
} from '../values.js';
import type { CsvRecord, RowError } from './format.js';

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

export class RowCells {
  readonly #cells = new Map<string, { readonly column: string; readonly text: string }>();
  #error: RowError | undefined;

  /**
   * `timeZone`: where the export's times without an offset were written (undefined: UTC); also
   * the zone whose calendar days the row's quirks compare.
   */
  constructor(
    record: CsvRecord,
    private readonly slashDates: SlashDateOrder = 'month-first',
    readonly timeZone?: string,
  ) {
    for (const [column, text] of Object.entries(record)) {
      this.#cells.set(columnKey(column), { column: column.trim(), text });
    }
  }

  /** The first bad cell of the row, if any. */
  get error(): RowError | undefined {
    return this.#error;
  }

  /** The column as the file spells it, so errors name what the user sees. */
  column(name: string): string {
    return this.#cells.get(columnKey(name))?.column ?? name;
  }

  raw(column: string): string | undefined {
    return this.#cells.get(columnKey(column))?.text;
  }

  text(column: string): string | undefined {
    return cleanText(this.raw(column));
  }

  moment(column: string): Moment | undefined {
    return this.#take(
      parseMoment(this.raw(column), this.column(column), this.slashDates, this.timeZone),
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
