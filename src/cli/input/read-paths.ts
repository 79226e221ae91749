import { type JourneyBatch, JourneyBatchBuilder } from '../../core/journey-batch.js';
import { fieldError, readNumber, scanCsvWithHeader } from './csv-columns.js';

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
 * with optional spaces around. Rows with the same path are summed into one journey.
 */
export function readPathsFile(file: string, separator = '>'): PathsInput {
  const builder = new JourneyBatchBuilder();
  const channels = builder.dictionaries.channels;
  // Raw path text → journey, so that a repeated path costs one lookup; then channel ids → journey,
  // so that "a>b" and "a > b" are one path.
  const byText = new Map<string, number>();
  const byChannels = new Map<string, number>();
  let rows = 0;
  scanCsvWithHeader(file, columns, (record, column) => {
    rows++;
    const text = record.text(column.path);
    let journey = byText.get(text);
    if (journey === undefined) {
      const names = text.split(separator).map((name) => name.trim());
      if (names.some((name) => name === '')) {
        throw fieldError(
          file,
          record.line,
          'path',
          `expected channels separated by "${separator}", got "${text}"`,
        );
      }
      const ids = names.map((name) => channels.intern(name));
      const key = ids.join(',');
      journey = byChannels.get(key);
      if (journey === undefined) {
        for (const id of ids) builder.addTouch(id);
        journey = builder.endJourney(0, 0, 0);
        byChannels.set(key, journey);
      }
      byText.set(text, journey);
    }
    builder.addOutcome(
      journey,
      readNumber(file, record, column.total_conversions, 'total_conversions', { min: 0 }),
      readNumber(file, record, column.total_conversion_value, 'total_conversion_value', {
        empty: 0,
      }),
      readNumber(file, record, column.total_null, 'total_null', { empty: 0, min: 0 }),
    );
  });
  return { batch: builder.build(), paths: builder.journeyCount, rows };
}
