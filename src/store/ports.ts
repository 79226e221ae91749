import type { Deal, ExchangeRate, Pipeline } from '../core/deals.js';

/**
 * The two store ports. At scale they live in different engines — events in ClickHouse, state in
 * PostgreSQL — so they are separate interfaces, and async even where SQLite answers at once.
 * Times are UTC milliseconds; money is integer minor units.
 */

export interface WorkspaceSettings {
  readonly timeZone: string;
  readonly currency: string;
  /** Idle minutes after which a visitor's next page view starts a new session. */
  readonly sessionTimeoutMinutes: number;
  readonly lookbackDays: number;
}

export interface Workspace extends WorkspaceSettings {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
}

/** A CRM's ids of pipelines and stages, each with its name (Pipedrive: `"3": "Qualified"`). */
export interface CrmNames {
  readonly pipelines: Readonly<Record<string, string>>;
  readonly stages: Readonly<Record<string, string>>;
}

export interface CreatedWorkspace {
  readonly workspace: Workspace;
  /** Public: goes into the tracker snippet; allows collecting only. */
  readonly writeKey: string;
  /** Shown once: only its hash is stored. */
  readonly secretKey: string;
}

export interface Person {
  readonly id: string;
  readonly workspaceId: string;
  /** Normalised (trimmed, lower case). */
  readonly emails: readonly string[];
  readonly userIds: readonly string[];
  readonly createdAt: number;
}

/** What ties a visitor to a person: an email, a user id, or both. */
export interface IdentityClaim {
  readonly visitorId?: string;
  readonly email?: string;
  readonly userId?: string;
  /** E.164 (`+14155550100`); the person is then also known by the user id `tel:+14155550100`. */
  readonly phone?: string;
}

export interface IdentifyResult {
  readonly personId: string;
  /** True when the visitor was not linked to this person before (a new lead, a new device). */
  readonly visitorNewlyLinked: boolean;
}

/** Mutable, modest, transactional: workspaces, keys, persons and their identity graph. */
export interface StateStore {
  /** The workspace named `default` (UTC, USD), made on first use. */
  ensureDefaultWorkspace(): Promise<Workspace>;
  createWorkspace(name: string, settings?: Partial<WorkspaceSettings>): Promise<CreatedWorkspace>;
  listWorkspaces(): Promise<Workspace[]>;
  /** By id, or else by name. */
  findWorkspace(idOrName: string): Promise<Workspace | undefined>;
  updateWorkspaceSettings(id: string, settings: Partial<WorkspaceSettings>): Promise<Workspace>;
  workspaceByWriteKey(writeKey: string): Promise<Workspace | undefined>;
  workspaceBySecretKey(secretKey: string): Promise<Workspace | undefined>;
  writeKeyOf(workspaceId: string): Promise<string>;
  /** A new secret key for the workspace (only its hash is kept); older keys keep working. */
  issueSecretKey(workspaceId: string): Promise<string>;
  /** The shared secret a CRM (hubspot, pipedrive) signs or authenticates its webhooks with. */
  setIntegrationSecret(workspaceId: string, provider: string, secret: string): Promise<void>;
  integrationSecret(workspaceId: string, provider: string): Promise<string | undefined>;
  /** What the CRM's webhooks name by id, by the names the CRM shows (replaces what was set). */
  setIntegrationNames(workspaceId: string, provider: string, names: CrmNames): Promise<void>;
  integrationNames(workspaceId: string, provider: string): Promise<CrmNames | undefined>;

  /**
   * Links the claim's visitor, email and user id into one person (union-find: when they point at
   * two persons, the persons merge into the older one). Emails are stored normalised and as SHA-256.
   */
  identify(workspaceId: string, claim: IdentityClaim, at: number): Promise<IdentifyResult>;
  /** Segment's alias: the visitor (or previous id) and the user id are the same person. */
  alias(
    workspaceId: string,
    previousId: string,
    userId: string,
    at: number,
  ): Promise<IdentifyResult>;
  personByEmail(workspaceId: string, email: string): Promise<Person | undefined>;
  /** The person a user id (a site's own id, or a CRM contact id sent as one) belongs to. */
  personByUserId(workspaceId: string, userId: string): Promise<Person | undefined>;
  /** Ids of the persons with an email at this domain (everyone known at an account). */
  personsAtDomain(workspaceId: string, domain: string): Promise<string[]>;
  person(workspaceId: string, personId: string): Promise<Person | undefined>;
  visitorsOfPerson(workspaceId: string, personId: string): Promise<string[]>;
  /**
   * The persons of many emails and user ids at once (a report asks for every deal's): each key
   * as given → the person's id; keys nobody has are left out.
   */
  personIdsOf(
    workspaceId: string,
    keys: { readonly emails: readonly string[]; readonly userIds: readonly string[] },
  ): Promise<{ readonly byEmail: Map<string, string>; readonly byUserId: Map<string, string> }>;
  /** The visitors of many persons at once, each person's in the order they were linked. */
  visitorsOfPersons(
    workspaceId: string,
    personIds: readonly string[],
  ): Promise<Map<string, string[]>>;
  /** Visitor → person for every linked visitor of the workspace. */
  personsByVisitor(workspaceId: string): Promise<Map<string, string>>;
  /** SHA-256 hex of each of the person's emails (for ad-platform matching). */
  emailHashesOf(workspaceId: string, personId: string): Promise<string[]>;

  /**
   * Reads the stored deals of `source` with these external ids, lets `merge` decide what they
   * become, and writes what it returns — in one transaction, so concurrent updates of one deal
   * (webhook retries) cannot interleave. `merge` is pure and synchronous. A draft whose
   * (source, externalId) is new gets a fresh id.
   */
  mergeDeals(
    workspaceId: string,
    source: string,
    externalIds: readonly string[],
    merge: (stored: ReadonlyMap<string, Deal>) => readonly DealDraft[],
  ): Promise<DealMergeResult>;
  /** Every deal of the workspace (of one pipeline when given), oldest first. */
  deals(workspaceId: string, filter?: { readonly pipeline?: string }): Promise<Deal[]>;
  pipelines(workspaceId: string): Promise<Pipeline[]>;
  /** Creates or replaces the pipeline of that name. */
  savePipeline(workspaceId: string, pipeline: Pipeline): Promise<void>;
  /** Rates are keyed by (currency, date): a rate given again replaces the old one. */
  saveRates(workspaceId: string, rates: readonly ExchangeRate[]): Promise<void>;
  rates(workspaceId: string): Promise<ExchangeRate[]>;
  /** Sets (or replaces) the revenue target of a period: `2027`, `2027-Q1` or `2027-03`. */
  setTarget(workspaceId: string, target: RevenueTarget): Promise<void>;
  /** Targets ordered by period. */
  targets(workspaceId: string): Promise<RevenueTarget[]>;
  close(): Promise<void>;
}

export interface RevenueTarget {
  readonly period: string;
  /** Minor units of the workspace currency. */
  readonly amountMinor: number;
}

/** A deal as a merge returns it: the store adds the id, workspace and time of the write. */
export type DealDraft = Omit<Deal, 'id' | 'workspaceId' | 'updatedAt'>;

export interface DealMergeResult {
  /** Ids of the deals made, and of those changed, by this call. */
  readonly created: readonly string[];
  readonly updated: readonly string[];
}

export type EventType = 'page' | 'track' | 'identify' | 'alias';

export interface StoredEvent {
  readonly workspaceId: string;
  readonly messageId: string;
  readonly type: EventType;
  readonly anonymousId: string | null;
  readonly userId: string | null;
  /** Track events: the event name. */
  readonly event: string | null;
  /** When it happened, corrected for client clock skew. */
  readonly timestamp: number;
  readonly receivedAt: number;
  readonly sessionId: string | null;
  readonly bot: boolean;
  /** The event's properties, as JSON. */
  readonly propertiesJson: string;
  /** The event's context, IP already truncated, as JSON. */
  readonly contextJson: string;
}

export interface SessionRecord {
  readonly id: string;
  readonly workspaceId: string;
  readonly visitorId: string;
  readonly startedAt: number;
  readonly lastSeenAt: number;
  readonly landingPage: string | null;
  readonly referrer: string | null;
  readonly source: string | null;
  readonly medium: string | null;
  readonly campaign: string | null;
  readonly term: string | null;
  readonly content: string | null;
  readonly clickIds: Readonly<Record<string, string>>;
  readonly channel: string;
  readonly bot: boolean;
  readonly pageViews: number;
}

export interface ConversionRecord {
  readonly id: string;
  readonly workspaceId: string;
  readonly visitorId: string;
  readonly type: string;
  readonly at: number;
  readonly sessionId: string | null;
  readonly messageId: string;
}

/**
 * One atomic write: the events, the sessions they opened or extended, the conversions. Its rows
 * may belong to several workspaces (the collector writes the activity it kept beside a batch).
 */
export interface EventWrite {
  readonly events: readonly StoredEvent[];
  /**
   * Upserted by id: a session's later page views update lastSeenAt and pageViews only; a write
   * that starts earlier (a page view delivered late, the session's true first touch) also
   * replaces the start and every first-touch field: landing page, referrer, UTMs, click ids,
   * channel, bot flag.
   */
  readonly sessions: readonly SessionRecord[];
  readonly conversions: readonly ConversionRecord[];
}

/** What a write stored: events and conversions new to the store (retries are not stored twice). */
export interface AppendResult {
  readonly inserted: number;
  readonly conversionsInserted: number;
}

/** Append-only and high-volume: events, sessions, conversions; analytical reads. */
export interface EventStore {
  /** Of the given message ids, those already stored (client retries are normal). */
  existingMessageIds(workspaceId: string, messageIds: readonly string[]): Promise<Set<string>>;
  /**
   * All or nothing; an event whose message id is stored already is skipped, not duplicated.
   * Resolves once committed: readers see the write, and it survives a killed process.
   */
  append(write: EventWrite): Promise<AppendResult>;
  /**
   * Resolves once everything appended before the call survives a power cut too: await it before
   * acknowledging. An engine whose commits are durable already resolves at once; one that defers
   * its syncs makes one for all the commits made meanwhile.
   */
  durable(): Promise<void>;
  /** The visitor's most recent session, to continue it or start the next. */
  latestSession(workspaceId: string, visitorId: string): Promise<SessionRecord | undefined>;
  /**
   * The most recent session of each visitor given that has one, in one read: a batch's visitors
   * at once. In no particular order.
   */
  latestSessions(workspaceId: string, visitorIds: readonly string[]): Promise<SessionRecord[]>;
  /** The visitor's last session started at or before `at`: where an event that arrives late goes. */
  sessionAt(workspaceId: string, visitorId: string, at: number): Promise<SessionRecord | undefined>;
  /** The visitor's first session started after `at`: what a late page view may have begun. */
  sessionAfter(
    workspaceId: string,
    visitorId: string,
    at: number,
  ): Promise<SessionRecord | undefined>;
  /** Sessions of the visitors, in time order. */
  sessionsOfVisitors(workspaceId: string, visitorIds: readonly string[]): Promise<SessionRecord[]>;
  conversionsOfVisitors(
    workspaceId: string,
    visitorIds: readonly string[],
  ): Promise<ConversionRecord[]>;
  /** Every session of the workspace ordered by visitor then time, in chunks. */
  streamSessions(workspaceId: string, chunkSize?: number): AsyncIterable<SessionRecord[]>;
  /** Every conversion of the workspace. */
  conversions(workspaceId: string): Promise<ConversionRecord[]>;
  countEvents(workspaceId: string): Promise<number>;
  close(): Promise<void>;
}
