import { randomBytes } from 'node:crypto';
import type { ChannelClassifier } from '../core/channels/classify.js';
import type {
  ConversionRecord,
  EventStore,
  SessionRecord,
  StateStore,
  StoredEvent,
  Workspace,
} from '../store/ports.js';
import { conversionEvents, type NormalizedEvent } from './normalize.js';
import { placeInSession } from './sessionize.js';

export interface IngestOutcome {
  /** Events stored by this submission. */
  readonly accepted: number;
  /** Events whose message id was stored before (retries): acknowledged, not stored again. */
  readonly duplicates: number;
}

/** Where the collector hands validated events: an Ingestor, on the app's connection or its own. */
export interface IngestSink {
  /** Settles once the events are committed (or found stored already). */
  submit(workspace: Workspace, events: readonly NormalizedEvent[]): Promise<IngestOutcome>;
  /** Commits everything submitted so far. */
  flush(): Promise<void>;
  /** Flushes, then lets go of what the sink holds. */
  close(): Promise<void>;
}

export interface IngestorOptions {
  readonly events: EventStore;
  readonly state: StateStore;
  readonly classifierFor: (workspace: Workspace) => ChannelClassifier;
  /**
   * How long a submission may wait for others to share its transaction (default: until a turn of
   * the event loop brings no new submission).
   */
  readonly flushDelayMs?: number;
  /** Most visitors whose current session is kept in memory. */
  readonly sessionCacheSize?: number;
  /**
   * How long a continued session's activity (last-seen time and page views) may be kept in
   * memory before it is written (default 0: with the page view's own batch). Every page view
   * rewrites its session's row, a page of the WAL to write and sync for each; under load these are
   * most of what a commit writes. The events, and every session's first touch, are committed
   * before the answer whatever the lag; after a crash the stored activity may be this far behind.
   */
  readonly activityWriteLagMs?: number;
  /** Most sessions whose activity may wait in memory (default 100,000): past it, the oldest are written. */
  readonly maxSessionsBehind?: number;
}

/** Most turns of the event loop a batch waits for more submissions before it commits. */
const maxGatherTurns = 8;

interface Pending {
  readonly workspace: Workspace;
  readonly events: readonly NormalizedEvent[];
  readonly resolve: (outcome: IngestOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: submissions from concurrent requests queue up and are written together, in one
 * transaction every few milliseconds, one batch at a time. A submission's promise settles only
 * after its events are committed, so an acknowledged event is durable; a retried event (same
 * message id) is acknowledged again but stored once.
 */
export class Ingestor implements IngestSink {
  readonly #options: IngestorOptions;
  readonly #sessions = new Map<string, SessionRecord>();
  /** Visitors known to be linked to the person of a user id (`workspace, visitor, user id`). */
  readonly #linked = new Set<string>();
  #queue: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;
  #scheduled = false;
  #writing: Promise<void> = Promise.resolve();
  /** Settles once the last batch written is durable: the next batch need not wait for it. */
  #syncing: Promise<void> = Promise.resolve();
  /** Why the last sync failed, if it did: a shutdown must not report success over it. */
  #syncFailure: unknown;
  /**
   * Sessions whose committed activity is not written yet, by id, with when they fell behind
   * (`performance.now()`: a step of the wall clock moves no deadline); in that order, so the
   * first ones are the first due.
   */
  readonly #behind = new Map<string, { session: SessionRecord; since: number }>();
  #behindTimer: NodeJS.Timeout | undefined;
  /** Once closing, nothing waits in memory: a late submission's activity goes with its batch. */
  #closed = false;

  constructor(options: IngestorOptions) {
    this.#options = options;
  }

  submit(workspace: Workspace, events: readonly NormalizedEvent[]): Promise<IngestOutcome> {
    if (events.length === 0) return Promise.resolve({ accepted: 0, duplicates: 0 });
    return new Promise((resolve, reject) => {
      this.#queue.push({ workspace, events, resolve, reject });
      if (this.#scheduled) return;
      this.#scheduled = true;
      const delay = this.#options.flushDelayMs ?? 0;
      if (delay > 0) this.#timer = setTimeout(() => this.#startFlush(), delay);
      else this.#gather(this.#queue.length, 0);
    });
  }

  /**
   * Writes everything queued so far; resolves when it is durable (for a graceful shutdown), and
   * rejects if the last sync failed.
   */
  async flush(): Promise<void> {
    if (this.#scheduled) {
      clearTimeout(this.#timer);
      this.#startFlush();
    }
    await this.#writing;
    // What a flush leaves in the store is complete, activity kept in memory included.
    if (this.#behind.size > 0) {
      const written = this.#writing.then(() => this.#writeBehind(true));
      this.#writing = written.then(() => undefined);
      const failure = await written;
      if (failure !== undefined) throw failure;
    }
    await this.#syncing;
    if (this.#syncFailure !== undefined) throw this.#syncFailure;
  }

  async close(): Promise<void> {
    this.#closed = true;
    try {
      await this.flush();
    } finally {
      clearTimeout(this.#behindTimer);
      this.#behindTimer = undefined;
    }
  }

  /**
   * By default the batch closes at the first turn of the event loop that brings no new
   * submission (or after a few turns): requests whose bytes trickle in over consecutive turns
   * share one commit, and so one fsync, instead of each turn paying its own. A turn with nothing
   * new costs microseconds; a commit costs a fsync.
   */
  #gather(seen: number, turns: number): void {
    setImmediate(() => {
      const queued = this.#queue.length;
      if (queued > seen && turns < maxGatherTurns) this.#gather(queued, turns + 1);
      else this.#startFlush();
    });
  }

  #startFlush(): void {
    if (!this.#scheduled) return;
    this.#scheduled = false;
    this.#timer = undefined;
    const batch = this.#queue;
    this.#queue = [];
    this.#writing = this.#writing.then(() => this.#write(batch));
  }

  async #write(batch: Pending[]): Promise<void> {
    const byWorkspace = new Map<string, Pending[]>();
    for (const pending of batch) {
      const group = byWorkspace.get(pending.workspace.id) ?? [];
      group.push(pending);
      byWorkspace.set(pending.workspace.id, group);
    }
    const committed: { group: Pending[]; outcomes: IngestOutcome[] }[] = [];
    for (const group of byWorkspace.values()) {
      try {
        committed.push({ group, outcomes: await this.#writeWorkspace(group) });
      } catch (error) {
        if (group.length === 1) {
          (group[0] as Pending).reject(error);
          continue;
        }
        // What failed may be one request's events: each is written alone, so only it fails.
        for (const pending of group) {
          try {
            committed.push({ group: [pending], outcomes: await this.#writeWorkspace([pending]) });
          } catch (alone) {
            pending.reject(alone);
          }
        }
      }
    }
    if (committed.length === 0) return;
    // Acknowledged once durable; meanwhile the next batch is already being written.
    this.#syncing = this.#options.events.durable().then(
      () => {
        this.#syncFailure = undefined;
        for (const { group, outcomes } of committed) {
          for (const [i, pending] of group.entries()) pending.resolve(outcomes[i] as IngestOutcome);
        }
      },
      (error: unknown) => {
        this.#syncFailure = error;
        for (const { group } of committed) for (const pending of group) pending.reject(error);
      },
    );
  }

  async #writeWorkspace(group: Pending[]): Promise<IngestOutcome[]> {
    const workspace = (group[0] as Pending).workspace;
    const eventStore = this.#options.events;
    const ids = new Set<string>();
    for (const pending of group) {
      for (const event of pending.events) {
        ids.add(event.messageId);
        if (event.earlierWindowId !== undefined) ids.add(event.earlierWindowId);
      }
    }
    const stored = await eventStore.existingMessageIds(workspace.id, [...ids]);
    const seen = new Set<string>();
    const known = (id: string | undefined) => id !== undefined && (stored.has(id) || seen.has(id));
    const fresh: NormalizedEvent[] = [];
    const outcomes = group.map((pending) => {
      let accepted = 0;
      for (const event of pending.events) {
        if (known(event.messageId) || known(event.earlierWindowId)) continue;
        seen.add(event.messageId);
        fresh.push(event);
        accepted++;
      }
      return { accepted, duplicates: pending.events.length - accepted };
    });
    // Sessions are built in time order, whatever order requests arrived in.
    fresh.sort((a, b) => a.timestamp - b.timestamp);
    const touchedVisitors = new Set<string>();
    try {
      const { sessions, rewritten, ...placed } = await this.#place(
        workspace,
        fresh,
        touchedVisitors,
      );
      const now = performance.now();
      const { written, deferred } = this.#activityPlan(sessions, rewritten, now);
      await eventStore.append({ ...placed, sessions: written });
      this.#settleActivity(written, deferred, now);
    } catch (error) {
      // The cached sessions may hold what was never committed: read them from the store again.
      for (const visitor of touchedVisitors)
        this.#sessions.delete(sessionKey(workspace.id, visitor));
      throw error;
    }
    return outcomes;
  }

  async #place(
    workspace: Workspace,
    events: readonly NormalizedEvent[],
    touchedVisitors: Set<string>,
  ) {
    const { events: eventStore, state, classifierFor } = this.#options;
    const rules = {
      workspaceId: workspace.id,
      timeoutMs: workspace.sessionTimeoutMinutes * 60_000,
      classify: classifierFor(workspace),
      newSessionId: () => timeOrderedId('s'),
    };
    const sessions = new Map<string, SessionRecord>();
    // Each visitor's session as this batch left it: the cache may evict it before the commit,
    // and the store does not have it yet.
    const placed = new Map<string, SessionRecord>();
    // Each visitor's older session that late events of this batch went into.
    const lateSessions = new Map<string, SessionRecord>();
    const stored: StoredEvent[] = [];
    const conversions: ConversionRecord[] = [];
    // Sessions opened, or given an earlier first touch, by this batch: written whatever the lag.
    const rewritten = new Set<string>();
    // Visitors with a conversion in this batch (not yet in the store).
    const converted = new Set<string>();
    const storedLatest = await this.#latestOfUncached(workspace.id, events);
    for (const event of events) {
      const visitorId = visitorOf(event);
      const key = sessionKey(workspace.id, visitorId);
      touchedVisitors.add(visitorId);
      const newest =
        placed.get(key) ??
        this.#sessions.get(key) ??
        this.#withActivity(
          storedLatest.has(visitorId)
            ? storedLatest.get(visitorId)
            : await eventStore.latestSession(workspace.id, visitorId),
        );
      // An event that arrives late, older than the visitor's newest session, goes on with the
      // session its time falls in, stored or opened by this batch, while that one is still live;
      // else with the older session this batch opened for such events, or the newest.
      let current = newest;
      if (newest !== undefined && event.timestamp < newest.startedAt) {
        const late = lateSessions.get(key);
        const older = await this.#sessionAt(workspace, visitorId, event.timestamp, sessions, late);
        if (older !== undefined && event.timestamp - older.lastSeenAt <= rules.timeoutMs) {
          current = older;
        } else if (event.kind === 'page') {
          // Continuing no visit, a page view may be the first page of the visit that follows it,
          // whether or not the visitor came back later still; other events open no visit.
          const found = this.#withActivity(
            await eventStore.sessionAfter(workspace.id, visitorId, event.timestamp),
          );
          const next = found === undefined ? undefined : (sessions.get(found.id) ?? found);
          current =
            next !== undefined && next.startedAt - event.timestamp <= rules.timeoutMs
              ? next
              : (late ?? newest);
        } else current = late ?? newest;
      }
      const step = placeInSession(current, event, visitorId, rules);
      if (step.session !== null) {
        if (step.started || step.session.startedAt !== current?.startedAt) {
          rewritten.add(step.session.id);
        }
        sessions.set(step.session.id, step.session);
        // A session older than the newest is stored, but the newest stays current, or the
        // visitor's next page view would be measured against the old one and open a new one.
        // The newest itself stays current when a late page view becomes its first touch.
        if (
          newest === undefined ||
          step.session.id === newest.id ||
          step.session.startedAt >= newest.startedAt
        ) {
          placed.set(key, step.session);
          this.#remember(key, step.session);
        } else lateSessions.set(key, step.session);
      }
      const sessionId = step.session?.id ?? null;
      const conversion = (type: string) => {
        // Bots still stitch identities, but what they submit is no lead: flagged by the event's
        // own user agent, or by its session's (a server-side call sends none).
        if (event.bot || step.session?.bot === true) return;
        converted.add(visitorId);
        conversions.push({
          id: timeOrderedId('c'),
          workspaceId: workspace.id,
          visitorId,
          type,
          at: event.timestamp,
          sessionId,
          messageId: event.messageId,
        });
      };
      // Identity first, and for bots too: a bot flag keeps an event out of reports, not out of the graph.
      if (event.kind === 'alias' && event.previousId !== null && event.userId !== null) {
        await state.alias(workspace.id, event.previousId, event.userId, event.timestamp);
      } else if (
        event.email !== null ||
        event.phone !== null ||
        event.userId !== null ||
        event.kind === 'identify'
      ) {
        // A user id alone (a server-side Segment call) links the visitor `user:ID` to whoever has
        // that user id, so what it tracks joins their journey; once linked, it stays linked.
        const linkOnly = event.email === null && event.phone === null && event.kind !== 'identify';
        const link = `${workspace.id}\u0000${visitorId}\u0000${event.userId}`;
        const knownLink = linkOnly && this.#linked.has(link);
        if (!knownLink && (event.email !== null || event.phone !== null || event.userId !== null)) {
          const result = await state.identify(
            workspace.id,
            {
              visitorId,
              email: event.email ?? undefined,
              userId: event.userId ?? undefined,
              phone: event.phone ?? undefined,
            },
            event.timestamp,
          );
          if (linkOnly) this.#rememberLink(link);
          if (
            event.kind === 'identify' &&
            (await this.#isFirstConversion(workspace.id, result.personId, converted))
          ) {
            conversion('identify');
          }
        }
      }
      if (
        event.kind === 'track' &&
        event.event !== null &&
        conversionEvents.has(event.event.trim().toLowerCase())
      ) {
        conversion(event.event.trim().toLowerCase().replaceAll(' ', '_'));
      }
      stored.push({
        workspaceId: workspace.id,
        messageId: event.messageId,
        type: event.kind,
        anonymousId: event.anonymousId,
        userId: event.userId,
        event: event.event,
        timestamp: event.timestamp,
        receivedAt: event.receivedAt,
        sessionId,
        bot: event.bot,
        propertiesJson: event.propertiesJson,
        contextJson: event.contextJson,
      });
    }
    return { events: stored, sessions: [...sessions.values()], conversions, rewritten };
  }

  /**
   * The stored latest session (or none) of each visitor of the batch the cache lacks, in one read
   * rather than one each; a visitor the cache lets go during the batch is read on its own.
   */
  async #latestOfUncached(
    workspaceId: string,
    events: readonly NormalizedEvent[],
  ): Promise<Map<string, SessionRecord | undefined>> {
    const latest = new Map<string, SessionRecord | undefined>();
    for (const event of events) {
      const visitorId = visitorOf(event);
      if (!this.#sessions.has(sessionKey(workspaceId, visitorId))) latest.set(visitorId, undefined);
    }
    if (latest.size === 0) return latest;
    for (const session of await this.#options.events.latestSessions(workspaceId, [
      ...latest.keys(),
    ])) {
      latest.set(session.visitorId, session);
    }
    return latest;
  }

  /** A stored session with the activity this process committed and has not written yet. */
  #withActivity(stored: SessionRecord | undefined): SessionRecord | undefined {
    return stored === undefined ? undefined : (this.#behind.get(stored.id)?.session ?? stored);
  }

  /**
   * Which of a batch's sessions are written with it: those it opened or gave an earlier first
   * touch, and those whose activity has waited the lag; the others' new activity waits. Activity
   * already due is written beside them, and past `maxSessionsBehind` the oldest is, a thousand
   * sessions more than the excess, so that no one commit writes them all.
   */
  #activityPlan(
    sessions: readonly SessionRecord[],
    rewritten: ReadonlySet<string>,
    now: number,
  ): { written: SessionRecord[]; deferred: SessionRecord[] } {
    const lag = this.#options.activityWriteLagMs ?? 0;
    if (lag <= 0 || this.#closed) return { written: [...sessions], deferred: [] };
    const due = this.#due(now - lag);
    const written: SessionRecord[] = [];
    const deferred: SessionRecord[] = [];
    for (const session of sessions) {
      (rewritten.has(session.id) || due.has(session.id) ? written : deferred).push(session);
      // This batch's own version is newer than the one kept.
      due.delete(session.id);
    }
    written.push(...due.values());
    return { written, deferred };
  }

  /** The kept activity fallen behind by `dueBy`, and the oldest past `maxSessionsBehind`. */
  #due(dueBy: number): Map<string, SessionRecord> {
    let excess = this.#behind.size - (this.#options.maxSessionsBehind ?? 100_000);
    if (excess >= 0) excess += 1_000;
    const due = new Map<string, SessionRecord>();
    for (const [id, { session, since }] of this.#behind) {
      if (since > dueBy && excess <= 0) break;
      excess--;
      due.set(id, session);
    }
    return due;
  }

  /** Once a batch is committed: what it wrote is no longer behind, what it deferred is. */
  #settleActivity(
    written: readonly SessionRecord[],
    deferred: readonly SessionRecord[],
    now: number,
  ): void {
    for (const session of written) this.#behind.delete(session.id);
    for (const session of deferred) {
      const since = this.#behind.get(session.id)?.since ?? now;
      this.#behind.set(session.id, { session, since });
    }
    this.#scheduleBehind();
  }

  /** Without traffic no batch carries the activity due: a timer writes it when the first is. */
  #scheduleBehind(): void {
    const first = this.#behind.values().next().value;
    if (first === undefined || this.#closed || this.#behindTimer !== undefined) return;
    const lag = this.#options.activityWriteLagMs ?? 0;
    const wait = Math.max(0, first.since + lag - performance.now());
    this.#behindTimer = setTimeout(() => {
      this.#behindTimer = undefined;
      this.#writing = this.#writing.then(async () => {
        await this.#writeBehind(false);
      });
    }, wait);
    this.#behindTimer.unref();
  }

  /**
   * Writes the activity due (or all of it), and makes it durable; returns the failure, if any,
   * instead of throwing: the write chain must go on, and what failed stays behind, for later.
   */
  async #writeBehind(all: boolean): Promise<unknown> {
    const lag = this.#options.activityWriteLagMs ?? 0;
    const due = all
      ? [...this.#behind.values()].map((kept) => kept.session)
      : [...this.#due(performance.now() - lag).values()];
    let failure: unknown;
    if (due.length > 0) {
      try {
        await this.#options.events.append({ events: [], sessions: due, conversions: [] });
        for (const session of due) this.#behind.delete(session.id);
        this.#syncing = this.#options.events.durable().then(
          () => {
            this.#syncFailure = undefined;
          },
          (error: unknown) => {
            this.#syncFailure = error;
          },
        );
      } catch (error) {
        failure = error;
      }
    }
    this.#scheduleBehind();
    return failure;
  }

  /**
   * The visitor's last session started by `at`: the stored one, as this batch has left it, or
   * the one this batch opened for late events, whichever started later.
   */
  async #sessionAt(
    workspace: Workspace,
    visitorId: string,
    at: number,
    touched: ReadonlyMap<string, SessionRecord>,
    late: SessionRecord | undefined,
  ): Promise<SessionRecord | undefined> {
    const found = this.#withActivity(
      await this.#options.events.sessionAt(workspace.id, visitorId, at),
    );
    const stored = found === undefined ? undefined : (touched.get(found.id) ?? found);
    const opened = late !== undefined && late.startedAt <= at ? late : undefined;
    if (stored === undefined || opened === undefined) return stored ?? opened;
    return opened.startedAt >= stored.startedAt ? opened : stored;
  }

  /** An identify is a lead only for a person who has not converted before, on any device. */
  async #isFirstConversion(
    workspaceId: string,
    personId: string,
    convertedInBatch: ReadonlySet<string>,
  ): Promise<boolean> {
    const visitors = await this.#options.state.visitorsOfPerson(workspaceId, personId);
    if (visitors.some((visitor) => convertedInBatch.has(visitor))) return false;
    return (await this.#options.events.conversionsOfVisitors(workspaceId, visitors)).length === 0;
  }

  #rememberLink(link: string): void {
    // Forgetting costs one identify call again, never a wrong link: a plain set, cleared when full.
    if (this.#linked.size >= (this.#options.sessionCacheSize ?? 100_000)) this.#linked.clear();
    this.#linked.add(link);
  }

  #remember(key: string, session: SessionRecord): void {
    this.#sessions.delete(key);
    this.#sessions.set(key, session);
    const limit = this.#options.sessionCacheSize ?? 100_000;
    if (this.#sessions.size > limit) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest !== undefined) this.#sessions.delete(oldest);
    }
  }
}

/** Whose sessions an event joins: its anonymous id, or its user id when it has none. */
const visitorOf = (event: NormalizedEvent) => event.anonymousId ?? `user:${event.userId}`;

/** A visitor's entry in the session cache, which holds every workspace's visitors. */
const sessionKey = (workspaceId: string, visitorId: string) => `${workspaceId}\u0000${visitorId}`;

/**
 * Ids that sort by creation time, then a per-process random tag and a counter: new rows land at
 * the end of the primary-key index instead of all over it, which keeps inserts cheap.
 */
function timeOrderedId(prefix: string): string {
  idCounter = (idCounter + 1) % 0x100000;
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${processTag}${idCounter.toString(36).padStart(4, '0')}`;
}

// Random per process, so that two servers sharing a store never make the same id.
const processTag = randomBytes(6).toString('hex');
let idCounter = 0;
