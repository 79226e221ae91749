import type Database from 'better-sqlite3';
import { ClosedloopError } from '../../core/errors.js';
import type {
  ConversionRecord,
  EventStore,
  EventWrite,
  SessionRecord,
  StoredEvent,
} from '../ports.js';
import { closeOnce, guarded } from './failures.js';

const sessionColumns = `id, workspace_id, visitor_id, started_at, last_seen_at, landing_page, referrer,
  source, medium, campaign, term, content, click_ids, channel, bot, page_views`;
const conversionColumns = 'id, workspace_id, visitor_id, type, at, session_id, message_id';
const sessionOrder = 'ORDER BY visitor_id, started_at, id';
/** A column list named by its table's alias: beside json_each, whose own columns include `id`. */
const prefixed = (alias: string, columns: string) =>
  columns
    .split(',')
    .map((column) => `${alias}.${column.trim()}`)
    .join(', ');

/**
 * Every statement of the event store. Lists of ids travel as one JSON array bound to a single
 * parameter and unpacked by json_each, so a statement prepared once serves a list of any length.
 */
export const eventStoreSql = {
  existingMessageIds: `SELECT message_id FROM events
    WHERE workspace_id = ? AND message_id IN (SELECT value FROM json_each(?))`,
  insertEvent: `INSERT INTO events (workspace_id, message_id, type, anonymous_id, user_id, event,
      timestamp, received_at, session_id, bot, properties, context)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (workspace_id, message_id) DO NOTHING`,
  // The first touch (start, landing page, referrer, UTMs, channel) is kept; the caller sends the
  // running page-view total. The stored start comes back, to tell a write that starts earlier.
  upsertSession: `INSERT INTO sessions (${sessionColumns})
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (workspace_id, id) DO UPDATE SET
      last_seen_at = max(sessions.last_seen_at, excluded.last_seen_at),
      page_views = excluded.page_views
    RETURNING started_at`,
  // A page view delivered late that was the session's true first touch. A statement of its own:
  // naming started_at in the upsert would rewrite the visitor index on every page view.
  replaceFirstTouch: `UPDATE sessions SET started_at = ?, landing_page = ?, referrer = ?, source = ?,
      medium = ?, campaign = ?, term = ?, content = ?, click_ids = ?, channel = ?, bot = ?
    WHERE workspace_id = ? AND id = ? AND started_at > ?`,
  insertConversion: `INSERT INTO conversions (${conversionColumns}) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (workspace_id, id) DO NOTHING`,
  latestSession: `SELECT ${sessionColumns} FROM sessions WHERE workspace_id = ? AND visitor_id = ?
    ORDER BY started_at DESC, id DESC LIMIT 1`,
  // Each visitor's row found by the same index walk as latestSession, one per visitor listed.
  latestSessions: `SELECT ${prefixed('s', sessionColumns)} FROM json_each(?)
    JOIN sessions AS s ON s.rowid = (
      SELECT rowid FROM sessions WHERE workspace_id = ? AND visitor_id = json_each.value
      ORDER BY started_at DESC, id DESC LIMIT 1)`,
  sessionAt: `SELECT ${sessionColumns} FROM sessions
    WHERE workspace_id = ? AND visitor_id = ? AND started_at <= ?
    ORDER BY started_at DESC, id DESC LIMIT 1`,
  sessionAfter: `SELECT ${sessionColumns} FROM sessions
    WHERE workspace_id = ? AND visitor_id = ? AND started_at > ?
    ORDER BY started_at, id LIMIT 1`,
  sessionsOfVisitors: `SELECT ${sessionColumns} FROM sessions
    WHERE workspace_id = ? AND visitor_id IN (SELECT value FROM json_each(?))
    ORDER BY started_at, id`,
  // Without statistics the planner would rather scan the workspace in time order than sort a
  // few visitors' conversions; the hint pins the index (and fails loudly should it vanish).
  conversionsOfVisitors: `SELECT ${conversionColumns} FROM conversions INDEXED BY conversions_by_visitor
    WHERE workspace_id = ? AND visitor_id IN (SELECT value FROM json_each(?))
    ORDER BY at, id`,
  firstSessions: `SELECT ${sessionColumns} FROM sessions WHERE workspace_id = ?
    ${sessionOrder} LIMIT ?`,
  // Keyset pagination: resumes after the last row sent, the cost of a page independent of depth.
  nextSessions: `SELECT ${sessionColumns} FROM sessions
    WHERE workspace_id = ? AND (visitor_id, started_at, id) > (?, ?, ?)
    ${sessionOrder} LIMIT ?`,
  conversions: `SELECT ${conversionColumns} FROM conversions WHERE workspace_id = ? ORDER BY at, id`,
  countEvents: 'SELECT count(*) FROM events WHERE workspace_id = ?',
} as const;

interface SessionRow {
  id: string;
  workspace_id: string;
  visitor_id: string;
  started_at: number;
  last_seen_at: number;
  landing_page: string | null;
  referrer: string | null;
  source: string | null;
  medium: string | null;
  campaign: string | null;
  term: string | null;
  content: string | null;
  click_ids: string;
  channel: string;
  bot: number;
  page_views: number;
}

interface ConversionRow {
  id: string;
  workspace_id: string;
  visitor_id: string;
  type: string;
  at: number;
  session_id: string | null;
  message_id: string;
}

const defaultChunkSize = 1000;

/**
 * The event store on a SQLite connection it shares; `release` is told when the port closes, and
 * `durable` makes the connection's commits durable (none needed when each commit syncs).
 */
export function createSqliteEventStore(
  db: Database.Database,
  release: () => void = () => {},
  durable: () => Promise<void> = () => Promise.resolve(),
): EventStore {
  const sql = eventStoreSql;
  const existingMessageIds = db.prepare<[string, string], string>(sql.existingMessageIds).pluck();
  const insertEvent = db.prepare<unknown[]>(sql.insertEvent);
  const upsertSession = db.prepare<unknown[], { started_at: number }>(sql.upsertSession);
  const replaceFirstTouch = db.prepare<unknown[]>(sql.replaceFirstTouch);
  const insertConversion = db.prepare<unknown[]>(sql.insertConversion);
  const latestSession = db.prepare<[string, string], SessionRow>(sql.latestSession);
  const latestSessions = db.prepare<[string, string], SessionRow>(sql.latestSessions);
  const sessionAt = db.prepare<[string, string, number], SessionRow>(sql.sessionAt);
  const sessionAfter = db.prepare<[string, string, number], SessionRow>(sql.sessionAfter);
  const sessionsOfVisitors = db.prepare<[string, string], SessionRow>(sql.sessionsOfVisitors);
  const conversionsOfVisitors = db.prepare<[string, string], ConversionRow>(
    sql.conversionsOfVisitors,
  );
  const firstSessions = db.prepare<[string, number], SessionRow>(sql.firstSessions);
  const nextSessions = db.prepare<[string, string, number, string, number], SessionRow>(
    sql.nextSessions,
  );
  const conversions = db.prepare<[string], ConversionRow>(sql.conversions);
  const countEvents = db.prepare<[string], number>(sql.countEvents).pluck();

  const append = db.transaction((write: EventWrite) => {
    let inserted = 0;
    let conversionsInserted = 0;
    for (const event of write.events) inserted += insertEvent.run(...eventValues(event)).changes;
    for (const session of write.sessions) {
      const stored = upsertSession.get(...sessionValues(session));
      if (stored !== undefined && stored.started_at > session.startedAt) {
        replaceFirstTouch.run(...firstTouchValues(session));
      }
    }
    for (const conversion of write.conversions) {
      conversionsInserted += insertConversion.run(...conversionValues(conversion)).changes;
    }
    return { inserted, conversionsInserted };
  });

  return {
    existingMessageIds: (workspaceId, messageIds) =>
      guarded('existingMessageIds', () =>
        messageIds.length === 0
          ? new Set<string>()
          : new Set(existingMessageIds.all(workspaceId, JSON.stringify(messageIds))),
      ),
    append: (write) => guarded('append', () => append.immediate(write)),
    durable,
    latestSession: (workspaceId, visitorId) =>
      guarded('latestSession', () => {
        const row = latestSession.get(workspaceId, visitorId);
        return row === undefined ? undefined : toSession(row);
      }),
    latestSessions: (workspaceId, visitorIds) =>
      guarded('latestSessions', () =>
        visitorIds.length === 0
          ? []
          : latestSessions.all(JSON.stringify(visitorIds), workspaceId).map(toSession),
      ),
    sessionAt: (workspaceId, visitorId, at) =>
      guarded('sessionAt', () => {
        const row = sessionAt.get(workspaceId, visitorId, at);
        return row === undefined ? undefined : toSession(row);
      }),
    sessionAfter: (workspaceId, visitorId, at) =>
      guarded('sessionAfter', () => {
        const row = sessionAfter.get(workspaceId, visitorId, at);
        return row === undefined ? undefined : toSession(row);
      }),
    sessionsOfVisitors: (workspaceId, visitorIds) =>
      guarded('sessionsOfVisitors', () =>
        visitorIds.length === 0
          ? []
          : sessionsOfVisitors.all(workspaceId, JSON.stringify(visitorIds)).map(toSession),
      ),
    conversionsOfVisitors: (workspaceId, visitorIds) =>
      guarded('conversionsOfVisitors', () =>
        visitorIds.length === 0
          ? []
          : conversionsOfVisitors.all(workspaceId, JSON.stringify(visitorIds)).map(toConversion),
      ),
    async *streamSessions(workspaceId, chunkSize = defaultChunkSize) {
      if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
        throw new ClosedloopError(
          'CL_ERR_CONFIG',
          `chunkSize: ${chunkSize} is not a positive whole number`,
        );
      }
      let rows = await guarded('streamSessions', () => firstSessions.all(workspaceId, chunkSize));
      while (rows.length > 0) {
        yield rows.map(toSession);
        if (rows.length < chunkSize) return;
        const last = rows[rows.length - 1] as SessionRow;
        rows = await guarded('streamSessions', () =>
          nextSessions.all(workspaceId, last.visitor_id, last.started_at, last.id, chunkSize),
        );
      }
    },
    conversions: (workspaceId) =>
      guarded('conversions', () => conversions.all(workspaceId).map(toConversion)),
    countEvents: (workspaceId) => guarded('countEvents', () => countEvents.get(workspaceId) ?? 0),
    close: closeOnce(release),
  };
}

function eventValues(event: StoredEvent): unknown[] {
  return [
    event.workspaceId,
    event.messageId,
    event.type,
    event.anonymousId ?? null,
    event.userId ?? null,
    event.event ?? null,
    event.timestamp,
    event.receivedAt,
    event.sessionId ?? null,
    flag(event.bot),
    event.propertiesJson,
    event.contextJson,
  ];
}

function sessionValues(session: SessionRecord): unknown[] {
  return [
    session.id,
    session.workspaceId,
    session.visitorId,
    session.startedAt,
    session.lastSeenAt,
    session.landingPage ?? null,
    session.referrer ?? null,
    session.source ?? null,
    session.medium ?? null,
    session.campaign ?? null,
    session.term ?? null,
    session.content ?? null,
    JSON.stringify(session.clickIds),
    session.channel,
    flag(session.bot),
    session.pageViews,
  ];
}

function firstTouchValues(session: SessionRecord): unknown[] {
  const [, , , startedAt, , ...touch] = sessionValues(session);
  // Landing page to bot flag, then the row and the start it must be later than.
  return [startedAt, ...touch.slice(0, -1), session.workspaceId, session.id, session.startedAt];
}

function conversionValues(conversion: ConversionRecord): unknown[] {
  return [
    conversion.id,
    conversion.workspaceId,
    conversion.visitorId,
    conversion.type,
    conversion.at,
    conversion.sessionId ?? null,
    conversion.messageId,
  ];
}

/** SQLite binds no booleans; anything but a boolean is left for the CHECK constraint to refuse. */
function flag(value: unknown): unknown {
  return typeof value === 'boolean' ? Number(value) : value;
}

function toSession(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    visitorId: row.visitor_id,
    startedAt: row.started_at,
    lastSeenAt: row.last_seen_at,
    landingPage: row.landing_page,
    referrer: row.referrer,
    source: row.source,
    medium: row.medium,
    campaign: row.campaign,
    term: row.term,
    content: row.content,
    clickIds: JSON.parse(row.click_ids) as Record<string, string>,
    channel: row.channel,
    bot: row.bot === 1,
    pageViews: row.page_views,
  };
}

function toConversion(row: ConversionRow): ConversionRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    visitorId: row.visitor_id,
    type: row.type,
    at: row.at,
    sessionId: row.session_id,
    messageId: row.message_id,
  };
}
