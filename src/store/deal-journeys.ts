import { instantMoment } from '../core/calendar.js';
import { type DealMilestone, lastInstantOf, milestoneTime } from '../core/deal-milestones.js';
import type { Deal, Moment } from '../core/deals.js';
import { amountInCurrency } from '../core/exchange.js';
import { type JourneyBatch, JourneyBatchBuilder } from '../core/journey-batch.js';
import { minorToMajor } from '../core/money.js';
import { cookielessPrefix, unattributedChannel } from './journeys.js';
import type {
  ConversionRecord,
  EventStore,
  SessionRecord,
  StateStore,
  Workspace,
} from './ports.js';

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

  const people = new PeopleOfDeals(events, state, workspace.id, options.accountMode === true);
  for (const [index, deal] of deals.entries()) {
    if (index % dealsPerRead === 0) await people.read(deals.slice(index, index + dealsPerRead));
    const { sessions, conversions } = people.touchesOf(deal);
    // A reduce, not Math.min(...): a spread of 100,000 conversions would overflow the stack.
    const leadAt = conversions.reduce<number | undefined>(
      (first, c) => (first === undefined || c.at < first ? c.at : first),
      undefined,
    );
    const reached = milestoneTime(deal, options.milestone, pipelines.get(deal.pipeline), leadAt);
    if (reached === undefined) continue;
    const zone = workspace.timeZone;
    const at = lastInstantOf(reached, zone);
    count++;
    dealIds.push(deal.id);
    leads.push(leadAt);
    const value = amountInCurrency(deal, rates, workspace.currency, workspace.timeZone);
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
    const lastTouchBy = (moment: Moment | null | undefined) => {
      const by = moment === null || moment === undefined ? undefined : lastInstantOf(moment, zone);
      return by === undefined || by > at ? -1 : lastIndexAtOrBefore(touches, by);
    };
    builder.endJourney(
      1,
      value === null ? 0 : minorToMajor(value, workspace.currency),
      0,
      at,
      lastTouchBy(leadAt === undefined ? undefined : instantMoment(leadAt)),
      lastTouchBy(deal.createdAt),
      deal.status === 'won' ? lastTouchBy(deal.closedAt) : -1,
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

/** Deals whose people and touches are read together: a few queries instead of a few per deal. */
const dealsPerRead = 1000;

/**
 * The people, visitors and touches of deals, read from the stores for many deals at once. The
 * deals of one account share their people, and with `accountMode` everyone at the domain: what
 * was read is kept across reads then; else a read keeps only its own deals'.
 */
class PeopleOfDeals {
  readonly #personsByDomain = new Map<string, readonly string[]>();
  readonly #visitorsByPerson = new Map<string, readonly string[]>();
  readonly #visitorsByDeal = new Map<string, readonly string[]>();
  readonly #sessions = new Map<string, SessionRecord[]>();
  readonly #conversions = new Map<string, ConversionRecord[]>();

  constructor(
    private readonly events: EventStore,
    private readonly state: StateStore,
    private readonly workspaceId: string,
    private readonly accountMode: boolean,
  ) {}

  /**
   * Reads who each deal's people are — linked by email, or by a CRM contact id the site
   * identified them with as user id; with `accountMode`, also everyone at the account's domain —
   * their visitors, and those visitors' sessions (bots left out) and conversions.
   */
  async read(deals: readonly Deal[]): Promise<void> {
    const { events, state, workspaceId } = this;
    this.#visitorsByDeal.clear();
    if (!this.accountMode) {
      this.#visitorsByPerson.clear();
      this.#sessions.clear();
      this.#conversions.clear();
    }
    const { byEmail, byUserId } = await state.personIdsOf(workspaceId, {
      emails: deals.flatMap((deal) => deal.emails),
      userIds: deals.flatMap((deal) => deal.contactIds),
    });
    const personsByDeal = new Map<string, Set<string>>();
    for (const deal of deals) {
      const persons = new Set<string>();
      for (const email of deal.emails) addKnown(persons, byEmail.get(email));
      for (const contactId of deal.contactIds) addKnown(persons, byUserId.get(contactId));
      if (this.accountMode && deal.accountDomain !== null) {
        for (const person of await this.#atDomain(deal.accountDomain)) persons.add(person);
      }
      personsByDeal.set(deal.id, persons);
    }

    const unknownPersons = [
      ...new Set([...personsByDeal.values()].flatMap((set) => [...set])),
    ].filter((person) => !this.#visitorsByPerson.has(person));
    const visitorsOfPersons = await state.visitorsOfPersons(workspaceId, unknownPersons);
    for (const person of unknownPersons) {
      const visitors = visitorsOfPersons.get(person) ?? [];
      // Cookieless page counts are no one's journey.
      this.#visitorsByPerson.set(
        person,
        visitors.filter((visitor) => !visitor.startsWith(cookielessPrefix)),
      );
    }
    for (const [dealId, persons] of personsByDeal) {
      const visitors = new Set<string>();
      for (const person of persons) {
        for (const visitor of this.#visitorsByPerson.get(person) ?? []) visitors.add(visitor);
      }
      this.#visitorsByDeal.set(dealId, [...visitors]);
    }

    const unread = [...new Set([...this.#visitorsByDeal.values()].flat())].filter(
      (visitor) => !this.#sessions.has(visitor),
    );
    if (unread.length === 0) return;
    for (const visitor of unread) {
      this.#sessions.set(visitor, []);
      this.#conversions.set(visitor, []);
    }
    for (const session of await events.sessionsOfVisitors(workspaceId, unread)) {
      if (!session.bot) this.#sessions.get(session.visitorId)?.push(session);
    }
    for (const conversion of await events.conversionsOfVisitors(workspaceId, unread)) {
      this.#conversions.get(conversion.visitorId)?.push(conversion);
    }
  }

  /** The deal's sessions in time order, and its conversions: of a deal the last `read` had. */
  touchesOf(deal: Deal): { sessions: SessionRecord[]; conversions: ConversionRecord[] } {
    const visitors = this.#visitorsByDeal.get(deal.id) ?? [];
    const sessions = visitors
      .flatMap((visitor) => this.#sessions.get(visitor) ?? [])
      .sort((a, b) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return {
      sessions,
      conversions: visitors.flatMap((visitor) => this.#conversions.get(visitor) ?? []),
    };
  }

  async #atDomain(domain: string): Promise<readonly string[]> {
    let persons = this.#personsByDomain.get(domain);
    if (persons === undefined) {
      persons = await this.state.personsAtDomain(this.workspaceId, domain);
      this.#personsByDomain.set(domain, persons);
    }
    return persons;
  }
}

function addKnown(set: Set<string>, value: string | undefined): void {
  if (value !== undefined) set.add(value);
}

function lastIndexAtOrBefore(sessions: readonly SessionRecord[], at: number): number {
  let found = -1;
  for (const [i, session] of sessions.entries()) if (session.startedAt <= at) found = i;
  return found;
}
