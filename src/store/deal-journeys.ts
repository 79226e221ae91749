import { type DealMilestone, milestoneTime } from '../core/deal-milestones.js';
import type { Deal } from '../core/deals.js';
import { amountInCurrency } from '../core/exchange.js';
import { type JourneyBatch, JourneyBatchBuilder } from '../core/journey-batch.js';
import { minorToMajor } from '../core/money.js';
import { cookielessPrefix } from './journeys.js';
import type { EventStore, SessionRecord, StateStore, Workspace } from './ports.js';

/** The channel of a deal nobody's visits can be tied to: reported, never dropped. */
export const unattributedChannel = 'Unattributed';

export interface DealJourneyOptions {
  readonly milestone: DealMilestone;
  /** Also count the touches of everyone with an email at the deal's account domain. */
  readonly accountMode?: boolean;
}

export interface DealJourneys {
  readonly batch: JourneyBatch;
  /** The deal of each journey, in batch order. */
  readonly dealIds: readonly string[];
  /** Each journey's lead: the first conversion of the deal's people, when there was one. */
  readonly leadAt: readonly (number | undefined)[];
  /** Deals that reached the milestone (one journey each). */
  readonly deals: number;
  /** Of those, the deals with no known touch: credited to `Unattributed`. */
  readonly unattributed: number;
  /** Deals whose amount could not be counted (none given, or a currency with no rate). */
  readonly withoutValue: number;
}

/**
 * One journey per deal that reached the milestone: the sessions of the deal's people (linked by
 * email, or by a CRM contact id the site identified them with as user id; with `accountMode`,
 * everyone at the account's domain), bots and cookieless counts left
 * out, cut at the milestone. The journey converts once, for the deal's amount in the workspace
 * currency (major units), and marks its lead, deal-created and won touches for W-shaped and
 * full-path models. Lookback is applied by the caller, counted back from the milestone.
 */
export async function readDealJourneys(
  events: EventStore,
  state: StateStore,
  workspace: Workspace,
  options: DealJourneyOptions,
): Promise<DealJourneys> {
  const deals = await state.deals(workspace.id);
  const pipelines = new Map((await state.pipelines(workspace.id)).map((p) => [p.name, p]));
  const rates = await state.rates(workspace.id);
  const builder = new JourneyBatchBuilder({ withTimes: true, withAttributes: true });
  const { channels, sources, mediums, campaigns } = builder.dictionaries;
  const optional = (dictionary: typeof sources, name: string | null) =>
    name === null ? -1 : dictionary.intern(name);
  const dealIds: string[] = [];
  const leads: (number | undefined)[] = [];
  let count = 0;
  let unattributed = 0;
  let withoutValue = 0;

  for (const deal of deals) {
    const visitors = await visitorsOfDeal(state, workspace.id, deal, options.accountMode === true);
    const sessions = (await events.sessionsOfVisitors(workspace.id, visitors))
      .filter((session) => !session.bot)
      .sort((a, b) => a.startedAt - b.startedAt);
    const conversions = await events.conversionsOfVisitors(workspace.id, visitors);
    const leadAt = conversions.length === 0 ? undefined : Math.min(...conversions.map((c) => c.at));
    const at = milestoneTime(deal, options.milestone, pipelines.get(deal.pipeline), leadAt);
    if (at === undefined) continue;
    count++;
    dealIds.push(deal.id);
    leads.push(leadAt);
    const value = amountInCurrency(deal, rates, workspace.currency);
    if (value === null) withoutValue++;

    const touches = sessions.filter((session) => session.startedAt <= at);
    if (touches.length === 0) {
      unattributed++;
      builder.addTouch(channels.intern(unattributedChannel), at);
    }
    for (const session of touches) {
      builder.addTouch(
        channels.intern(session.channel),
        session.startedAt,
        optional(sources, session.source),
        optional(mediums, session.medium),
        optional(campaigns, session.campaign),
      );
    }
    // A milestone after this journey's own moment has not happened yet in it.
    const lastTouchBy = (moment: number | undefined) =>
      moment === undefined || moment > at ? -1 : lastIndexAtOrBefore(touches, moment);
    builder.endJourney(
      1,
      value === null ? 0 : minorToMajor(value, workspace.currency),
      0,
      at,
      lastTouchBy(leadAt),
      lastTouchBy(deal.createdAt?.at),
      deal.status === 'won' ? lastTouchBy(deal.closedAt?.at) : -1,
    );
  }
  return {
    batch: builder.build(),
    dealIds,
    leadAt: leads,
    deals: count,
    unattributed,
    withoutValue,
  };
}

async function visitorsOfDeal(
  state: StateStore,
  workspaceId: string,
  deal: Deal,
  accountMode: boolean,
): Promise<string[]> {
  const persons = new Set<string>();
  for (const email of deal.emails) {
    const person = await state.personByEmail(workspaceId, email);
    if (person !== undefined) persons.add(person.id);
  }
  // A site that identifies people by their CRM contact id links them to the CRM's deals too.
  for (const contactId of deal.contactIds) {
    const person = await state.personByUserId(workspaceId, contactId);
    if (person !== undefined) persons.add(person.id);
  }
  if (accountMode && deal.accountDomain !== null) {
    for (const person of await state.personsAtDomain(workspaceId, deal.accountDomain)) {
      persons.add(person);
    }
  }
  const visitors = new Set<string>();
  for (const person of persons) {
    for (const visitor of await state.visitorsOfPerson(workspaceId, person)) {
      if (!visitor.startsWith(cookielessPrefix)) visitors.add(visitor);
    }
  }
  return [...visitors];
}

function lastIndexAtOrBefore(sessions: readonly SessionRecord[], at: number): number {
  let found = -1;
  for (const [i, session] of sessions.entries()) if (session.startedAt <= at) found = i;
  return found;
}
