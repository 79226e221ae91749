import { isUtf8 } from 'node:buffer';
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { ClosedloopError, isClosedloopError } from '../../core/errors.js';
import { columnKey } from '../formats/cells.js';
import type { CsvRecord, CsvSource, RowError } from '../formats/format.js';

export interface CsvRow {
  readonly line: number;
  readonly record: CsvRecord;
  readonly problem?: RowError;
}

export interface CsvFile {
  readonly path: string;
  readonly name: string;
  readonly bytes: number;
  /** As given by `--encoding`, or detected from the first bytes. */
  readonly encoding: string;
  readonly header: readonly string[];
  /** The file's name and the columns its header names twice, for the formats. */
  readonly source: CsvSource;
  /**
   * Rows keyed by header column, with the 1-based line each starts on; `problem` when the row
   * cannot be keyed exactly (it is rejected, not read).
   */
  readonly rows: AsyncIterable<CsvRow>;
  /** Stops reading (and closes the file) when the rows are not wanted. */
  close(): void;
}

const sniffBytes = 1 << 16;

/**
 * The encoding of an export: a byte-order mark says it; else text that decodes as UTF-8 is UTF-8;
 * else it is taken as Windows-1252, the Latin-1 superset spreadsheet tools on Windows write.
 */
export function detectEncoding(head: Buffer): string {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  // A multi-byte character cut by the end of the sample is not an error: drop up to 3 bytes.
  for (let cut = 0; cut <= Math.min(3, head.length); cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, head.length - cut));
      return 'utf-8';
    } catch {
      if (head.length < sniffBytes) break;
    }
  }
  return 'windows-1252';
}

const utf8Names = /^utf-?8$/i;

/**
 * UTF-8 that refuses bytes that are not UTF-8. A lenient decoder would put U+FFFD in their place
 * (a Windows-1252 "é" past the sampled head, say) and the import would store the damaged text
 * without a word; this one stops the import with the line of the first such byte.
 */
function strictUtf8(path: string, name: string, told: boolean): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const refusal = () =>
    new ClosedloopError(
      'CL_ERR_CSV_SYNTAX',
      `${name}:${lineOfFirstNonUtf8(path)}: not UTF-8 text${told ? ', as --encoding says' : ' (judged from the first 64 KB)'}; give the file's encoding, e.g. --encoding windows-1252`,
    );
  // Decodes what came (all that is left, at the end) and passes it on, or refuses it.
  const pass = (done: TransformCallback, bytes?: Buffer) => {
    let text: string;
    try {
      text = bytes === undefined ? decoder.decode() : decoder.decode(bytes, { stream: true });
    } catch {
      done(refusal());
      return;
    }
    done(null, text === '' ? undefined : text);
  };
  return new Transform({
    transform: (chunk: Buffer, _encoding, done) => pass(done, chunk),
    flush: (done) => pass(done),
  });
}

/** The 1-based line holding the first bytes that are not UTF-8 (a failure's path: read again). */
function lineOfFirstNonUtf8(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    let line = 1;
    let position = 0;
    let partial = Buffer.alloc(0);
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, position);
      position += read;
      const bytes = Buffer.concat([partial, chunk.subarray(0, read)]);
      let start = 0;
      for (let i = 0; i < bytes.length; i++) {
        const byte = bytes[i];
        if (byte !== 0x0a && byte !== 0x0d) continue;
        // A \r at the end of what was read may be half of a \r\n: wait for the next read.
        if (byte === 0x0d && i === bytes.length - 1 && read > 0) break;
        if (!isUtf8(bytes.subarray(start, i))) return line;
        if (byte === 0x0d && bytes[i + 1] === 0x0a) i++;
        line++;
        start = i + 1;
      }
      partial = bytes.subarray(start);
      if (read === 0) return line;
    }
  } finally {
    closeSync(fd);
  }
}

function readHead(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(sniffBytes);
    return buffer.subarray(0, readSync(fd, buffer, 0, sniffBytes, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * Where the lines of the decoded text break, by UTF-8 byte offset (as csv-parse counts `bytes`),
 * so that each record gets the line it starts on. csv-parse's own `info.lines` counts a CRLF inside
 * a quoted field as two lines and an empty line before a record as part of it; exports from
 * Salesforce write CRLF and multi-line descriptions, so the count is kept here instead.
 */
class LineBreaks {
  /** [start, end) of each break not yet passed, in order. */
  #breaks: number[] = [];
  #head = 0;
  #passed = 0;
  #offset = 0;
  #pendingCr = -1;

  /** Passes the text on as UTF-8 bytes, noting its line breaks (\r\n, \n or a lone \r). */
  readonly tap = new Transform({
    decodeStrings: false,
    transform: (chunk: string | Buffer, _encoding, done) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      this.#note(bytes);
      done(null, bytes);
    },
    flush: (done) => {
      this.#endPendingCr();
      done();
    },
  });

  #note(bytes: Buffer): void {
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i];
      if (byte !== 0x0a && byte !== 0x0d) {
        if (this.#pendingCr >= 0) this.#endPendingCr();
        continue;
      }
      const at = this.#offset + i;
      if (byte === 0x0a) {
        const crlf = this.#pendingCr === at - 1;
        this.#breaks.push(crlf ? at - 1 : at, at + 1);
        this.#pendingCr = -1;
      } else {
        if (this.#pendingCr >= 0) this.#endPendingCr();
        this.#pendingCr = at;
      }
    }
    this.#offset += bytes.length;
  }

  #endPendingCr(): void {
    if (this.#pendingCr < 0) return;
    this.#breaks.push(this.#pendingCr, this.#pendingCr + 1);
    this.#pendingCr = -1;
  }

  /**
   * The 1-based line of the record that begins at `offset` (the end of the previous one), after
   * the empty lines csv-parse skips. Offsets must come in increasing order.
   */
  lineAt(offset: number): number {
    let start = offset;
    const breaks = this.#breaks;
    while (this.#head < breaks.length && (breaks[this.#head + 1] as number) <= start) {
      this.#head += 2;
      this.#passed++;
    }
    // Empty lines before the record: a break right where it would start.
    while (this.#head < breaks.length && breaks[this.#head] === start) {
      start = breaks[this.#head + 1] as number;
      this.#head += 2;
      this.#passed++;
    }
    if (this.#head > 8192) {
      this.#breaks = breaks.slice(this.#head);
      this.#head = 0;
    }
    return this.#passed + 1;
  }
}

type ParsedRecord = { record: string[]; info: { bytes: number } };

/**
 * Opens a CSV export for streaming: the header is read first (so the importer can tell the file's
 * role), rows follow lazily. `onBytes` reports progress through the file in bytes.
 */
/** The size of a file to import, or the error a user should see: missing, a folder, unreadable. */
export function csvFileSize(path: string): number {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw code === 'ENOENT'
      ? new ClosedloopError('CL_ERR_FILE_NOT_FOUND', `${path}: no such file`)
      : new ClosedloopError('CL_ERR_FILE_READ', `${path}: ${(error as Error).message}`);
  }
  if (stat.isDirectory()) {
    throw new ClosedloopError('CL_ERR_USAGE', `${path}: is a directory; expected a CSV file`);
  }
  return stat.size;
}

export async function openCsv(
  path: string,
  options: { readonly encoding?: string; readonly onBytes?: (bytes: number) => void } = {},
): Promise<CsvFile> {
  const bytes = csvFileSize(path);
  let head: Buffer;
  try {
    head = readHead(path);
  } catch (error) {
    throw new ClosedloopError('CL_ERR_FILE_READ', `${path}: ${(error as Error).message}`);
  }
  const encoding = options.encoding ?? detectEncoding(head);
  if (!iconv.encodingExists(encoding)) {
    throw new ClosedloopError(
      'CL_ERR_USAGE',
      `--encoding: expected an encoding such as utf-8, latin1 or windows-1252, got "${encoding}"`,
    );
  }
  const stream = createReadStream(path);
  let read = 0;
  stream.on('data', (chunk) => {
    read += chunk.length;
    options.onBytes?.(read);
  });
  const lines = new LineBreaks();
  const parser = parse({
    bom: true,
    info: true,
    // Any line end, even mixed in one file (csv-parse would otherwise take the first it meets).
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    skip_empty_lines: true,
    trim: false,
  });
  // pipeline() hands a read or decode failure on to the parser, so the rows' reader sees it.
  const name = basename(path);
  const decoder = utf8Names.test(encoding)
    ? strictUtf8(path, name, options.encoding !== undefined)
    : iconv.decodeStream(encoding);
  pipeline(stream, decoder, lines.tap, parser, () => {});
  const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<ParsedRecord>;
  const reader = { iterator, lines, name, end: 0, stop: () => parser.destroy() };
  const first = await nextRow(reader);
  if (first === undefined) {
    reader.stop();
    throw new ClosedloopError(
      'CL_ERR_CSV_HEADER',
      `${name}: the file is empty; expected a header row`,
    );
  }
  const header = first.record.map((column) => column.trim());
  return {
    path,
    name,
    bytes,
    encoding,
    header,
    source: { file: name, duplicates: duplicateKeys(header) },
    rows: records(reader, header),
    close: reader.stop,
  };
}

interface Reader {
  readonly iterator: AsyncIterator<ParsedRecord>;
  readonly lines: LineBreaks;
  readonly name: string;
  /** Byte offset where the last record read ended. */
  end: number;
  readonly stop: () => void;
}

/** The next record and the line it starts on; a malformed one is an error naming that line. */
async function nextRow(reader: Reader): Promise<{ record: string[]; line: number } | undefined> {
  let next: IteratorResult<ParsedRecord>;
  try {
    next = await reader.iterator.next();
  } catch (error) {
    reader.stop();
    if (isClosedloopError(error)) throw error;
    // csv-parse reads ahead of the records handed out: the error's own offset (where its record's
    // last good field ended) places it, not the end of the last record read.
    const at = (error as { bytes?: unknown }).bytes;
    const line = reader.lines.lineAt(
      typeof at === 'number' ? Math.max(at, reader.end) : reader.end,
    );
    const message = (error as Error).message.replace(/\s+at line \d+/, '');
    throw new ClosedloopError('CL_ERR_CSV_SYNTAX', `${reader.name}:${line}: ${message}`);
  }
  if (next.done === true) return undefined;
  const line = reader.lines.lineAt(reader.end);
  reader.end = next.value.info.bytes;
  return { record: next.value.record, line };
}

async function* records(reader: Reader, header: readonly string[]): AsyncIterable<CsvRow> {
  try {
    for (;;) {
      const row = await nextRow(reader);
      if (row === undefined) return;
      const record: Record<string, string> = {};
      for (const [i, column] of header.entries()) record[column] = row.record[i] ?? '';
      // Cells past the header belong to no column: a value with an unquoted comma ("1,054")
      // would lose its tail. Empty ones are the trailing commas exports write, and are dropped.
      const extra = row.record.slice(header.length);
      if (extra.some((cell) => cell.trim() !== '')) {
        const message = `${row.record.length} fields, the header has ${header.length}`;
        yield { line: row.line, record, problem: { field: 'row', message } };
      } else yield { line: row.line, record };
    }
  } finally {
    // A reader that stops early (--strict on a bad row) lets go of the file.
    reader.stop();
  }
}

/** Column keys the header names more than once (blank names, which no format reads, aside). */
function duplicateKeys(header: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const key of header.map(columnKey)) {
    if (key === '') continue;
    if (seen.has(key)) duplicates.add(key);
    seen.add(key);
  }
  return duplicates;
}
