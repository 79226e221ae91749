import { applyLookback } from '../../core/attribution/lookback.js';
import type { Deal, Pipeline } from '../../core/deals.js';
import { ClosedloopError } from '../../core/errors.js';
import { amountInCurrency } from '../../core/exchange.js';
import { funnelStatistics } from '../../core/funnel/statistics.js';
import type { Amount, FunnelStatistics, Lead, PeriodFilter } from '../../core/funnel/types.js';
import { minorToMajor } from '../../core/money.js';
import { readDealJourneys } from '../../store/deal-journeys.js';
import type { EventStore, StateStore, Workspace } from '../../store/ports.js';

export interface FunnelRequest {
  readonly pipeline?: string;
  readonly asOf?: number;
  /** The as-of date's name where the caller took it, for errors (default `--as-of`, the CLI's flag). */
  readonly asOfName?: string;
  readonly period?: PeriodFilter;
  readonly segment?: string;
  /** The present, past which the default as-of date does not go (default: the clock). */
  readonly now?: number;
}

/** Amounts in major units, times as ISO text: the shape the CLI prints and the API returns. */
export type FunnelReport = Omit<FunnelStatistics, 'asOf'> & { readonly asOf: string | null };

/**
 * The funnel of one pipeline as of a date, from the store: deals with their amounts converted to
 * the workspace currency, deal sizes by first- and last-touch channel (the touches of the deal's
 * people before it was created, within the workspace's lookback window), and cohorts by the month
 * of each person's first conversion.
 */
export async function funnelReport(
  events: EventStore,
  state: StateStore,
  workspace: Workspace,
  request: FunnelRequest,
): Promise<FunnelReport> {
  const pipelines = await state.pipelines(workspace.id);
  if (pipelines.length === 0) {
    const count = (await state.deals(workspace.id)).length;
    if (count === 0) throw noDeals();
    // Deals without a stage make no pipeline: say that, not that there are no deals.
    if (request.pipeline === undefined) {
      throw new ClosedloopError(
        'CL_ERR_MODEL_INPUT',
        `funnel: none of the workspace's ${count} deals has a stage; send their stages, or set the stages with \`closedloop pipeline set\``,
      );
    }
  }
  // A pipeline set by hand makes no deals: a workspace without them is refused as the forecast
  // refuses it, whatever pipeline is asked for, not answered with zeros. (With deals in other
  // pipelines only, the funnel of an empty one is zeros indeed.)
  const hasNoDeals = async () => (await state.deals(workspace.id)).length === 0;
  let pipeline: Pipeline;
  try {
    pipeline = choosePipeline(pipelines, request.pipeline);
  } catch (error) {
    throw (await hasNoDeals()) ? noDeals() : error;
  }
  const deals = await state.deals(workspace.id, { pipeline: pipeline.name });
  if (deals.length === 0 && (await hasNoDeals())) throw noDeals();
  checkSegment(deals, pipeline, request.segment);
  const rates = await state.rates(workspace.id);
  const journeys = await readDealJourneys(events, state, workspace, {
    milestone: { kind: 'deal' },
  });
  const firstTouch = new Map<string, string>();
  const lastTouch = new Map<string, string>();
  // The workspace's lookback window, as `attribute --milestone` applies it: a deal whose touches
  // all lie outside it goes to Direct there, and so here.
  const batch = applyLookback(journeys.batch, { days: workspace.lookbackDays });
  const names = batch.dictionaries.channels.names;
  for (const [j, dealId] of journeys.dealIds.entries()) {
    const start = batch.touchOffsets[j] as number;
    const end = batch.touchOffsets[j + 1] as number;
    firstTouch.set(dealId, names[batch.touchChannel[start] as number] as string);
    lastTouch.set(dealId, names[batch.touchChannel[end - 1] as number] as string);
  }
  const statistics = funnelStatistics({
    deals,
    pipeline,
    timeZone: workspace.timeZone,
    currency: workspace.currency,
    amountOf: (deal: Deal) => amountInCurrency(deal, rates, workspace.currency, workspace.timeZone),
    asOf: request.asOf,
    asOfName: request.asOfName ?? '--as-of',
    period: request.period,
    segment: request.segment,
    now: request.now,
    firstTouch,
    lastTouch,
    leads: await leadsOf(events, state, workspace.id, deals),
  });
  return inMajorUnits(statistics);
}

/** As the forecast says it: nothing is missing from the request, the workspace lacks data. */
const noDeals = () =>
  new ClosedloopError(
    'CL_ERR_MODEL_INPUT',
    'funnel: the workspace has no deals yet; import some with `closedloop import deals`',
  );

function choosePipeline(pipelines: readonly Pipeline[], name: string | undefined): Pipeline {
  if (name !== undefined) {
    const found = pipelines.find((pipeline) => pipeline.name === name);
    if (found !== undefined) return found;
    throw new ClosedloopError(
      'CL_ERR_NOT_FOUND',
      `pipeline: no pipeline named "${name}"${pipelines.length > 0 ? `; there are ${pipelines.map((p) => `"${p.name}"`).join(', ')}` : ''}`,
    );
  }
  const [only, ...others] = pipelines;
  // Unreached: a workspace without pipelines is refused before, for its deals or their stages.
  if (only === undefined) throw noDeals();
  if (others.length > 0 && !pipelines.some((pipeline) => pipeline.name === 'default')) {
    throw new ClosedloopError(
      'CL_ERR_USAGE',
      `pipeline: the workspace has ${pipelines.length} pipelines (${pipelines.map((p) => `"${p.name}"`).join(', ')}); name one`,
    );
  }
  return pipelines.find((pipeline) => pipeline.name === 'default') ?? only;
}

/** Segments listed in the refusal: enough to spot a typo or wrong case, never a flood. */
const segmentsShown = 20;

/**
 * A segment none of the pipeline's deals has is refused: a typo or wrong case (`enterprise` for
 * `Enterprise`) would otherwise read as a funnel of zero deals.
 */
function checkSegment(
  deals: readonly Deal[],
  pipeline: Pipeline,
  segment: string | undefined,
): void {
  if (segment === undefined) return;
  const segments = new Set<string>();
  for (const deal of deals) if (deal.segment !== null) segments.add(deal.segment);
  if (segments.has(segment)) return;
  const names = [...segments].sort();
  const listed = names.slice(0, segmentsShown).map((name) => JSON.stringify(name));
  if (names.length > segmentsShown) listed.push(`and ${names.length - segmentsShown} more`);
  throw new ClosedloopError(
    'CL_ERR_NOT_FOUND',
    `segment: no segment named ${JSON.stringify(segment)} in pipeline ${JSON.stringify(pipeline.name)}; ${listed.length > 0 ? `there are ${listed.join(', ')}` : 'its deals have no segment'}`,
  );
}

/** Every lead (a person's, or an anonymous visitor's, first conversion) with the person's deals. */
async function leadsOf(
  events: EventStore,
  state: StateStore,
  workspaceId: string,
  deals: readonly Deal[],
): Promise<Lead[]> {
  const personOf = await state.personsByVisitor(workspaceId);
  const firstAt = new Map<string, number>();
  for (const conversion of await events.conversions(workspaceId)) {
    const owner = personOf.get(conversion.visitorId) ?? conversion.visitorId;
    firstAt.set(owner, Math.min(firstAt.get(owner) ?? conversion.at, conversion.at));
  }
  const { byEmail } = await state.personIdsOf(workspaceId, {
    emails: deals.flatMap((deal) => deal.emails),
    userIds: [],
  });
  const dealsOf = new Map<string, string[]>();
  for (const deal of deals) {
    for (const email of deal.emails) {
      const person = byEmail.get(email);
      if (person === undefined) continue;
      const list = dealsOf.get(person) ?? [];
      if (!list.includes(deal.id)) list.push(deal.id);
      dealsOf.set(person, list);
    }
  }
  return [...firstAt].map(([owner, at]) => ({ at, dealIds: dealsOf.get(owner) ?? [] }));
}

function inMajorUnits(statistics: FunnelStatistics): FunnelReport {
  const major = (amount: Amount): Amount => ({
    ...amount,
    amount: amount.amount === null ? null : minorToMajor(amount.amount, amount.currency),
  });
  const groups = <T extends { average: Amount; median: Amount }>(list: readonly T[] | null) =>
    list?.map((group) => ({
      ...group,
      average: major(group.average),
      median: major(group.median),
    })) ?? null;
  return {
    ...statistics,
    asOf: statistics.asOf === null ? null : new Date(statistics.asOf).toISOString(),
    wonRevenue: major(statistics.wonRevenue),
    averageDealSize: major(statistics.averageDealSize),
    medianDealSize: major(statistics.medianDealSize),
    salesVelocity: major(statistics.salesVelocity),
    dealSizeBy: {
      firstTouch: groups(statistics.dealSizeBy.firstTouch),
      lastTouch: groups(statistics.dealSizeBy.lastTouch),
      segment: groups(statistics.dealSizeBy.segment) ?? [],
    },
    cohorts:
      statistics.cohorts?.map((cohort) => ({ ...cohort, wonRevenue: major(cohort.wonRevenue) })) ??
      null,
  };
}
