import { sharesPerJourney } from '../../core/attribution/journey-credit.js';
import { applyLookback, type Lookback } from '../../core/attribution/lookback.js';
import { type ModelName, modelNames } from '../../core/attribution/registry.js';
import type { Deal, ExchangeRate } from '../../core/deals.js';
import { ClosedloopError } from '../../core/errors.js';
import { amountInCurrency } from '../../core/exchange.js';
import { type Forecast, forecastRevenue } from '../../core/forecast/forecast.js';
import type { ChannelCredit } from '../../core/forecast/new-pipeline.js';
import type { Band, PeriodForecast } from '../../core/forecast/periods.js';
import type { LeadTouch } from '../../core/forecast/targets.js';
import { counted } from '../../core/funnel/notes.js';
import { minorToMajor } from '../../core/money.js';
import { readDealJourneys } from '../../store/deal-journeys.js';
import { readJourneys } from '../../store/journeys.js';
import type { EventStore, StateStore, Workspace } from '../../store/ports.js';

export type PeriodKind = 'month' | 'quarter' | 'year';

export interface ForecastRequest {
  readonly asOf?: number;
  /** The as-of date's name where the caller took it, for errors (default `--as-of`, the CLI's flag). */
  readonly asOfName?: string;
  readonly horizon?: number;
  readonly by?: PeriodKind;
  /** The attribution model that splits revenue by channel (default linear). */
  readonly model?: ModelName;
  readonly draws?: number;
  readonly seed?: number;
  /** The present, past which the default as-of date does not go (default: the clock). */
  readonly now?: number;
}

/** The forecast as the CLI prints it and the API returns it: money in major units, times as ISO. */
export interface ForecastReport extends Omit<Forecast, 'asOf' | 'periods' | 'deals'> {
  readonly asOf: string;
  /** Each open deal's explanation, with the id the CRM knows it by. */
  readonly deals: readonly (Forecast['deals'][number] & { readonly externalId: string | null })[];
  readonly by: PeriodKind;
  readonly model: ModelName;
  readonly periods: readonly PeriodForecast[];
}

export const defaultForecastModel: ModelName = 'linear';

/** The models a forecast can split revenue by: all but `custom`, whose weights no request carries. */
export const forecastModelNames: readonly ModelName[] = modelNames.filter(
  (name) => name !== 'custom',
);

export const isForecastModel = (name: string): name is ModelName =>
  (forecastModelNames as readonly string[]).includes(name);

/**
 * The workspace's revenue forecast from the store: deals with amounts in the workspace currency,
 * each deal's revenue split among channels by the chosen model over its people's touches before
 * the deal was created within the workspace's lookback window, leads with the channel the model
 * credits most (for the plan back from targets), and the workspace's targets.
 */
export async function forecastReport(
  events: EventStore,
  state: StateStore,
  workspace: Workspace,
  request: ForecastRequest,
): Promise<ForecastReport> {
  const model = request.model ?? defaultForecastModel;
  const deals = await state.deals(workspace.id);
  // Here, where the CLI and the API meet: without deals the forecast would ask for an as-of date,
  // or, given one, answer zeros, neither of which says what is missing.
  if (deals.length === 0) {
    throw new ClosedloopError(
      'CL_ERR_MODEL_INPUT',
      'forecast: the workspace has no deals yet; import some with `closedloop import deals`',
    );
  }
  const rates = await state.rates(workspace.id);
  const journeys = await readDealJourneys(events, state, workspace, {
    milestone: { kind: 'deal' },
  });
  // The workspace's lookback window, as `attribute --milestone` applies it: a deal whose touches
  // all lie outside it goes to Direct there, and so here.
  const lookback = { days: workspace.lookbackDays };
  const channelCredit: ChannelCredit = new Map(
    sharesPerJourney(applyLookback(journeys.batch, lookback), model).map((shares, j) => [
      journeys.dealIds[j] as string,
      shares,
    ]),
  );
  const forecast = forecastRevenue({
    deals,
    pipelines: await state.pipelines(workspace.id),
    timeZone: workspace.timeZone,
    currency: workspace.currency,
    amountOf: (deal: Deal) => amountInCurrency(deal, rates, workspace.currency, workspace.timeZone),
    asOf: request.asOf,
    asOfName: request.asOfName ?? '--as-of',
    horizon: request.horizon,
    draws: request.draws,
    seed: request.seed,
    now: request.now,
    channelCredit,
    leads: await leadTouches(events, state, workspace.id, model, lookback),
    targets: (await state.targets(workspace.id)).map((target) => ({
      period: target.period,
      amount: target.amountMinor,
    })),
  });
  const by = request.by ?? 'month';
  const externalIds = new Map(deals.map((deal) => [deal.id, deal.externalId]));
  const notes = [
    ...forecast.notes,
    ...unconvertedNotes(forecast, deals, rates, workspace.timeZone),
  ];
  return inMajorUnits({ ...forecast, notes }, by, model, externalIds);
}

/**
 * Per currency with no exchange rate to the workspace's, the deals the forecast counts but cannot
 * value: open ones (not sized by their group's won deals, since their own amount is known) and
 * those won by as-of (out of won revenue and deal sizes). As the import says, until a rate is
 * imported; said here because otherwise the totals just come out lower.
 */
function unconvertedNotes(
  forecast: Forecast,
  deals: readonly Deal[],
  rates: readonly ExchangeRate[],
  timeZone: string,
): string[] {
  const open = new Set(forecast.deals.map((deal) => deal.dealId));
  const byCurrency = new Map<string, { open: number; won: number }>();
  for (const deal of deals) {
    if (deal.currency === null || deal.amountMinor === null || deal.amountMinor <= 0) continue;
    const isOpen = open.has(deal.id);
    const isWon =
      !isOpen &&
      deal.status === 'won' &&
      deal.closedAt !== null &&
      deal.closedAt.at < forecast.asOf;
    if (!isOpen && !isWon) continue;
    if (amountInCurrency(deal, rates, forecast.currency, timeZone) !== null) continue;
    const counts = byCurrency.get(deal.currency) ?? { open: 0, won: 0 };
    if (isOpen) counts.open++;
    else counts.won++;
    byCurrency.set(deal.currency, counts);
  }
  return [...byCurrency]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, counts]) => {
      const which = [
        counts.open > 0 ? counted(counts.open, 'open deal') : null,
        counts.won > 0 ? counted(counts.won, 'won deal') : null,
      ]
        .filter((part) => part !== null)
        .join(' and ');
      return `${currency} has no exchange rate to ${forecast.currency}: ${which} in it counted, not valued, until a rate is imported`;
    });
}

/**
 * Each lead (a journey's conversion) with the channel the model gives most of its credit, within
 * the lookback window, as `attribute` credits leads.
 */
async function leadTouches(
  events: EventStore,
  state: StateStore,
  workspaceId: string,
  model: ModelName,
  lookback: Lookback,
): Promise<LeadTouch[]> {
  const leads: LeadTouch[] = [];
  for await (const read of readJourneys(events, state, workspaceId)) {
    const batch = applyLookback(read, lookback);
    const shares = sharesPerJourney(batch, model);
    for (let j = 0; j < batch.journeyCount; j++) {
      const at = batch.conversionTime?.[j] ?? Number.NaN;
      if (batch.conversions[j] === 0 || Number.isNaN(at)) continue;
      let channel: string | null = null;
      let best = 0;
      for (const [name, share] of shares[j] ?? []) {
        if (share > best) [channel, best] = [name, share];
      }
      leads.push({ at, channel });
    }
  }
  return leads;
}

function inMajorUnits(
  forecast: Forecast,
  by: PeriodKind,
  model: ModelName,
  externalIds: ReadonlyMap<string, string>,
): ForecastReport {
  // Money leaves in whole minor units, whatever arithmetic came before.
  const major = (minor: number) => minorToMajor(Math.round(minor), forecast.currency);
  const band = (b: Band): Band => ({
    p10: major(b.p10),
    p50: major(b.p50),
    p90: major(b.p90),
    mean: major(b.mean),
  });
  return {
    ...forecast,
    asOf: new Date(forecast.asOf).toISOString(),
    by,
    model,
    periods: forecast.periods
      .filter((period) => period.kind === by)
      .map((period) => ({
        ...period,
        wonToDate: {
          ...period.wonToDate,
          revenue: major(period.wonToDate.revenue),
        },
        revenue: band(period.revenue),
        fromOpenDeals: band(period.fromOpenDeals),
        fromNewPipeline: band(period.fromNewPipeline),
        newMrr: band(period.newMrr),
        byChannel: period.byChannel.map((entry) => ({ ...entry, revenue: band(entry.revenue) })),
      })),
    deals: forecast.deals.map((deal) => ({
      ...deal,
      externalId: externalIds.get(deal.dealId) ?? null,
      value: deal.value === null ? null : major(deal.value),
      expectedValue: deal.expectedValue === null ? null : major(deal.expectedValue),
    })),
    targets: forecast.targets.map((target) => ({
      ...target,
      amount: major(target.amount),
      expected: target.expected === null ? null : major(target.expected),
      expectedGap: target.expectedGap === null ? null : major(target.expectedGap),
    })),
  };
}
