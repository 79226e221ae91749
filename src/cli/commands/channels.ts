/**
 * `closedloop channels classify FILE.csv [--rules RULES.json]`: prints the CSV with a `channel`
 * column added (or, when it already has one, filled in), so a marketer can check channel rules on
 * an export before applying them. Columns `source`, `medium`, `campaign`, `referrer` and
 * `landing_url` are read, in any order and case; each is optional but one must be there. UTM tags
 * and click ids in `landing_url` fill the fields the row leaves empty. Output keeps the input's
 * delimiter and is written in batches: a bad row late in a big file stops the command (exit 1)
 * after the rows before its batch were printed.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { type ChannelInput, createChannelClassifier } from '../../core/channels/classify.js';
import { type ChannelRule, parseChannelRules } from '../../core/channels/custom-rules.js';
import { withLandingParams } from '../../core/channels/landing-params.js';
import { ClosedloopError, isClosedloopError } from '../../core/errors.js';
import { assertReadableFile, type ColumnIndex, indexColumns } from '../input/csv-columns.js';
import {
  type CsvRecord,
  CsvSyntaxError,
  detectDelimiter,
  readFirstLine,
  scanCsvFile,
} from '../input/csv-scanner.js';

const sessionColumns = ['source', 'medium', 'campaign', 'referrer', 'landing_url'] as const;
type SessionColumn = (typeof sessionColumns)[number];
const rowsPerWrite = 16_384;

export function registerChannels(program: Command): void {
  const channels = program.command('channels').description('classify sessions into channel groups');
  channels
    .command('classify')
    .description('print a sessions CSV with a channel column added')
    .argument('<file>', 'CSV with any of source, medium, campaign, referrer, landing_url')
    .option('--rules <file>', 'JSON array of custom channel rules, tried before the defaults')
    .action((file: string, options: { rules?: string }) => {
      const rules = options.rules === undefined ? [] : readChannelRules(options.rules);
      classifyCsvFile(file, rules, (text) => process.stdout.write(text));
    });
}

/** Reads and checks a rules file; errors name the file, then the rule (`rules[1].when[0].op`). */
export function readChannelRules(file: string): ChannelRule[] {
  assertReadableFile(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ClosedloopError('CL_ERR_FILE_READ', `${file}: cannot read (${code})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ClosedloopError('CL_ERR_CHANNEL_RULE', `${file}: not valid JSON (${reason})`);
  }
  try {
    return parseChannelRules(json);
  } catch (error) {
    if (isClosedloopError(error))
      throw new ClosedloopError(error.code, `${file}: ${error.message}`);
    throw error;
  }
}

/** Classifies every row of `file`, handing the output CSV to `write` in batches. */
export function classifyCsvFile(
  file: string,
  rules: readonly ChannelRule[],
  write: (text: string) => void,
): void {
  assertReadableFile(file);
  const delimiter = detectDelimiter(readFirstLine(file));
  const classify = createChannelClassifier(rules);
  let header: string[] | undefined;
  let columns: ColumnIndex<SessionColumn | 'channel'> | undefined;
  let batch: string[][] = [];
  const flush = () => {
    write(stringify(batch, { delimiter: String.fromCharCode(delimiter) }));
    batch = [];
  };
  try {
    scanCsvFile(file, delimiter, (record) => {
      if (header === undefined || columns === undefined) {
        header = fieldsOf(record);
        columns = indexSessionColumns(file, record);
        batch.push(columns.channel === -1 ? [...header, 'channel'] : header);
        return;
      }
      if (record.count !== header.length) {
        throw new ClosedloopError(
          'CL_ERR_CSV_SYNTAX',
          `${file}:${record.line}: expected ${header.length} fields as in the header, got ${record.count}`,
        );
      }
      const fields = fieldsOf(record);
      const channel = classify(sessionOf(fields, columns));
      if (columns.channel === -1) fields.push(channel);
      else fields[columns.channel] = channel;
      batch.push(fields);
      if (batch.length >= rowsPerWrite) flush();
    });
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      throw new ClosedloopError('CL_ERR_CSV_SYNTAX', `${file}:${error.line}: ${error.message}`);
    }
    throw error;
  }
  if (header === undefined) {
    throw new ClosedloopError(
      'CL_ERR_CSV_HEADER',
      `${file}: the file is empty; expected a header row`,
    );
  }
  flush();
}

function indexSessionColumns(
  file: string,
  header: CsvRecord,
): ColumnIndex<SessionColumn | 'channel'> {
  const columns = indexColumns<SessionColumn | 'channel'>(file, header, {
    required: [],
    optional: [...sessionColumns, 'channel'],
  });
  if (sessionColumns.every((name) => columns[name] === -1)) {
    const found = fieldsOf(header).map((name) => `"${name}"`);
    throw new ClosedloopError(
      'CL_ERR_CSV_HEADER',
      `${file}:1: expected at least one of the columns ${sessionColumns.map((name) => `"${name}"`).join(', ')}; the header has ${found.join(', ')}`,
    );
  }
  return columns;
}

function fieldsOf(record: CsvRecord): string[] {
  return Array.from({ length: record.count }, (_, i) => record.text(i));
}

function sessionOf(fields: readonly string[], columns: ColumnIndex<SessionColumn>): ChannelInput {
  const at = (column: number) => (column === -1 ? undefined : fields[column]);
  return withLandingParams({
    source: at(columns.source),
    medium: at(columns.medium),
    campaign: at(columns.campaign),
    referrer: at(columns.referrer),
    landingUrl: at(columns.landing_url),
  });
}
