import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseStoreConfig, type RawStoreOptions } from '../../config.js';
import { checkTimeZone } from '../../core/calendar.js';
import { ClosedloopError } from '../../core/errors.js';
import type { DealFormat } from '../../crm/formats/format.js';
import { formatByName, formatNames } from '../../crm/formats/index.js';
import { createMappedFormat } from '../../crm/formats/mapped.js';
import { checkExports, type ImportSummary, importDeals } from '../../crm/import/import-deals.js';
import { progressBar } from '../output/progress.js';
import { resolveWorkspace, withStore } from '../store-access.js';

interface RawImportOptions extends RawStoreOptions {
  format?: string;
  map?: string;
  encoding?: string;
  strict?: boolean;
  timeZone?: string;
  json?: boolean;
}

/** Below this many bytes an import is over before a progress bar would say anything. */
const progressBarBytes = 1 << 20;

export function registerImport(program: Command): void {
  const command = program.command('import').description('import data exported from other tools');
  command
    .command('deals')
    .description('import CRM deals, their stage history and exchange rates from CSV exports')
    .argument('<files...>', 'the export files (deals, stage history, rates)')
    .option('--format <name>', `export format: ${formatNames.join(', ')}`)
    .option('--map <file.json>', 'any other CSV: a JSON mapping of columns to deal fields')
    .option('--encoding <name>', 'text encoding of the files (default: detected per file)')
    .option('--strict', 'reject the whole import on the first bad row')
    .option(
      '--time-zone <zone>',
      "zone of times written without an offset, as HubSpot, Pipedrive and most CSVs for --map write them (default: the workspace's)",
    )
    .option('--db <path>', 'SQLite file (default ./data/closedloop.db)')
    .option('--workspace <id|name>', 'workspace (default: the only one)')
    .option('--json', 'print the summary as one JSON document')
    .action(async (files: string[], options: RawImportOptions) => {
      const format = chooseFormat(options);
      const timeZone =
        options.timeZone === undefined ? undefined : checkedZone(options.timeZone, format);
      const config = parseStoreConfig(options, process.env);
      // Files checked before the store opens: a mistyped path or a wrong export creates no database.
      await checkExports(format, files, options.encoding);
      const summary = await withStore(config, async ({ state }) => {
        const workspace = await resolveWorkspace(state, config.workspace);
        const bar = progressBar('importing', 'bytes', progressBarBytes);
        try {
          return await importDeals({
            format,
            files,
            encoding: options.encoding,
            strict: options.strict === true,
            workspace,
            state,
            timeZone,
            onProgress: bar?.update,
          });
        } finally {
          bar?.stop();
        }
      });
      process.stdout.write(
        options.json === true ? `${JSON.stringify(summary)}\n` : formatSummary(summary),
      );
    });
}

function checkedZone(zone: string, format: DealFormat): string {
  if (format.localTimes !== true) {
    throw new ClosedloopError(
      'CL_ERR_USAGE',
      `--time-zone: ${format.name} exports write UTC; the option is for hubspot, pipedrive and --map imports`,
    );
  }
  try {
    checkTimeZone(zone);
  } catch {
    throw new ClosedloopError(
      'CL_ERR_USAGE',
      `--time-zone: expected an IANA time zone such as America/New_York, got "${zone}"`,
    );
  }
  return zone;
}

function chooseFormat(options: RawImportOptions): DealFormat {
  if (options.map !== undefined) {
    if (options.format !== undefined && options.format !== 'map') {
      throw new ClosedloopError('CL_ERR_USAGE', '--map: give either --format or --map, not both');
    }
    let mapping: unknown;
    try {
      mapping = JSON.parse(readFileSync(options.map, 'utf8'));
    } catch (error) {
      throw new ClosedloopError(
        'CL_ERR_USAGE',
        `--map: ${options.map}: expected a JSON file of column mappings (${(error as Error).message})`,
      );
    }
    return createMappedFormat(mapping);
  }
  if (options.format === undefined) {
    throw new ClosedloopError(
      'CL_ERR_USAGE',
      `--format: expected one of ${formatNames.join(', ')} (or --map FILE.json)`,
    );
  }
  return formatByName(options.format);
}

const count = (n: number) => n.toLocaleString('en-US');

export function formatSummary(summary: ImportSummary): string {
  const lines = [
    `Imported ${summary.format} export into workspace "${summary.workspace}"`,
    ...summary.files.map(
      (file) => `  ${file.name}: ${file.role}, ${file.encoding}, ${count(file.rows)} rows`,
    ),
    `  rows read: ${count(summary.rowsRead)}`,
    `  deals created: ${count(summary.dealsCreated)}, updated: ${count(summary.dealsUpdated)}, unchanged: ${count(summary.dealsUnchanged)}`,
  ];
  if (summary.ratesSaved > 0 || summary.ratesUnchanged > 0) {
    lines.push(
      `  exchange rates saved: ${count(summary.ratesSaved)}, unchanged: ${count(summary.ratesUnchanged)}`,
    );
  }
  lines.push(`  rows rejected: ${count(summary.rejected.length)}`);
  for (const row of summary.rejected) {
    lines.push(`    ${row.file}:${row.line}: ${row.field}: ${row.message}`);
  }
  if (summary.skipped.length > 0) {
    lines.push(`  rows skipped: ${count(summary.skipped.length)}`);
    for (const row of summary.skipped) lines.push(`    ${row.file}:${row.line}: ${row.reason}`);
  }
  if (summary.quirks.length > 0) {
    lines.push('  kept as they are:');
    for (const quirk of summary.quirks) {
      lines.push(
        `    ${quirk.kind}: ${count(quirk.deals)} deal${quirk.deals === 1 ? '' : 's'} (e.g. ${quirk.examples.join(', ')})`,
      );
    }
  }
  for (const currency of summary.unconverted) {
    lines.push(
      `  ${count(currency.deals)} ${currency.deals === 1 ? 'deal' : 'deals'} in ${currency.currency} ${currency.deals === 1 ? 'has' : 'have'} no exchange rate: kept, left out of money totals until a rate is imported`,
    );
  }
  for (const pipeline of summary.pipelines) {
    lines.push(`  pipeline "${pipeline.name}": ${pipeline.stages.join(' → ')}`);
  }
  return `${lines.join('\n')}\n`;
}
