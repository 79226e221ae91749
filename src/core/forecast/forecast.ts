/**
 * The revenue forecast as of an instant: settings chosen by the workspace's own backtest (unless
 * given), the model fitted, the Monte Carlo drawn, and the draws read as bands per month, quarter
 * and year, per-deal explanations and target outlooks. The one entry point for the CLI and API.
 */
import type { Deal, Pipeline } from '../deals.js';
import {
  checkSomeDealKnown,
  dealsAsOf,
  defaultAsOf,
  givenAsOfLaterDatesNote,
  laterDatesNote,
} from '../deals-as-of.js';
import { ClosedloopError } from '../errors.js';
import { blendDraws, noBlend, trailingLevel } from './blend.js';
import { chooseSettings } from './choose-settings.js';
import type { DealSizeStatistic } from './deal-values.js';
import { expectedByMonth } from './expected.js';
import { type DealExplanation, explainDeals } from './explain.js';
import { type FittedModel, fitModel, type ModelInput } from './model.js';
import { type Draws, drawOutcomes } from './monte-carlo.js';
import type { ChannelCredit, ChannelRunRate } from './new-pipeline.js';
import { type PeriodForecast, summarisePeriods } from './periods.js';
import type { ModelSettings } from './settings.js';
import {
  evaluateTargets,
  type LeadTouch,
  type RevenueTarget,
  type TargetOutlook,
} from './targets.js';
import { wonDeals } from './won.js';

export interface ForecastInput {
  /** Every deal as known now (the forecast rewinds them to `asOf`). */
  readonly deals: readonly Deal[];
  readonly pipelines: readonly Pipeline[];
  /** IANA zone of the workspace: months, quarters and years are read there. */
  readonly timeZone: string;
  /** ISO 4217 code of the workspace currency; amounts are its minor units. */
  readonly currency: string;
  /** A deal's amount in minor units of `currency` (e.g. `amountInCurrency`); null when unknown. */
  readonly amountOf: (deal: Deal) => number | null;
  /** Default: just after the latest date in the deals, at most now (`defaultAsOf`). */
  readonly asOf?: number;
  /** The as-of date's name where the caller took it, for errors (default `asOf`; the CLI's `--as-of`). */
  readonly asOfName?: string;
  /** The present (default: the clock): the default as-of date is never after it. */
  readonly now?: number;
  /** Months to forecast, the one containing `asOf` first (default 6). */
  readonly horizon?: number;
  /** Monte Carlo draws (default 10,000) and seed (default 1). */
  readonly draws?: number;
  readonly seed?: number;
  /** Value of an open deal without an amount: its group's average (default) or median won size. */
  readonly dealSize?: DealSizeStatistic;
  /** Deal id → channel → share of credit, from the attribution model the user picked. */
  readonly channelCredit?: ChannelCredit;
  /** Leads with their channel, for the plan's leads per channel per month. */
  readonly leads?: readonly LeadTouch[];
  readonly targets?: readonly RevenueTarget[];
  /** Fixed settings; default: chosen by backtest on the workspace's own history. */
  readonly settings?: ModelSettings;
}

export interface Forecast {
  readonly asOf: number;
  readonly horizon: number;
  readonly currency: string;
  readonly timeZone: string;
  readonly draws: number;
  /**
   * Whether any deal won or open at as-of has an amount; without, revenue figures are 0 and only
   * counts mean much.
   */
  readonly hasAmounts: boolean;
  readonly settings: ModelSettings;
  /** Months, then quarters, then years the horizon touches. */
  readonly periods: readonly PeriodForecast[];
  /** Open deals, biggest expected value first. */
  readonly deals: readonly DealExplanation[];
  readonly targets: readonly TargetOutlook[];
  /** Deal creation per channel in the run-rate window. */
  readonly runRates: readonly ChannelRunRate[];
  /** Choices made and data left out, in words. */
  readonly notes: readonly string[];
}

const defaultHorizon = 6;
/** The longest horizon a forecast takes (months). */
export const maxHorizon = 60;
const defaultDraws = 10_000;

/** The fitted model and its draws as well as the report: the backtest reads the draws directly. */
export interface ForecastRun {
  readonly forecast: Forecast;
  readonly model: FittedModel;
  readonly draws: Draws;
}

export function forecastRevenue(input: ForecastInput): Forecast {
  return runForecast(input).forecast;
}

export function runForecast(input: ForecastInput): ForecastRun {
  const now = input.now ?? Date.now();
  const asOf = input.asOf ?? defaultAsOf(input.deals, input.timeZone, now);
  const asOfName = input.asOfName ?? 'asOf';
  if (asOf === null) {
    throw new ClosedloopError(
      'CL_ERR_MODEL_INPUT',
      `${asOfName}: the deals hold no date; give an as-of date`,
    );
  }
  const horizon = input.horizon ?? defaultHorizon;
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > maxHorizon) {
    throw new ClosedloopError(
      'CL_ERR_MODEL_OPTION',
      `horizon: expected 1 to ${maxHorizon} months, got ${horizon}`,
    );
  }
  const drawCount = input.draws ?? defaultDraws;
  const known = dealsAsOf(input.deals, asOf, {
    timeZone: input.timeZone,
    pipelines: input.pipelines,
  });
  // As the backtest leaves such dates out: a forecast of zeros would read as no sales to come.
  if (input.asOf !== undefined) {
    checkSomeDealKnown(input.deals, known, input.asOf, input.timeZone, asOfName);
  }
  const later =
    input.asOf === undefined
      ? laterDatesNote(input.deals, input.timeZone, now)
      : givenAsOfLaterDatesNote(input.deals, input.timeZone, now, input.asOf);
  const modelInput: ModelInput = {
    deals: known,
    pipelines: input.pipelines,
    timeZone: input.timeZone,
    amountOf: input.amountOf,
    asOf,
    horizon,
    dealSize: input.dealSize ?? 'average',
    channelCredit: input.channelCredit,
    now,
  };
  const choice = input.settings === undefined ? chooseSettings(modelInput) : null;
  const settings = input.settings ?? (choice?.settings as ModelSettings);
  const model = fitModel(modelInput, settings);
  const draws = drawOutcomes(model, {
    draws: drawCount,
    seed: input.seed ?? 1,
    extraSpread: settings.extraSpread,
  });
  const won = wonDeals(known, input.amountOf, input.timeZone);
  blendDraws(
    draws,
    expectedByMonth(model),
    model.months,
    trailingLevel(won, model.asOfDay),
    settings.trailingWeight ?? noBlend,
    input.seed ?? 1,
  );
  const targets = evaluateTargets(
    model,
    draws,
    won,
    input.targets ?? [],
    input.leads,
    input.timeZone,
  );
  const forecast: Forecast = {
    asOf,
    horizon,
    currency: input.currency,
    timeZone: input.timeZone,
    draws: drawCount,
    // An open deal's amount is revenue the forecast shows, as much as a won one's.
    hasAmounts: known.some((deal) => deal.status !== 'lost' && input.amountOf(deal) !== null),
    settings,
    periods: summarisePeriods(model, draws, won),
    deals: explainDeals(model),
    targets,
    runRates: model.newPipeline.channels,
    notes: [
      ...(later === null ? [] : [later]),
      ...(choice?.notes ?? []),
      ...model.notes,
      ...targets.flatMap(partlyCovered),
    ],
  };
  return { forecast, model, draws };
}

/** A target the horizon covers only the start of is not judged: say so, and what would judge it. */
function partlyCovered(target: TargetOutlook): string[] {
  if (target.coveredTo === null || target.horizonNeeded === null) return [];
  const judge =
    target.horizonNeeded <= maxHorizon
      ? `a horizon of ${target.horizonNeeded} months judges it`
      : `it ends beyond the longest horizon, ${maxHorizon} months`;
  return [
    `target ${target.period} is covered to ${target.coveredTo} only, so it is not judged: ${judge}`,
  ];
}
