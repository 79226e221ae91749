/**
 * What a CSV export format does: tell the role of each file from its header, and turn each row
 * into what that row says about deals, stage history or exchange rates. Formats are pure: the
 * importer reads the files (encodings, line numbers), merges rows into deals and writes them.
 */
import type { DealStatus, Moment, RecurringInterval } from '../../core/deals.js';

export type FileRole = 'deals' | 'history' | 'rates';

/** What the CSV reader knows of a file beyond its cells, for the formats' errors about its header. */
export interface CsvSource {
  /** The file's name, as errors write it. */
  readonly file: string;
  /** Keys (see `columnKey`) of the columns the header names more than once. */
  readonly duplicates: ReadonlySet<string>;
}

/** One CSV row, keyed by the header's column names as written in the file. */
export type CsvRecord = Readonly<Record<string, string>>;

/**
 * What one row says about one deal. A field left undefined was not in the row (or was empty):
 * the importer keeps what it knew. Only `externalId` is required.
 */
export interface DealRow {
  readonly externalId: string;
  readonly name?: string;
  readonly createdAt?: Moment;
  /** A decimal in major units as the file wrote it after cleaning ("1234.5"); the importer rounds it to the currency's minor units. */
  readonly amount?: string;
  readonly currency?: string;
  readonly status?: DealStatus;
  readonly closedAt?: Moment;
  /** For an open deal: when it is expected to close. */
  readonly expectedCloseAt?: Moment;
  readonly pipeline?: string;
  readonly stage?: string;
  /** The CRM's probability for the current stage, 0..1 (Salesforce `Probability` / 100). */
  readonly stageProbability?: number;
  /** The CRM's position of the current stage in its pipeline (Salesforce `StageSortOrder`). */
  readonly stageSortOrder?: number;
  /**
   * What the current stage itself does to a deal, where the CRM defines it per stage (Salesforce's
   * IsClosed and IsWon): a stage named "Signed" can be a won stage.
   */
  readonly stageOutcome?: 'won' | 'lost' | 'open';
  readonly owner?: string;
  readonly segment?: string;
  readonly channel?: string;
  readonly account?: string;
  readonly accountDomain?: string;
  readonly emails?: readonly string[];
  readonly contactIds?: readonly string[];
  readonly recurringInterval?: RecurringInterval;
  readonly termMonths?: number;
  /** Stage entries the row itself carries (HubSpot's `Date entered "<stage>"` columns, Maven's engage date). */
  readonly history?: readonly HistoryRow[];
}

/** One stage entry of a deal's history, with the amount at that time when the export has it. */
export interface HistoryRow {
  readonly externalId: string;
  readonly stage: string;
  readonly enteredAt: Moment;
  readonly amount?: string;
}

export interface RateRow {
  readonly date: Moment;
  readonly currency: string;
  /** Units of the workspace currency per one unit of `currency`. */
  readonly rate: number;
}

/** A problem with one field of a row: the row is rejected and listed with its line. */
export interface RowError {
  readonly field: string;
  readonly message: string;
}

export type ParsedRow =
  | { readonly kind: 'deal'; readonly deal: DealRow; readonly quirks?: readonly string[] }
  | { readonly kind: 'history'; readonly history: HistoryRow; readonly quirks?: readonly string[] }
  | { readonly kind: 'rate'; readonly rate: RateRow }
  | { readonly kind: 'skip'; readonly reason: string }
  | { readonly kind: 'error'; readonly error: RowError };

/** How to read what an export leaves implicit. */
export interface ExportReading {
  /** The IANA zone of times written without an offset, for formats that write local times. */
  readonly timeZone: string;
  /** The file the rows come from: a column its header names twice is refused when read. */
  readonly source?: CsvSource;
  /** The workspace's currency: what a blank currency cell stands for. */
  readonly currency?: string;
}

export interface DealFormat {
  readonly name: string;
  /**
   * Whether the export writes times without an offset as its users' clocks read them: they are
   * then read in the import's zone (`ExportReading`). Other formats write UTC.
   */
  readonly localTimes?: boolean;
  /** The open stages in funnel order, when the format defines them (a fixed sample layout). */
  readonly stageOrder?: readonly string[];
  /** The role a file plays, judged from its header; undefined when this format does not know it. */
  roleOf(header: readonly string[], source?: CsvSource): FileRole | undefined;
  /** `reading.timeZone`: the zone of the export's local times (the workspace's unless told). */
  parse(role: FileRole, record: CsvRecord, reading?: ExportReading): ParsedRow;
}
