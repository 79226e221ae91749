import { Dictionary } from '../../core/dictionary.js';
import { type JourneyBatch, JourneyBatchBuilder } from '../../core/journey-batch.js';
import { parseInstant } from '../../core/time.js';
import type { Milestone } from '../../core/types.js';
import {
  type ColumnSpec,
  fieldError,
  quoted,
  readNumber,
  scanCsvWithHeader,
} from './csv-columns.js';
import type { CsvRecord } from './csv-scanner.js';

export const touchpointColumns = {
  required: ['journey_id', 'timestamp', 'channel', 'conversion'] as const,
  optional: ['conversion_value', 'source', 'medium', 'campaign', 'milestone'] as const,
};

export type TouchpointColumn =
  | (typeof touchpointColumns.required)[number]
  | (typeof touchpointColumns.optional)[number];

export interface TouchpointsInput {
  readonly batch: JourneyBatch;
  /** Distinct channel sequences among the paths. */
  readonly paths: number;
  readonly rows: number;
}

const milestones: readonly Milestone[] = ['lead', 'deal', 'won'];

/**
 * Reads one row per touch. Touches are ordered by time within each journey id (file order breaks
 * ties); each conversion closes a path made of the touches up to and including it, and touches
 * after a journey's last conversion form one non-converting path.
 */
export function readTouchpointsFile(
  file: string,
  rename: Partial<Record<TouchpointColumn, string>> = {},
): TouchpointsInput {
  const spec: ColumnSpec<TouchpointColumn> = { ...touchpointColumns, rename };
  const journeyIds = new Dictionary();
  const builder = new JourneyBatchBuilder({ withTimes: true, withAttributes: true });
  const { channels, sources, mediums, campaigns } = builder.dictionaries;
  const rows = {
    journey: [] as number[],
    time: [] as number[],
    channel: [] as number[],
    conversion: [] as number[],
    value: [] as number[],
    source: [] as number[],
    medium: [] as number[],
    campaign: [] as number[],
    milestone: [] as number[],
  };
  const optionalId = (record: CsvRecord, column: number, dictionary: Dictionary) => {
    if (column === -1 || record.isEmpty(column)) return -1;
    return dictionary.intern(record.text(column).trim());
  };
  scanCsvWithHeader(file, spec, (record, column) => {
    const journeyId = record.text(column.journey_id).trim();
    if (journeyId === '')
      throw fieldError(file, record.line, 'journey_id', 'expected an id, got an empty field');
    const timeText = record.text(column.timestamp);
    const time = parseInstant(timeText);
    if (Number.isNaN(time)) {
      throw fieldError(
        file,
        record.line,
        'timestamp',
        `expected ISO 8601 or epoch seconds/milliseconds, got ${quoted(timeText)}`,
      );
    }
    const channel = record.text(column.channel).trim();
    if (channel === '')
      throw fieldError(file, record.line, 'channel', 'expected a channel name, got an empty field');
    const milestoneText =
      column.milestone === -1 ? '' : record.text(column.milestone).trim().toLowerCase();
    const milestone = milestoneText === '' ? -1 : milestones.indexOf(milestoneText as Milestone);
    if (milestoneText !== '' && milestone === -1) {
      throw fieldError(
        file,
        record.line,
        'milestone',
        `expected lead, deal, won or empty, got ${quoted(milestoneText)}`,
      );
    }
    rows.journey.push(journeyIds.intern(journeyId));
    rows.time.push(time);
    rows.channel.push(channels.intern(channel));
    const conversion = readConversion(file, record, column.conversion);
    const value = readNumber(file, record, column.conversion_value, 'conversion_value', {
      empty: 0,
      // Negative value would be credited to channels as negative revenue.
      min: 0,
    });
    // Value is credited with its conversions: on a touch with none it would vanish unsaid.
    if (conversion === 0 && value !== 0) {
      throw fieldError(
        file,
        record.line,
        'conversion_value',
        `${quoted(record.text(column.conversion_value))} on a touch with no conversion; put the value on the converting touch`,
      );
    }
    rows.conversion.push(conversion);
    rows.value.push(value);
    rows.source.push(optionalId(record, column.source, sources));
    rows.medium.push(optionalId(record, column.medium, mediums));
    rows.campaign.push(optionalId(record, column.campaign, campaigns));
    rows.milestone.push(milestone);
  });

  const order = Array.from(rows.journey.keys()).sort(
    (a, b) => rows.journey[a] - rows.journey[b] || rows.time[a] - rows.time[b] || a - b,
  );
  const sequences = new Set<string>();
  let sequence: number[] = [];
  let marks = [-1, -1, -1];
  const closePath = (conversions: number, value: number, nulls: number, at: number) => {
    sequences.add(sequence.join(','));
    builder.endJourney(conversions, value, nulls, at, marks[0], marks[1], marks[2]);
    sequence = [];
    marks = [-1, -1, -1];
  };
  for (let k = 0; k < order.length; k++) {
    const row = order[k];
    const milestone = rows.milestone[row];
    if (milestone !== -1) marks[milestone] = sequence.length;
    builder.addTouch(
      rows.channel[row],
      rows.time[row],
      rows.source[row],
      rows.medium[row],
      rows.campaign[row],
    );
    sequence.push(rows.channel[row]);
    const conversions = rows.conversion[row];
    const journeyEnds = k + 1 === order.length || rows.journey[order[k + 1]] !== rows.journey[row];
    if (conversions > 0) closePath(conversions, rows.value[row], 0, rows.time[row]);
    else if (journeyEnds) closePath(0, 0, 1, Number.NaN);
  }
  return { batch: builder.build(), paths: sequences.size, rows: order.length };
}

function readConversion(file: string, record: CsvRecord, column: number): number {
  const text = record.text(column).trim().toLowerCase();
  if (text === 'true' || text === 'yes') return 1;
  if (text === 'false' || text === 'no' || text === '') return 0;
  return readNumber(file, record, column, 'conversion', { min: 0 });
}
