import type Database from 'better-sqlite3';
import { ClosedloopError } from '../../core/errors.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * The schema, in order. Never edit a migration that has shipped: append the next version.
 * Times are INTEGER UTC milliseconds; JSON is TEXT. Tables are STRICT so a wrong type fails
 * instead of being stored. Event tables hold no foreign keys to state tables: at scale they live
 * in another engine (ClickHouse), and every id there is scoped by its workspace.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'state: workspaces, keys, persons and their identity graph',
    sql: `
      CREATE TABLE workspaces (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        time_zone TEXT NOT NULL,
        currency TEXT NOT NULL CHECK (length(currency) = 3),
        session_timeout_minutes INTEGER NOT NULL CHECK (session_timeout_minutes > 0),
        lookback_days INTEGER NOT NULL CHECK (lookback_days > 0),
        created_at INTEGER NOT NULL
      ) STRICT;

      -- The write key is public (it sits in the page's snippet) and kept in clear; a secret key
      -- only as the SHA-256 hex of its text.
      CREATE TABLE api_keys (
        id INTEGER PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces (id),
        kind TEXT NOT NULL CHECK (kind IN ('write', 'secret')),
        write_key TEXT UNIQUE,
        secret_sha256 TEXT UNIQUE,
        created_at INTEGER NOT NULL,
        CHECK (CASE kind
          WHEN 'write' THEN write_key IS NOT NULL AND secret_sha256 IS NULL
          ELSE secret_sha256 IS NOT NULL AND write_key IS NULL END)
      ) STRICT;
      CREATE INDEX api_keys_of_workspace ON api_keys (workspace_id, kind, created_at);

      -- A person merged into an older one keeps its row, pointing at the survivor, so ids handed
      -- out before the merge still lead somewhere.
      CREATE TABLE persons (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces (id),
        created_at INTEGER NOT NULL,
        merged_into TEXT REFERENCES persons (id)
      ) STRICT;
      CREATE INDEX persons_merged_into ON persons (merged_into) WHERE merged_into IS NOT NULL;

      CREATE TABLE person_emails (
        workspace_id TEXT NOT NULL REFERENCES workspaces (id),
        email TEXT NOT NULL CHECK (email <> ''),
        email_sha256 TEXT NOT NULL,
        person_id TEXT NOT NULL REFERENCES persons (id),
        added_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, email)
      ) STRICT;
      CREATE INDEX person_emails_of_person ON person_emails (workspace_id, person_id);

      CREATE TABLE person_user_ids (
        workspace_id TEXT NOT NULL REFERENCES workspaces (id),
        user_id TEXT NOT NULL CHECK (user_id <> ''),
        person_id TEXT NOT NULL REFERENCES persons (id),
        added_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, user_id)
      ) STRICT;
      CREATE INDEX person_user_ids_of_person ON person_user_ids (workspace_id, person_id);

      CREATE TABLE visitors (
        workspace_id TEXT NOT NULL REFERENCES workspaces (id),
        visitor_id TEXT NOT NULL CHECK (visitor_id <> ''),
        person_id TEXT NOT NULL REFERENCES persons (id),
        linked_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, visitor_id)
      ) STRICT;
      CREATE INDEX visitors_of_person ON visitors (workspace_id, person_id);

      CREATE TABLE person_merges (
        id INTEGER PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces (id),
        from_person_id TEXT NOT NULL REFERENCES persons (id),
        into_person_id TEXT NOT NULL REFERENCES persons (id),
        at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'events: events, sessions, conversions',
    sql: `
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        message_id TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('page', 'track', 'identify', 'alias')),
        anonymous_id TEXT,
        user_id TEXT,
        event TEXT,
        timestamp INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        session_id TEXT,
        bot INTEGER NOT NULL CHECK (bot IN (0, 1)),
        properties TEXT NOT NULL,
        context TEXT NOT NULL,
        UNIQUE (workspace_id, message_id)
      ) STRICT;

      CREATE TABLE sessions (
        workspace_id TEXT NOT NULL,
        id TEXT NOT NULL,
        visitor_id TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        landing_page TEXT,
        referrer TEXT,
        source TEXT,
        medium TEXT,
        campaign TEXT,
        term TEXT,
        content TEXT,
        click_ids TEXT NOT NULL,
        channel TEXT NOT NULL,
        bot INTEGER NOT NULL CHECK (bot IN (0, 1)),
        page_views INTEGER NOT NULL CHECK (page_views >= 0),
        PRIMARY KEY (workspace_id, id)
      ) STRICT;
      -- Serves a visitor's latest session, sessions of visitors, and the ordered stream.
      CREATE INDEX sessions_by_visitor ON sessions (workspace_id, visitor_id, started_at, id);

      CREATE TABLE conversions (
        workspace_id TEXT NOT NULL,
        id TEXT NOT NULL,
        visitor_id TEXT NOT NULL,
        type TEXT NOT NULL,
        at INTEGER NOT NULL,
        session_id TEXT,
        message_id TEXT NOT NULL,
        PRIMARY KEY (workspace_id, id)
      ) STRICT;
      CREATE INDEX conversions_by_visitor ON conversions (workspace_id, visitor_id, at);
      CREATE INDEX conversions_by_time ON conversions (workspace_id, at, id);
    `,
  },
  {
    version: 3,
    name: 'state: deals, pipelines, exchange rates, CRM integration secrets',
    sql: `
      -- A moment is an instant and whether the CRM gave a date alone (a calendar date).
      CREATE TABLE deals (
        workspace_id TEXT NOT NULL REFERENCES workspaces (id),
        id TEXT NOT NULL,
        source TEXT NOT NULL,
        external_id TEXT NOT NULL,
        name TEXT,
        amount_minor INTEGER,
        currency TEXT CHECK (currency IS NULL OR length(currency) = 3),
        pipeline TEXT NOT NULL,
        stage TEXT,
        status TEXT NOT NULL CHECK (status IN ('open', 'won', 'lost')),
        created_at INTEGER,
        created_date_only INTEGER NOT NULL CHECK (created_date_only IN (0, 1)),
        closed_at INTEGER,
        closed_date_only INTEGER NOT NULL CHECK (closed_date_only IN (0, 1)),
        expected_close_at INTEGER,
        expected_close_date_only INTEGER NOT NULL CHECK (expected_close_date_only IN (0, 1)),
        owner TEXT,
        segment TEXT,
        channel TEXT,
        account TEXT,
        account_domain TEXT,
        emails TEXT NOT NULL,
        contact_ids TEXT NOT NULL,
        recurring_interval TEXT CHECK (recurring_interval IN ('month', 'year')),
        term_months INTEGER,
        history TEXT NOT NULL,
        amount_history TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, id),
        UNIQUE (workspace_id, source, external_id)
      ) STRICT;
      CREATE INDEX deals_by_pipeline ON deals (workspace_id, pipeline);

      CREATE TABLE pipelines (
        workspace_id TEXT NOT NULL REFERENCES workspaces (id),
        name TEXT NOT NULL,
        stages TEXT NOT NULL,
        PRIMARY KEY (workspace_id, name)
      ) STRICT;

      CREATE TABLE exchange_rates (
        workspace_id TEXT NOT NULL REFERENCES workspaces (id),
        currency TEXT NOT NULL CHECK (length(currency) = 3),
        date INTEGER NOT NULL,
        date_only INTEGER NOT NULL CHECK (date_only IN (0, 1)),
        rate REAL NOT NULL CHECK (rate > 0),
        PRIMARY KEY (workspace_id, currency, date)
      ) STRICT;

      -- Shared secrets CRMs sign or authenticate their webhooks with. Kept readable (an HMAC needs
      -- the secret itself), unlike API secret keys, which are stored as hashes.
      CREATE TABLE integrations (
        workspace_id TEXT NOT NULL REFERENCES workspaces (id),
        provider TEXT NOT NULL,
        secret TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, provider)
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: 'state: revenue targets',
    sql: `
      -- A target per period key: 2027 (year), 2027-Q1 (quarter) or 2027-03 (month), in the
      -- workspace's currency and time zone.
      CREATE TABLE revenue_targets (
        workspace_id TEXT NOT NULL REFERENCES workspaces (id),
        period TEXT NOT NULL,
        amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, period)
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: 'state: names CRM webhooks give by id',
    sql: `
      -- Pipedrive's webhooks name pipelines and stages by id; its exports and the app by name.
      -- names: {"pipelines": {"1": "Sales"}, "stages": {"3": "Qualified"}}
      CREATE TABLE integration_names (
        workspace_id TEXT NOT NULL REFERENCES workspaces (id),
        provider TEXT NOT NULL,
        names TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, provider)
      ) STRICT;
    `,
  },
  {
    version: 6,
    name: 'state: persons found by the domain of their email',
    sql: `
      -- Account-based attribution asks for everyone at a deal's domain, once per deal.
      ALTER TABLE person_emails ADD COLUMN domain TEXT
        GENERATED ALWAYS AS (substr(email, instr(email, '@') + 1)) VIRTUAL;
      CREATE INDEX person_emails_by_domain ON person_emails (workspace_id, domain, person_id);
    `,
  },
  {
    version: 7,
    name: 'state: when the CRM said each field of a deal',
    sql: `
      -- Webhooks arrive late and out of order: {"amount": 1800000000000, "status": ...} in epoch
      -- milliseconds keeps an older delivery from undoing a newer one. NULL: no source said.
      ALTER TABLE deals ADD COLUMN field_times TEXT;
    `,
  },
  {
    version: 8,
    name: 'state: money in the minor units of ISO 4217',
    // Minor units followed Intl's display digits, which give none to 16 currencies that ISO 4217
    // gives decimals (IDR, HUF, COP...): their stored amounts move to ISO's minor units.
    sql: `
      CREATE TEMP TABLE minor_scale (currency TEXT PRIMARY KEY, factor INTEGER NOT NULL);
      INSERT INTO minor_scale VALUES ('AFN', 100), ('ALL', 100), ('COP', 100), ('HUF', 100),
        ('IDR', 100), ('IQD', 1000), ('IRR', 100), ('KPW', 100), ('LAK', 100), ('LBP', 100),
        ('MGA', 100), ('MMK', 100), ('PKR', 100), ('SOS', 100), ('SYP', 100), ('YER', 100);
      UPDATE deals SET amount_minor = amount_minor *
          (SELECT factor FROM minor_scale WHERE minor_scale.currency = deals.currency)
        WHERE amount_minor IS NOT NULL AND currency IN (SELECT currency FROM minor_scale);
      -- Each history entry is [at, dateOnly, minor, currency], in its own currency.
      UPDATE deals SET amount_history = (
          SELECT json_group_array(json_array(
            entry.value ->> 0,
            entry.value ->> 1,
            (entry.value ->> 2) * coalesce(
              (SELECT factor FROM minor_scale WHERE minor_scale.currency = entry.value ->> 3), 1),
            entry.value ->> 3) ORDER BY entry.key)
          FROM json_each(deals.amount_history) AS entry)
        WHERE EXISTS (SELECT 1 FROM json_each(deals.amount_history) AS entry
          WHERE entry.value ->> 3 IN (SELECT currency FROM minor_scale));
      UPDATE revenue_targets SET amount_minor = amount_minor * (
          SELECT factor FROM minor_scale JOIN workspaces ON workspaces.currency = minor_scale.currency
          WHERE workspaces.id = revenue_targets.workspace_id)
        WHERE workspace_id IN (SELECT id FROM workspaces
          WHERE currency IN (SELECT currency FROM minor_scale));
      DROP TABLE minor_scale;
    `,
  },
];

/** The newest schema version this code knows. */
export const latestSchemaVersion = migrations[migrations.length - 1]?.version ?? 0;

/**
 * Brings the file to the latest schema in one transaction: all pending migrations or none. A file
 * written by a newer Closedloop, or by a different history of migrations, is refused untouched.
 * A file already at the latest version is only read: in WAL mode a reader never waits for a
 * writer, so a report opens while an import or the collector holds the write lock.
 */
export function migrate(db: Database.Database, at: number = Date.now()): number[] {
  if (db.transaction(() => pendingMigrations(db, false))().length === 0) return [];
  return db
    .transaction(() => {
      db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at INTEGER NOT NULL
      ) STRICT`);
      // Again under the write lock: another process may have migrated the file meanwhile.
      const pending = pendingMigrations(db, true);
      const record = db.prepare<[number, string, number]>(
        'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
      );
      for (const migration of pending) {
        db.exec(migration.sql);
        record.run(migration.version, migration.name, at);
      }
      return pending.map((migration) => migration.version);
    })
    .immediate();
}

/** The migrations the file lacks, after checking its history is this code's. */
function pendingMigrations(db: Database.Database, tableExists: boolean): readonly Migration[] {
  const hasTable =
    tableExists ||
    db
      .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'")
      .get() !== undefined;
  if (!hasTable) return migrations;
  const applied = db
    .prepare<[], { version: number; name: string }>(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    )
    .all();
  const fileVersion = applied[applied.length - 1]?.version ?? 0;
  if (fileVersion > latestSchemaVersion) {
    throw new ClosedloopError(
      'CL_ERR_STORE_SCHEMA',
      `${db.name}: the file's schema is version ${fileVersion}, newer than this Closedloop's ${latestSchemaVersion}; upgrade Closedloop to open it`,
    );
  }
  for (const row of applied) {
    const known = migrations.find((migration) => migration.version === row.version);
    if (known?.name !== row.name) {
      throw new ClosedloopError(
        'CL_ERR_STORE_SCHEMA',
        `${db.name}: schema version ${row.version} of the file is "${row.name}", which this Closedloop does not know`,
      );
    }
  }
  return migrations.filter((migration) => migration.version > fileVersion);
}
