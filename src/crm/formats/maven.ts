/**
 * The `sales_pipeline.csv` layout of the Maven Analytics CRM sample: one row per opportunity,
 * moving Prospecting → Engaging → Won or Lost. The engage date is both the deal's creation and its
 * entry into Engaging (a prospect has no date at all); the close date ends it. Amounts are USD.
 */
import { outcomeOfStage } from '../stage-words.js';
import { headerHas, RowCells } from './cells.js';
import { isRatesHeader, parseRateRecord } from './closedloop.js';
import type {
  CsvRecord,
  CsvSource,
  DealFormat,
  ExportReading,
  FileRole,
  HistoryRow,
  ParsedRow,
} from './format.js';
import { dealResult } from './rows.js';

const prospectingStage = 'Prospecting';
const engagingStage = 'Engaging';

function parseOpportunity(record: CsvRecord, source?: CsvSource): ParsedRow {
  const cells = new RowCells(record, undefined, undefined, source);
  const externalId = cells.required('opportunity_id', 'an opportunity id');
  const stage = cells.text('deal_stage');
  const outcome = stage === undefined ? null : outcomeOfStage(stage);
  const engagedAt = cells.moment('engage_date');
  const closeDate = cells.moment('close_date');
  const history: HistoryRow[] = [];
  if (engagedAt !== undefined) {
    history.push({ externalId, stage: engagingStage, enteredAt: engagedAt });
  }
  const closeValue = cells.amountIn('close_value', 'USD');
  // `close_value` is what the deal closed at, known from its close on: dated there, a forecast
  // or backtest as of an earlier day does not see it (from the creation, it would see which
  // open deals will be won: they are the ones with a value).
  const closedWithValue = outcome !== null && closeDate !== undefined && closeValue !== undefined;
  if (outcome !== null && stage !== undefined && closeDate !== undefined) {
    history.push({
      externalId,
      stage,
      enteredAt: closeDate,
      ...(closedWithValue ? { amount: closeValue } : {}),
    });
  }
  return dealResult(cells, {
    externalId,
    createdAt: engagedAt,
    amount: closedWithValue ? undefined : closeValue,
    currency: 'USD',
    status: stage === undefined ? undefined : (outcome ?? 'open'),
    closedAt: outcome === null ? undefined : closeDate,
    expectedCloseAt: outcome === null ? closeDate : undefined,
    stage,
    owner: cells.text('sales_agent'),
    segment: cells.text('product'),
    account: cells.text('account'),
    history: history.length === 0 ? undefined : history,
  });
}

export const mavenFormat: DealFormat = {
  name: 'maven',
  stageOrder: [prospectingStage, engagingStage],
  roleOf(header: readonly string[]): FileRole | undefined {
    if (isRatesHeader(header)) return 'rates';
    return headerHas(header, 'opportunity_id', 'deal_stage') ? 'deals' : undefined;
  },
  parse(role: FileRole, record: CsvRecord, reading?: ExportReading): ParsedRow {
    if (role === 'rates') return parseRateRecord(record, undefined, reading?.source);
    if (role === 'history') {
      return { kind: 'skip', reason: 'the Maven layout has no stage history file' };
    }
    return parseOpportunity(record, reading?.source);
  },
};
