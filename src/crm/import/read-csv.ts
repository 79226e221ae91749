import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { ClosedloopError } from '../../core/errors.js';
import type { CsvRecord } from '../formats/format.js';

export interface CsvFile {
  readonly path: string;
  readonly name: string;
  readonly bytes: number;
  /** As given by `--encoding`, or detected from the first bytes. */
  readonly encoding: string;
  readonly header: readonly string[];
  /** Rows keyed by header column, with the 1-based line each starts on. */
  readonly rows: AsyncIterable<{ readonly line: number; readonly record: CsvRecord }>;
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
 * Opens a CSV export for streaming: the header is read first (so the importer can tell the file's
 * role), rows follow lazily. `onBytes` reports progress through the file in bytes.
 */
export async function openCsv(
  path: string,
  options: { readonly encoding?: string; readonly onBytes?: (bytes: number) => void } = {},
): Promise<CsvFile> {
  let bytes: number;
  let head: Buffer;
  try {
    bytes = statSync(path).size;
    head = readHead(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw code === 'ENOENT'
      ? new ClosedloopError('CL_ERR_FILE_NOT_FOUND', `${path}: no such file`)
      : new ClosedloopError('CL_ERR_FILE_READ', `${path}: ${(error as Error).message}`);
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
  const parser = stream.pipe(iconv.decodeStream(encoding)).pipe(
    parse({
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: false,
    }),
  );
  const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<{
    record: string[];
    info: { lines: number };
  }>;
  const name = basename(path);
  const first = await nextRow(iterator, name);
  if (first === undefined) {
    stream.destroy();
    throw new ClosedloopError(
      'CL_ERR_CSV_HEADER',
      `${name}: the file is empty; expected a header row`,
    );
  }
  const header = first.record.map((column) => column.trim());
  return { path, name, bytes, encoding, header, rows: records(iterator, header, name) };
}

async function nextRow(
  iterator: AsyncIterator<{ record: string[]; info: { lines: number } }>,
  name: string,
): Promise<{ record: string[]; info: { lines: number } } | undefined> {
  try {
    const next = await iterator.next();
    return next.done === true ? undefined : next.value;
  } catch (error) {
    throw new ClosedloopError('CL_ERR_CSV_SYNTAX', `${name}: ${(error as Error).message}`);
  }
}

async function* records(
  iterator: AsyncIterator<{ record: string[]; info: { lines: number } }>,
  header: readonly string[],
  name: string,
): AsyncIterable<{ line: number; record: CsvRecord }> {
  for (;;) {
    const row = await nextRow(iterator, name);
    if (row === undefined) return;
    const record: Record<string, string> = {};
    for (const [i, column] of header.entries()) record[column] = row.record[i] ?? '';
    // csv-parse counts the lines read so far; a record's line is where it ends for one-line rows.
    yield { line: row.info.lines, record };
  }
}
