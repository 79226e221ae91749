import { statSync } from 'node:fs';
import { ClosedloopError } from '../../core/errors.js';
import {
  type CsvRecord,
  CsvSyntaxError,
  detectDelimiter,
  readFirstLine,
  scanCsvFile,
} from './csv-scanner.js';

/** Column positions by canonical name, found in a header row (case and spaces ignored). */
export type ColumnIndex<Name extends string> = Record<Name, number>;

export interface ColumnSpec<Name extends string> {
  readonly required: readonly Name[];
  readonly optional: readonly Name[];
  /** Canonical name → the header the file uses instead (`--map`). */
  readonly rename?: Readonly<Partial<Record<Name, string>>>;
}

const normalize = (name: string) => name.trim().toLowerCase();

/** Text from the file as messages quote it: JSON-escaped, so a line break keeps errors one line. */
/** Text as error messages quote it: JSON-escaped, so a line break keeps errors one line. */
export const quoted = (text: string) => JSON.stringify(text);

export function indexColumns<Name extends string>(
  file: string,
  header: CsvRecord,
  spec: ColumnSpec<Name>,
): ColumnIndex<Name> {
  const headers = Array.from({ length: header.count }, (_, i) => normalize(header.text(i)));
  const index = {} as ColumnIndex<Name>;
  for (const name of [...spec.required, ...spec.optional]) {
    const wanted = normalize(spec.rename?.[name] ?? name);
    index[name] = headers.indexOf(wanted);
    // Two columns of the name: either could be the value, so neither is taken.
    if (index[name] !== -1 && headers.indexOf(wanted, index[name] + 1) !== -1) {
      throw new ClosedloopError(
        'CL_ERR_CSV_HEADER',
        `${file}:1: column ${quoted(header.text(index[name]).trim())} appears twice`,
      );
    }
  }
  // A column the user named in --map is wanted even when optional: a typo would read as empty.
  const missing = [...spec.required, ...spec.optional].filter(
    (name) =>
      index[name] === -1 && (spec.required.includes(name) || spec.rename?.[name] !== undefined),
  );
  if (missing.length > 0) {
    const described = missing.map((name) => {
      const header = spec.rename?.[name];
      return header === undefined ? quoted(name) : `${quoted(header)} (for ${name})`;
    });
    throw new ClosedloopError(
      'CL_ERR_CSV_HEADER',
      `${file}:1: missing column ${described.join(', ')}; the header has ${headers.map(quoted).join(', ')}`,
    );
  }
  return index;
}

/**
 * Scans a CSV file with a header row: the delimiter is detected from the header, the columns
 * indexed, and each data record handed over with the index. Syntax errors name file and line.
 */
export function scanCsvWithHeader<Name extends string>(
  file: string,
  spec: ColumnSpec<Name>,
  onRow: (record: CsvRecord, columns: ColumnIndex<Name>) => void,
): void {
  assertReadableFile(file);
  const delimiter = detectDelimiter(readFirstLine(file));
  let columns: ColumnIndex<Name> | undefined;
  let headerFields = 0;
  try {
    scanCsvFile(file, delimiter, (record) => {
      if (columns === undefined) {
        columns = indexColumns(file, record, spec);
        headerFields = record.count;
        return;
      }
      // An extra field (an unquoted `1,250.00`) shifts the columns: the row would be misread.
      if (record.count > headerFields) {
        throw new ClosedloopError(
          'CL_ERR_CSV_SYNTAX',
          `${file}:${record.line}: expected ${headerFields} fields as in the header, got ${record.count}`,
        );
      }
      onRow(record, columns);
    });
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      throw new ClosedloopError('CL_ERR_CSV_SYNTAX', `${file}:${error.line}: ${error.message}`);
    }
    throw error;
  }
  if (columns === undefined) {
    throw new ClosedloopError(
      'CL_ERR_CSV_HEADER',
      `${file}: the file is empty; expected a header row`,
    );
  }
}

export function fieldError(
  file: string,
  line: number,
  field: string,
  problem: string,
): ClosedloopError {
  return new ClosedloopError('CL_ERR_CSV_FIELD', `${file}:${line}: ${field}: ${problem}`);
}

/** A numeric field, checked: empty reads as `empty` when given, else it is an error. */
export function readNumber(
  file: string,
  record: CsvRecord,
  column: number,
  field: string,
  options: { empty?: number; min?: number } = {},
): number {
  if (column === -1 || record.isEmpty(column)) {
    if (options.empty !== undefined) return options.empty;
    throw fieldError(file, record.line, field, 'expected a number, got an empty field');
  }
  const value = record.number(column);
  // Past 2^53 a count is no longer exact, and a few such rows summed overflow to Infinity.
  if (Number.isFinite(value) && Math.abs(value) > Number.MAX_SAFE_INTEGER) {
    throw fieldError(
      file,
      record.line,
      field,
      `expected a number up to ${Number.MAX_SAFE_INTEGER.toLocaleString('en')}, got ${quoted(record.text(column))}`,
    );
  }
  if (!Number.isFinite(value) || (options.min !== undefined && value < options.min)) {
    const expected = options.min === undefined ? 'a number' : `a number ≥ ${options.min}`;
    throw fieldError(
      file,
      record.line,
      field,
      `expected ${expected}, got ${quoted(record.text(column))}`,
    );
  }
  return value;
}

export function assertReadableFile(file: string): void {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ClosedloopError('CL_ERR_FILE_NOT_FOUND', `${file}: no such file`);
    }
    throw new ClosedloopError(
      'CL_ERR_FILE_READ',
      `${file}: cannot read (${code ?? String(error)})`,
    );
  }
  // A folder or a device where a file belongs is a mistake in the command, as `import` says too.
  if (stat.isDirectory()) {
    throw new ClosedloopError('CL_ERR_USAGE', `${file}: is a directory; expected a file`);
  }
  if (!stat.isFile()) {
    throw new ClosedloopError('CL_ERR_USAGE', `${file}: is not a regular file; expected a file`);
  }
}
