/**
 * A Salesforce Data Export: Opportunity.csv and OpportunityHistory.csv, read by the standard
 * field names (API names, as the export's header writes them). Date-times are UTC; `CloseDate`
 * is a date field even where the export appends 00:00:00.
 */
import type { DealStatus } from '../../core/deals.js';
import { outcomeOfStage } from '../stage-words.js';
import { calendarDate } from '../values.js';
import { headerHas, RowCells } from './cells.js';
import { isRatesHeader, parseRateRecord } from './closedloop.js';
import type {
  CsvRecord,
  CsvSource,
  DealFormat,
  ExportReading,
  FileRole,
  ParsedRow,
} from './format.js';
import { dealResult, historyResult } from './rows.js';

function parseOpportunity(record: CsvRecord, reading?: ExportReading): ParsedRow {
  const cells = new RowCells(record, undefined, undefined, reading?.source, reading?.currency);
  if (cells.flag('IsDeleted') === true) return deletedRow;
  const stage = cells.text('StageName');
  const status = statusOf(cells.flag('IsClosed'), cells.flag('IsWon'), stage);
  const closeDate = cells.moment('CloseDate');
  const closeDay = closeDate === undefined ? undefined : calendarDate(closeDate);
  const isClosed = status === 'won' || status === 'lost';
  const { amount, currency } = cells.money('Amount', 'CurrencyIsoCode');
  return dealResult(cells, {
    externalId: cells.required('Id', 'an opportunity id'),
    name: cells.text('Name'),
    createdAt: cells.moment('CreatedDate'),
    amount,
    currency,
    status,
    closedAt: isClosed ? closeDay : undefined,
    expectedCloseAt: isClosed ? undefined : closeDay,
    stage,
    stageProbability: probabilityOf(cells),
    stageSortOrder: cells.wholeNumber('StageSortOrder'),
    // Salesforce derives both flags from the stage's definition: they say what the stage is.
    stageOutcome: cells.raw('IsClosed') === undefined ? undefined : status,
    // Relationship columns (Account.Name, Owner.Name) when the export has them, else the ids.
    owner: cells.text('Owner.Name') ?? cells.text('OwnerId'),
    account: cells.text('Account.Name') ?? cells.text('AccountId'),
    segment: cells.text('Type'),
    channel: cells.text('LeadSource'),
  });
}

function parseOpportunityHistory(record: CsvRecord, source?: CsvSource): ParsedRow {
  const cells = new RowCells(record, undefined, undefined, source);
  if (cells.flag('IsDeleted') === true) return deletedRow;
  return historyResult(cells, {
    externalId: cells.required('OpportunityId', 'an opportunity id'),
    stage: cells.required('StageName', 'a stage name'),
    enteredAt: cells.requiredMoment('CreatedDate'),
    amount: cells.decimal('Amount'),
  });
}

const deletedRow: ParsedRow = { kind: 'skip', reason: 'deleted in Salesforce (IsDeleted = 1)' };

/** IsClosed and IsWon say it; an export without them leaves it to the stage's name. */
function statusOf(
  isClosed: boolean | undefined,
  isWon: boolean | undefined,
  stage: string | undefined,
): DealStatus | undefined {
  const outcome = stage === undefined ? null : outcomeOfStage(stage);
  if (isClosed === false) return 'open';
  if (isClosed === true) return (isWon ?? outcome === 'won') ? 'won' : 'lost';
  return outcome ?? undefined;
}

/** `Probability` is a percentage, 0 to 100. */
function probabilityOf(cells: RowCells): number | undefined {
  const percent = cells.decimal('Probability');
  if (percent === undefined) return undefined;
  const value = Number(percent);
  if (value < 0 || value > 100) {
    return cells.reject('Probability', `expected a percentage from 0 to 100, got "${percent}"`);
  }
  return value / 100;
}

export const salesforceFormat: DealFormat = {
  name: 'salesforce',
  roleOf(header: readonly string[]): FileRole | undefined {
    if (isRatesHeader(header)) return 'rates';
    if (headerHas(header, 'OpportunityId', 'StageName')) return 'history';
    if (headerHas(header, 'Id', 'StageName')) return 'deals';
    return undefined;
  },
  parse(role: FileRole, record: CsvRecord, reading?: ExportReading): ParsedRow {
    if (role === 'history') return parseOpportunityHistory(record, reading?.source);
    if (role === 'rates') return parseRateRecord(record, undefined, reading?.source);
    return parseOpportunity(record, reading);
  },
};
