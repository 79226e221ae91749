import { type DealMilestone, milestoneTime } from '../core/deal-milestones.js';
import type { Deal } from '../core/deals.js';
import { amountInCurrency } from '../core/exchange.js';
import { type JourneyBatch, JourneyBatchBuilder } from '../core/journey-batch.js';
import { minorToMajor } from '../core/money.js';
import { cookielessPrefix } from './journeys.js';
import type {
  ConversionRecord,
  EventStore,
  SessionRecord,
  StateStore,
  Workspace,
} from './ports.js';

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

  const people = new PeopleOfDeals(events, state, workspace.id, options.accountMode === true);
  for (const deal of deals) {
    const visitors = await people.visitorsOf(deal);
    const { sessions, conversions } = await people.touchesOf(visitors);
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

/**
 * The people, visitors and touches of deals, asked of the stores once per read where deals share
 * them: the deals of one account share their people, and with `accountMode` everyone at the domain.
 */
class PeopleOfDeals {
  readonly #personsByDomain = new Map<string, readonly string[]>();
  readonly #visitorsByPerson = new Map<string, readonly string[]>();
  readonly #sessions = new Map<string, SessionRecord[]>();
  readonly #conversions = new Map<string, ConversionRecord[]>();

  constructor(
    private readonly events: EventStore,
    private readonly state: StateStore,
    private readonly workspaceId: string,
    private readonly accountMode: boolean,
  ) {}

  /** Linked by email, or by a CRM contact id the site identified them with as user id. */
  async visitorsOf(deal: Deal): Promise<string[]> {
    const { state, workspaceId } = this;
    const persons = new Set<string>();
    for (const email of deal.emails) {
      const person = await state.personByEmail(workspaceId, email);
      if (person !== undefined) persons.add(person.id);
    }
    for (const contactId of deal.contactIds) {
      const person = await state.personByUserId(workspaceId, contactId);
      if (person !== undefined) persons.add(person.id);
    }
    if (this.accountMode && deal.accountDomain !== null) {
      for (const person of await this.#atDomain(deal.accountDomain)) persons.add(person);
    }
    const visitors = new Set<string>();
    for (const person of persons) {
      for (const visitor of await this.#visitorsOfPerson(person)) visitors.add(visitor);
    }
    return [...visitors];
  }

  /**
   * Their sessions in time order, bots left out, and their conversions. Kept for the next deal
   * only in account mode, where the deals of an account share everyone's touches; else a deal's
   * people are mostly its own, and keeping every session read would only hold memory.
   */
  async touchesOf(
    visitors: readonly string[],
  ): Promise<{ sessions: SessionRecord[]; conversions: ConversionRecord[] }> {
    if (!this.accountMode) {
      this.#sessions.clear();
      this.#conversions.clear();
    }
    const unread = visitors.filter((visitor) => !this.#sessions.has(visitor));
    if (unread.length > 0) {
      for (const visitor of unread) {
        this.#sessions.set(visitor, []);
        this.#conversions.set(visitor, []);
      }
      for (const session of await this.events.sessionsOfVisitors(this.workspaceId, unread)) {
        if (!session.bot) this.#sessions.get(session.visitorId)?.push(session);
      }
      for (const conversion of await this.events.conversionsOfVisitors(this.workspaceId, unread)) {
        this.#conversions.get(conversion.visitorId)?.push(conversion);
      }
    }
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

  async #visitorsOfPerson(person: string): Promise<readonly string[]> {
    let visitors = this.#visitorsByPerson.get(person);
    if (visitors === undefined) {
      visitors = (await this.state.visitorsOfPerson(this.workspaceId, person)).filter(
        (visitor) => !visitor.startsWith(cookielessPrefix),
      );
      this.#visitorsByPerson.set(person, visitors);
    }
    return visitors;
  }
}

function lastIndexAtOrBefore(sessions: readonly SessionRecord[], at: number): number {
  let found = -1;
  for (const [i, session] of sessions.entries()) if (session.startedAt <= at) found = i;
  return found;
}
