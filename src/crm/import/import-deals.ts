import { isDeepStrictEqual } from 'node:util';
import type { Deal, ExchangeRate } from '../../core/deals.js';
import { ClosedloopError } from '../../core/errors.js';
import { rateFor } from '../../core/exchange.js';
import type { StateStore, Workspace } from '../../store/ports.js';
import type { DealFormat, DealRow, FileRole, HistoryRow } from '../formats/format.js';
import { saveIncomingDeals } from '../save-deals.js';
import { quote } from '../values.js';
import type { QuirkKind } from './merge-deal.js';
import { type CsvFile, openCsv } from './read-csv.js';

export interface ImportOptions {
  readonly format: DealFormat;
  readonly files: readonly string[];
  /** Undefined: detected per file. */
  readonly encoding?: string;
  /** Reject the whole import on the first bad row; nothing is written. */
  readonly strict: boolean;
  readonly workspace: Workspace;
  readonly state: StateStore;
  /** The zone of times the files write without an offset (default: the workspace's). */
  readonly timeZone?: string;
  readonly now?: number;
  /** Bytes read so far of all files, and their total. */
  readonly onProgress?: (read: number, total: number) => void;
}

export interface RejectedRow {
  readonly file: string;
  readonly line: number;
  readonly field: string;
  readonly message: string;
}

export interface ImportSummary {
  readonly format: string;
  readonly workspace: string;
  readonly files: readonly {
    readonly name: string;
    readonly role: FileRole;
    readonly encoding: string;
    readonly rows: number;
  }[];
  readonly rowsRead: number;
  readonly dealsCreated: number;
  readonly dealsUpdated: number;
  /** Deals the files name but leave exactly as stored (a re-import). */
  readonly dealsUnchanged: number;
  readonly ratesSaved: number;
  /** Rates the store holds already, alike (a re-import): not written again. */
  readonly ratesUnchanged: number;
  readonly rejected: readonly RejectedRow[];
  readonly skipped: readonly {
    readonly file: string;
    readonly line: number;
    readonly reason: string;
  }[];
  /** Kept as they are, and counted: what real exports get wrong. */
  readonly quirks: readonly {
    readonly kind: string;
    readonly deals: number;
    readonly examples: readonly string[];
  }[];
  /** Pipelines made or extended by this import, with their stages in order. */
  readonly pipelines: readonly { readonly name: string; readonly stages: readonly string[] }[];
  /** Deals in a currency with no exchange rate: kept, left out of money totals. */
  readonly unconverted: readonly { readonly currency: string; readonly deals: number }[];
}

interface Pending {
  row: DealRow | undefined;
  history: HistoryRow[];
  /** Where history rows came from, to reject them when their deal is nowhere. */
  historyLines: { file: string; line: number }[];
}

const examplesKept = 3;

/**
 * Imports CRM deals from CSV exports: streams each file, lets the format read its rows, merges what
 * they say into the stored deals in one transaction, extends the pipelines with new stages, and
 * saves exchange rates. Bad rows are listed with their line (or, with `strict`, stop everything).
 */
export async function importDeals(options: ImportOptions): Promise<ImportSummary> {
  const { format, workspace, state } = options;
  const now = options.now ?? Date.now();
  const reading = {
    timeZone: options.timeZone ?? workspace.timeZone,
    currency: workspace.currency,
  };
  const files = await openAll(options);
  const pending = new Map<string, Pending>();
  const rates: ExchangeRate[] = [];
  // A rate imported before is no more to be replaced unseen than one earlier in the same files.
  const storedRates = new Map(
    (await state.rates(workspace.id)).map((rate) => [rateKey(rate), rate.rate]),
  );
  let ratesUnchanged = 0;
  const rateLines = new Map<string, { file: string; line: number; rate: number }>();
  const rejected: RejectedRow[] = [];
  const skipped: { file: string; line: number; reason: string }[] = [];
  const rowQuirks = new Map<string, Set<string>>();
  const fileSummaries = [];
  let rowsRead = 0;

  const entry = (id: string) => {
    let found = pending.get(id);
    if (found === undefined) {
      found = { row: undefined, history: [], historyLines: [] };
      pending.set(id, found);
    }
    return found;
  };
  const reject = (row: RejectedRow) => {
    if (options.strict) {
      throw new ClosedloopError(
        'CL_ERR_CSV_FIELD',
        `${row.file}:${row.line}: ${row.field}: ${row.message} (--strict: nothing was imported)`,
      );
    }
    rejected.push(row);
  };

  for (const { file, role } of files) {
    let rows = 0;
    const fileReading = { ...reading, source: file.source };
    for await (const { line, record, problem } of file.rows) {
      rows++;
      const where = { file: file.name, line };
      if (problem !== undefined) {
        reject({ ...where, ...problem });
        continue;
      }
      const parsed = format.parse(role, record, fileReading);
      switch (parsed.kind) {
        case 'deal': {
          const target = entry(parsed.deal.externalId);
          const given = defined(parsed.deal);
          // Rows of one deal add up; one that contradicts an earlier row wins, and is listed.
          const before = target.row as Record<string, unknown> | undefined;
          if (
            before !== undefined &&
            Object.entries(given).some(
              ([key, value]) =>
                key !== 'history' &&
                before[key] !== undefined &&
                !isDeepStrictEqual(before[key], value),
            )
          ) {
            noteQuirks(rowQuirks, [repeatedDealQuirk], parsed.deal.externalId);
          }
          target.row = { ...target.row, ...given };
          for (const history of parsed.deal.history ?? []) target.history.push(history);
          noteQuirks(rowQuirks, parsed.quirks, parsed.deal.externalId);
          break;
        }
        case 'history': {
          const target = entry(parsed.history.externalId);
          target.history.push(parsed.history);
          target.historyLines.push(where);
          noteQuirks(rowQuirks, parsed.quirks, parsed.history.externalId);
          break;
        }
        case 'rate': {
          const { rate } = parsed;
          // Money in the workspace currency is never converted: such a rate would mislead. Its
          // rate of 1, which rate tables list beside the others, says nothing: passed over.
          if (rate.currency === workspace.currency && rate.rate === 1) break;
          if (rate.currency === workspace.currency) {
            reject({
              ...where,
              field: 'currency',
              message: `expected a currency other than the workspace's own, ${workspace.currency}, whose rate is 1 by definition; got ${rate.currency} at ${rate.rate}`,
            });
            break;
          }
          // One rate per currency and day: a second, different one is no correction to guess.
          const key = rateKey(rate);
          const first = rateLines.get(key);
          const stored = storedRates.get(key);
          if (first !== undefined) {
            if (first.rate !== rate.rate) {
              reject({
                ...where,
                field: 'rate',
                message: `expected one rate for ${rate.currency} on that date; ${first.file}:${first.line} gives ${first.rate}, this row ${rate.rate}`,
              });
            }
          } else if (stored !== undefined && stored !== rate.rate) {
            reject({
              ...where,
              field: 'rate',
              message: `expected one rate for ${rate.currency} on that date; the one imported before is ${stored}, this row ${rate.rate}`,
            });
          } else {
            rateLines.set(key, { ...where, rate: rate.rate });
            if (stored === undefined) rates.push(rate);
            else ratesUnchanged++;
          }
          break;
        }
        case 'skip':
          skipped.push({ ...where, reason: parsed.reason });
          break;
        case 'error':
          reject({ ...where, ...parsed.error });
          break;
      }
    }
    rowsRead += rows;
    fileSummaries.push({ name: file.name, role, encoding: file.encoding, rows });
  }

  const saved = await saveIncomingDeals(
    state,
    workspace,
    [...pending].map(([externalId, { row, history }]) => ({ externalId, row, history })),
    {
      source: format.name,
      now,
      // The zone the file's times were read in: its own for local-time exports, else UTC.
      timeZone: format.localTimes === true ? reading.timeZone : 'UTC',
      stageOrder: format.stageOrder,
      onUnknown: (deal) => {
        for (const where of pending.get(deal.externalId)?.historyLines ?? []) {
          reject({
            ...where,
            field: 'deal id',
            message: `no deal ${quote(deal.externalId)} in the deals file or the store`,
          });
        }
      },
    },
  );
  if (rates.length > 0) await state.saveRates(workspace.id, rates);

  return {
    format: format.name,
    workspace: workspace.name,
    files: fileSummaries,
    rowsRead,
    dealsCreated: saved.created.length,
    dealsUpdated: saved.updated.length,
    dealsUnchanged: saved.unchanged.length,
    ratesSaved: rates.length,
    ratesUnchanged,
    rejected,
    skipped,
    quirks: [...unionByKind(rowQuirks, saved.quirks)].map(([kind, ids]) => ({
      kind,
      deals: ids.size,
      examples: [...ids].slice(0, examplesKept),
    })),
    pipelines: saved.pipelines.map((pipeline) => ({
      name: pipeline.name,
      stages: pipeline.stages.map((stage) => stage.name),
    })),
    // This import's deals only: the rates it brought may convert deals imported before, but
    // what the summary reports is the state of the deals just read.
    unconverted: unconverted(
      (await state.deals(workspace.id)).filter(
        (deal) => deal.source === format.name && pending.has(deal.externalId),
      ),
      await state.rates(workspace.id),
      workspace,
    ),
  };
}

async function openAll(options: ImportOptions): Promise<{ file: CsvFile; role: FileRole }[]> {
  const progress = new Map<string, number>();
  let total = 0;
  const opened = [];
  for (const path of options.files) {
    const file = await openCsv(path, {
      encoding: options.encoding,
      onBytes: (bytes) => {
        progress.set(path, bytes);
        let read = 0;
        for (const value of progress.values()) read += value;
        options.onProgress?.(read, total);
      },
    });
    total += file.bytes;
    opened.push({ file, role: roleOf(options.format, file) });
  }
  return opened;
}

/**
 * Opens each export as far as its header and tells its role, or throws what is wrong (missing,
 * empty, unreadable, a header the format does not know): for checks before anything is written.
 */
export async function checkExports(
  format: DealFormat,
  paths: readonly string[],
  encoding?: string,
): Promise<void> {
  for (const path of paths) {
    const file = await openCsv(path, { encoding });
    try {
      roleOf(format, file);
    } finally {
      file.close();
    }
  }
}

function roleOf(format: DealFormat, file: CsvFile): FileRole {
  const role = format.roleOf(file.header, file.source);
  if (role === undefined) {
    throw new ClosedloopError(
      'CL_ERR_CSV_HEADER',
      `${file.name}: the header (${file.header.slice(0, 6).join(', ')}${file.header.length > 6 ? ', …' : ''}) is not one of a ${format.name} export's files; see the README for the columns`,
    );
  }
  return role;
}

/** A rate's place in the store: its currency and the moment it is in force from. */
function rateKey(rate: ExchangeRate): string {
  return `${rate.currency}\u0000${rate.date.at}`;
}

/** Deals whose money cannot be converted to the workspace currency, by currency. */
function unconverted(
  deals: readonly Deal[],
  rates: readonly ExchangeRate[],
  workspace: Workspace,
): { currency: string; deals: number }[] {
  const counts = new Map<string, number>();
  for (const deal of deals) {
    if (deal.amountMinor === null || deal.currency === null) continue;
    if (deal.currency === workspace.currency) continue;
    const at = deal.closedAt ?? deal.createdAt;
    if (rateFor(rates, deal.currency, at, workspace.timeZone) !== undefined) continue;
    counts.set(deal.currency, (counts.get(deal.currency) ?? 0) + 1);
  }
  return [...counts].map(([currency, count]) => ({ currency, deals: count }));
}

/** A deal id on two rows of an import that disagree: the later row's values are kept. */
export const repeatedDealQuirk = 'deal on several rows that disagree: the later row kept';

function noteQuirks(
  into: Map<string, Set<string>>,
  quirks: readonly (string | QuirkKind)[] | undefined,
  externalId: string,
): void {
  for (const quirk of quirks ?? []) {
    const ids = into.get(quirk) ?? new Set<string>();
    ids.add(externalId);
    into.set(quirk, ids);
  }
}

/** The row's fields that carry a value: a later row fills gaps without erasing. */
function defined(row: DealRow): DealRow {
  return Object.fromEntries(
    Object.entries(row).filter(([key, value]) => value !== undefined && key !== 'history'),
  ) as unknown as DealRow;
}

/** The format and the merge may both notice a quirk: one line per kind, each deal once. */
function unionByKind(
  ...maps: ReadonlyMap<string, ReadonlySet<string>>[]
): Map<string, Set<string>> {
  const union = new Map<string, Set<string>>();
  for (const map of maps) {
    for (const [kind, ids] of map) union.set(kind, new Set([...(union.get(kind) ?? []), ...ids]));
  }
  return union;
}
