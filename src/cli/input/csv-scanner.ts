import { isUtf8 } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';

const quote = 0x22;
const newline = 0x0a;
const carriageReturn = 0x0d;
const chunkBytes = 1 << 22;

/**
 * One CSV record, reused from row to row: fields are byte ranges of the current buffer, decoded
 * only when asked. Reading big path files this way allocates nothing per number, which is what
 * lets `attribute` stay within a small factor of merely splitting the file into lines.
 */
export class CsvRecord {
  buffer: Buffer = Buffer.alloc(0);
  /** 1-based line on which the record starts. */
  line = 0;
  count = 0;
  starts: number[] = [];
  ends: number[] = [];
  quoted: boolean[] = [];

  text(field: number): string {
    if (field >= this.count) return '';
    const start = this.starts[field];
    const end = this.ends[field];
    const raw = this.buffer.toString('utf8', start, end);
    // Bytes that are not UTF-8 decode to U+FFFD: refused, not passed on as a damaged name.
    if (raw.includes('\uFFFD') && !isUtf8(this.buffer.subarray(start, end))) {
      throw new CsvSyntaxError(this.line, notUtf8);
    }
    return this.quoted[field] ? raw.replaceAll('""', '"') : raw;
  }

  isEmpty(field: number): boolean {
    return field >= this.count || this.starts[field] === this.ends[field];
  }

  /**
   * The field as a number, or NaN when it is not a decimal (exponents allowed: `1.5e3`). Not
   * whatever `Number` reads: `0x10`, `0b11` and `Infinity` are no counts or values in a CSV.
   */
  number(field: number): number {
    if (field >= this.count) return Number.NaN;
    const fast = parsePlainDecimal(this.buffer, this.starts[field], this.ends[field]);
    if (!Number.isNaN(fast)) return fast;
    const text = this.text(field).trim();
    return decimalPattern.test(text) ? Number(text) : Number.NaN;
  }
}

const decimalPattern = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

const powersOfTen = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * `-12.345` style numbers with at most 15 significant digits: the digits form an exact integer
 * and one division by an exact power of ten rounds once, so the result equals `Number(text)`.
 */
function parsePlainDecimal(buffer: Buffer, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (i < end && buffer[i] === 0x2d) {
    negative = true;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let decimals = 0;
  let seenPoint = false;
  for (; i < end; i++) {
    const byte = buffer[i];
    if (byte >= 0x30 && byte <= 0x39) {
      mantissa = mantissa * 10 + (byte - 0x30);
      digits++;
      if (seenPoint) decimals++;
    } else if (byte === 0x2e && !seenPoint) {
      seenPoint = true;
    } else {
      return Number.NaN;
    }
  }
  if (digits === 0 || digits > 15 || decimals > 22) return Number.NaN;
  const value = mantissa / powersOfTen[decimals];
  return negative ? -value : value;
}

/** Input files are UTF-8; anything else is refused with this, beside the line. */
export const notUtf8 = 'not UTF-8 text; save the file as UTF-8';

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Calls `onRecord` for each record of the file, streaming it in chunks (RFC 4180: quoted fields
 * may hold delimiters, doubled quotes and line breaks; CRLF or LF line ends; a UTF-8 BOM is
 * skipped). Blank lines are skipped, except after a header (the first record) of one column:
 * there a blank line is a record with one empty field, so that rows keep lining up with the
 * input's (`channels classify` prints one row per row read).
 */
export function scanCsvFile(
  path: string,
  delimiter: number,
  onRecord: (record: CsvRecord) => void,
): void {
  const fd = openSync(path, 'r');
  try {
    const record = new CsvRecord();
    let pending: Buffer = Buffer.alloc(0);
    let line = 1;
    let first = true;
    let headerWidth = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(chunkBytes);
      const read = readSync(fd, chunk, 0, chunkBytes, null);
      const atEnd = read === 0;
      let buffer =
        pending.length > 0
          ? Buffer.concat([pending, chunk.subarray(0, read)])
          : chunk.subarray(0, read);
      if (
        first &&
        buffer.length >= 3 &&
        buffer[0] === 0xef &&
        buffer[1] === 0xbb &&
        buffer[2] === 0xbf
      ) {
        buffer = buffer.subarray(3);
      }
      first = false;
      const scanned = scanRecords(buffer, delimiter, atEnd, line, headerWidth, record, onRecord);
      line = scanned.line;
      headerWidth = scanned.headerWidth;
      pending = Buffer.from(buffer.subarray(scanned.consumed));
      if (atEnd) return;
    }
  } finally {
    closeSync(fd);
  }
}

function scanRecords(
  buffer: Buffer,
  delimiter: number,
  atEnd: boolean,
  startLine: number,
  startHeaderWidth: number,
  record: CsvRecord,
  onRecord: (record: CsvRecord) => void,
): { consumed: number; line: number; headerWidth: number } {
  const length = buffer.length;
  let position = 0;
  let line = startLine;
  // Fields in the first record handed over; 0 until then.
  let headerWidth = startHeaderWidth;
  record.buffer = buffer;
  while (position < length) {
    const recordStart = position;
    const recordLine = line;
    let count = 0;
    let i = position;
    let complete = false;
    for (;;) {
      // One field starting at i.
      let start = i;
      let end: number;
      let quoted = false;
      if (i < length && buffer[i] === quote) {
        quoted = true;
        start = i + 1;
        let j = start;
        for (;;) {
          j = buffer.indexOf(quote, j);
          if (j === -1) break;
          if (j + 1 < length && buffer[j + 1] === quote) {
            j += 2;
            continue;
          }
          if (j + 1 === length && !atEnd) j = -1;
          break;
        }
        if (j === -1) {
          if (!atEnd) return { consumed: recordStart, line: recordLine, headerWidth };
          throw new CsvSyntaxError(recordLine, 'a quoted field is never closed');
        }
        for (let k = start; k < j; k++) if (buffer[k] === newline) line++;
        end = j;
        i = j + 1;
        if (
          i < length &&
          buffer[i] !== delimiter &&
          buffer[i] !== newline &&
          buffer[i] !== carriageReturn
        ) {
          throw new CsvSyntaxError(line, 'a closing quote is followed by other characters');
        }
      } else {
        while (i < length) {
          const byte = buffer[i];
          if (byte === delimiter || byte === newline || byte === carriageReturn) break;
          i++;
        }
        end = i;
      }
      if (count === record.starts.length) {
        record.starts.push(0);
        record.ends.push(0);
        record.quoted.push(false);
      }
      record.starts[count] = start;
      record.ends[count] = end;
      record.quoted[count] = quoted;
      count++;
      if (i >= length) {
        if (!atEnd) return { consumed: recordStart, line: recordLine, headerWidth };
        complete = true;
        break;
      }
      const byte = buffer[i];
      if (byte === delimiter) {
        i++;
        continue;
      }
      // Line end: CRLF, LF or a lone CR. A CR at the buffer's edge may be half of a CRLF.
      if (byte === carriageReturn) {
        if (i + 1 >= length && !atEnd) {
          return { consumed: recordStart, line: recordLine, headerWidth };
        }
        i += i + 1 < length && buffer[i + 1] === newline ? 2 : 1;
      } else {
        i++;
      }
      line++;
      complete = true;
      break;
    }
    position = i;
    if (!complete) break;
    const blank = count === 1 && record.starts[0] === record.ends[0] && !record.quoted[0];
    // In a one-column file a blank line is an empty value, not a gap between records.
    if (blank && headerWidth !== 1) continue;
    if (headerWidth === 0) headerWidth = count;
    record.count = count;
    record.line = recordLine;
    onRecord(record);
  }
  return { consumed: position, line, headerWidth };
}

/** The delimiter a header line uses: the most frequent of `;`, `,` and tab outside quotes. */
export function detectDelimiter(headerLine: string): number {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let inQuotes = false;
  for (const char of headerLine) {
    if (char === '"') inQuotes = !inQuotes;
    else if (!inQuotes && counts.has(char)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best = ',';
  for (const [char, count] of counts) if (count > (counts.get(best) ?? 0)) best = char;
  return best.charCodeAt(0);
}

/** The first line of a file, without reading the rest. */
export function readFirstLine(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(65536);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    let text = buffer.toString('utf8', 0, read);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const end = text.search(/\r|\n/);
    return end === -1 ? text : text.slice(0, end);
  } finally {
    closeSync(fd);
  }
}
