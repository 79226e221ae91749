import { type JourneyBatch, JourneyBatchBuilder } from '../../core/journey-batch.js';
import { fieldError, quoted, readNumber, scanCsvWithHeader } from './csv-columns.js';
import { CsvSyntaxError, notUtf8 } from './csv-scanner.js';
import { ChannelBytes, PathTrie, splitPath } from './path-trie.js';

export interface PathsInput {
  readonly batch: JourneyBatch;
  /** Distinct paths, duplicate path strings merged. */
  readonly paths: number;
  readonly rows: number;
}

const columns = {
  required: ['path', 'total_conversions'] as const,
  optional: ['total_conversion_value', 'total_null'] as const,
};

/**
 * Reads a path-level CSV as ChannelAttribution uses it: `path;total_conversions;
 * total_conversion_value;total_null`, `;` or `,` delimited, channels separated by `separator`
 * with optional spaces around. Rows with the same channels in the same order are summed into one
 * journey ("a>b" and "a > b" alike).
 */
export function readPathsFile(file: string, separator = '>'): PathsInput {
  const builder = new JourneyBatchBuilder();
  const channelBytes = new ChannelBytes(builder.dictionaries.channels);
  const trie = new PathTrie();
  const separatorBytes = Buffer.from(separator, 'utf8');
  const ids: number[] = [];
  let rows = 0;
  let node = PathTrie.root;
  let buffer: Buffer = Buffer.alloc(0);
  let line = 0;
  const onName = (nameStart: number, nameEnd: number) => {
    const id = channelBytes.idOf(buffer, nameStart, nameEnd);
    if (id === -1) throw new CsvSyntaxError(line, notUtf8);
    ids.push(id);
    node = trie.child(node, id);
  };
  scanCsvWithHeader(file, columns, (record, column) => {
    rows++;
    line = record.line;
    const field = column.path;
    // Quoted paths are rare: unescape them into a buffer of their own.
    buffer = record.quoted[field] ? Buffer.from(record.text(field), 'utf8') : record.buffer;
    const start = record.quoted[field] ? 0 : record.starts[field];
    const end = record.quoted[field] ? buffer.length : record.ends[field];
    node = PathTrie.root;
    ids.length = 0;
    const wellFormed = splitPath(buffer, start, end, separatorBytes, onName);
    if (!wellFormed) {
      throw fieldError(
        file,
        record.line,
        'path',
        `expected channels separated by ${quoted(separator)}, got ${quoted(record.text(field))}`,
      );
    }
    let journey = trie.journeyAt(node);
    if (journey === -1) {
      for (const id of ids) builder.addTouch(id);
      journey = builder.endJourney(0, 0, 0);
      trie.setJourney(node, journey);
    }
    builder.addOutcome(
      journey,
      readNumber(file, record, column.total_conversions, 'total_conversions', { min: 0 }),
      readNumber(file, record, column.total_conversion_value, 'total_conversion_value', {
        empty: 0,
        // Negative value would be credited to channels as negative revenue.
        min: 0,
      }),
      readNumber(file, record, column.total_null, 'total_null', { empty: 0, min: 0 }),
    );
  });
  return { batch: builder.build(), paths: builder.journeyCount, rows };
}
