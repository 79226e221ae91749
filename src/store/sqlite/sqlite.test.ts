import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ClosedloopError } from '../../core/errors.js';
import { describeDealConformance } from '../conformance/deals.conformance.js';
import { describeEventStoreConformance } from '../conformance/event-store.conformance.js';
import { failure } from '../conformance/failure.js';
import { pageEvent, write } from '../conformance/records.js';
import { describeStateStoreConformance } from '../conformance/state-store.conformance.js';
import { dealSql } from './deals.js';
import { eventStoreSql } from './event-store.js';
import { identitySql } from './identity-graph.js';
import { latestSchemaVersion, migrate, migrations } from './migrations.js';
import { busyTimeoutMs, durableWal, openSqliteStore, walPathOf } from './open.js';
import { workspaceSql } from './workspaces.js';

const dir = mkdtempSync(join(tmpdir(), 'closedloop-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
/** A path no test has used. */
const freshPath = () => join(dir, `store-${++files}.db`);

describeEventStoreConformance('sqlite', async () => {
  const store = await openSqliteStore(freshPath());
  return { events: store.events, close: () => store.close() };
});

// The collector's connection: commits leave their fsync to `durable()`.
describeEventStoreConformance('sqlite, sync deferred', async () => {
  const store = await openSqliteStore(freshPath(), { deferSync: true });
  return { events: store.events, close: () => store.close() };
});

const openState = async () => {
  const store = await openSqliteStore(freshPath());
  return { state: store.state, close: () => store.close() };
};
describeStateStoreConformance('sqlite', openState);
describeDealConformance('sqlite', openState);

describe('openSqliteStore', () => {
  it('runs in WAL mode with full fsync on commit, foreign keys and a busy timeout', async () => {
    const store = await openSqliteStore(freshPath());
    const pragma = (name: string) => store.db.pragma(name, { simple: true });
    expect(pragma('journal_mode')).toBe('wal');
    expect(pragma('synchronous')).toBe(2); // FULL
    expect(pragma('foreign_keys')).toBe(1);
    expect(pragma('busy_timeout')).toBe(busyTimeoutMs);
    await store.close();
  });

  it('with deferSync, commits without fsync and syncs the WAL SQLite writes, through a link too', async () => {
    const target = freshPath();
    const link = join(dir, `link-${files}.db`);
    writeFileSync(target, '');
    symlinkSync(target, link);
    const store = await openSqliteStore(link, { deferSync: true });
    expect(store.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    await store.events.append(write({ events: [pageEvent('ws_a', 'm1')] }));
    await store.events.durable();
    expect(walPathOf(link)).toBe(`${target}-wal`);
    expect(statSync(walPathOf(link)).size).toBeGreaterThan(0);
    expect(existsSync(`${link}-wal`)).toBe(false);
    await store.close();

    const memory = await openSqliteStore(':memory:', { deferSync: true });
    expect(memory.db.pragma('synchronous', { simple: true })).toBe(2);
    await expect(memory.events.durable()).resolves.toBeUndefined();
    await memory.close();
  });

  it('after a failed WAL sync, acknowledges nothing more until restarted', async () => {
    let fail = true;
    const wal = {
      sync: () =>
        fail ? Promise.reject(new Error('EIO: i/o error, fdatasync')) : Promise.resolve(),
      close: () => {},
    };
    const durable = durableWal(wal);
    await expect(durable()).rejects.toMatchObject({
      code: 'CL_ERR_STORE',
      message: 'sync the WAL (restart the server): EIO: i/o error, fdatasync',
    });
    fail = false;
    await expect(durable()).rejects.toMatchObject({ code: 'CL_ERR_STORE' });
    await expect(durableWal(wal)()).resolves.toBeUndefined();
  });

  it('creates the folder of a new file, and serves a private store in memory', async () => {
    const nested = join(dir, 'a', 'b', 'closedloop.db');
    const store = await openSqliteStore(nested);
    await store.state.ensureDefaultWorkspace();
    await store.close();
    expect(existsSync(nested)).toBe(true);

    const memory = await openSqliteStore(':memory:');
    expect((await memory.state.ensureDefaultWorkspace()).name).toBe('default');
    await memory.close();
  });

  it('refuses a file that is no SQLite database as CL_ERR_STORE', async () => {
    const path = freshPath();
    writeFileSync(path, 'name,email\nAda,ada@example.com\n'.repeat(200));
    const error = await failure(openSqliteStore(path));
    expect(error.code).toBe('CL_ERR_STORE');
    expect(error.message).toContain(path);
  });

  it('refuses a folder, a device or a file of another kind as `path:`, leaving it as it was', async () => {
    const folder = join(dir, `folder-${Date.now()}`);
    mkdirSync(folder);
    const csv = join(dir, 'touchpoints.csv');
    writeFileSync(csv, 'visitor,channel,at\nv1,email,2024-01-01\n');
    for (const [path, problem] of [
      [folder, 'is a directory; expected a database file'],
      ['/dev/null', 'is not a regular file; expected a database file'],
      [csv, 'is not a SQLite database'],
    ] as const) {
      const error = await failure(openSqliteStore(path));
      // `path:`: the CLI names its --db instead, and tells the user the mistake is theirs.
      expect([error.code, error.message]).toEqual(['CL_ERR_STORE', `path: ${path} ${problem}`]);
    }
    expect(readFileSync(csv, 'utf8')).toBe('visitor,channel,at\nv1,email,2024-01-01\n');
    expect(existsSync(`${csv}-wal`)).toBe(false);
    // An empty file is a new database to SQLite, and is made one.
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    const store = await openSqliteStore(empty);
    expect(await store.state.listWorkspaces()).toEqual([]);
    await store.close();
  });

  it('closes the connection when both ports are closed, and once only', async () => {
    const store = await openSqliteStore(freshPath());
    await store.events.close();
    expect(store.db.open).toBe(true);
    await store.events.close();
    expect(store.db.open).toBe(true);
    await store.state.close();
    expect(store.db.open).toBe(false);
    await store.close();
    const error = await failure(store.events.countEvents('ws_a'));
    expect(error.code).toBe('CL_ERR_STORE');
  });

  it('lets a second connection to the file see what the first committed', async () => {
    const path = freshPath();
    const first = await openSqliteStore(path);
    const second = await openSqliteStore(path);
    await first.events.append(write({ events: [pageEvent('ws_a', 'm1')] }));
    expect(await second.events.countEvents('ws_a')).toBe(1);
    await Promise.all([first.close(), second.close()]);
  });
});

describe('migrations', () => {
  it('are numbered 1, 2, 3… in order', () => {
    expect(migrations.map((migration) => migration.version)).toEqual(
      migrations.map((_, i) => i + 1),
    );
    expect(latestSchemaVersion).toBe(migrations.length);
  });

  it('are recorded once; opening the file again applies nothing', async () => {
    const path = freshPath();
    const store = await openSqliteStore(path);
    const recorded = () =>
      store.db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(recorded()).toEqual(migrations.map(({ version, name }) => ({ version, name })));
    expect(migrate(store.db)).toEqual([]);
    await store.close();

    const again = await openSqliteStore(path);
    expect(again.db.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({
      n: migrations.length,
    });
    await again.close();
  });

  it('take no write lock on a file already at the latest version: a reader opens beside a writer', async () => {
    const path = freshPath();
    await (await openSqliteStore(path)).close();
    const writer = new Database(path);
    writer.exec('BEGIN IMMEDIATE');
    const reader = new Database(path, { timeout: 100 });
    try {
      expect(migrate(reader)).toEqual([]);
    } finally {
      reader.close();
      writer.exec('ROLLBACK');
      writer.close();
    }
  });

  it('refuse a file of a newer schema, naming both versions, and leave it untouched', async () => {
    const path = freshPath();
    const store = await openSqliteStore(path);
    const newer = latestSchemaVersion + 1;
    store.db
      .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
      .run(newer, 'from the future', Date.now());
    await store.close();

    const error = await failure(openSqliteStore(path));
    expect(error.code).toBe('CL_ERR_STORE_SCHEMA');
    expect(error.message).toContain(`version ${newer}`);
    expect(error.message).toContain(`this Closedloop's ${latestSchemaVersion}`);
    expect(error.kind).toBe('failure');
  });

  it('move money stored in Intl display digits to the minor units of ISO 4217 (version 8)', async () => {
    const path = freshPath();
    const raw = new Database(path);
    raw.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT',
    );
    for (const migration of migrations.filter(({ version }) => version <= 7)) {
      raw.exec(migration.sql);
      raw
        .prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)')
        .run(migration.version, migration.name);
    }
    const workspace = raw.prepare('INSERT INTO workspaces VALUES (?, ?, ?, ?, 30, 90, 0)');
    workspace.run('w_idr', 'Jakarta', 'Asia/Jakarta', 'IDR');
    workspace.run('w_usd', 'Boston', 'America/New_York', 'USD');
    const deal = raw.prepare(
      `INSERT INTO deals (workspace_id, id, source, external_id, amount_minor, currency, pipeline,
         status, created_date_only, closed_date_only, expected_close_date_only, emails, contact_ids,
         history, amount_history, updated_at)
       VALUES (?, ?, 'api', ?, ?, ?, 'default', 'open', 0, 0, 0, '[]', '[]', '[]', ?, 0)`,
    );
    // A deal whose currency changed from HUF to USD: each entry keeps its own currency.
    deal.run('w_usd', 'd1', 'D-1', 1800, 'USD', '[[1000,0,1500,"HUF"],[2000,1,1800,"USD"]]');
    deal.run('w_idr', 'd2', 'D-2', 2_500_000, 'IDR', '[[1000,0,2500000,"IDR"]]');
    deal.run('w_idr', 'd3', 'D-3', 900, 'IQD', '[[1000,0,900,"IQD"]]');
    deal.run('w_idr', 'd4', 'D-4', null, 'HUF', '[]');
    const target = raw.prepare('INSERT INTO revenue_targets VALUES (?, ?, ?, 0)');
    target.run('w_idr', '2027-Q1', 5_000_000);
    target.run('w_usd', '2027-Q1', 5_000_000);
    raw.close();

    const store = await openSqliteStore(path);
    const amounts = (workspaceId: string) =>
      store.state
        .deals(workspaceId)
        .then((deals) =>
          deals.map((d) => [
            d.externalId,
            d.amountMinor,
            d.amountHistory.map((e) => [e.at.at, e.at.dateOnly, e.minor, e.currency]),
          ]),
        );
    expect(await amounts('w_usd')).toEqual([
      [
        'D-1',
        1800,
        [
          [1000, false, 150_000, 'HUF'],
          [2000, true, 1800, 'USD'],
        ],
      ],
    ]);
    expect(await amounts('w_idr')).toEqual([
      ['D-2', 250_000_000, [[1000, false, 250_000_000, 'IDR']]],
      ['D-3', 900_000, [[1000, false, 900_000, 'IQD']]],
      ['D-4', null, []],
    ]);
    const targets = store.db
      .prepare('SELECT workspace_id, amount_minor FROM revenue_targets ORDER BY workspace_id')
      .all();
    expect(targets).toEqual([
      { workspace_id: 'w_idr', amount_minor: 500_000_000 },
      { workspace_id: 'w_usd', amount_minor: 5_000_000 },
    ]);
    await store.close();
  });

  it("leave another program's database untouched, saying so", async () => {
    const path = freshPath();
    const other = new Database(path);
    other.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE sessions (x)');
    other.close();
    const error = await failure(openSqliteStore(path));
    expect([error.code, error.message]).toEqual([
      'CL_ERR_STORE',
      `${path}: the file is another program's database (tables users, sessions, no Closedloop schema); give --db a new file or a Closedloop one`,
    ]);
    const after = new Database(path, { readonly: true });
    expect(after.pragma('journal_mode', { simple: true })).toBe('delete');
    const tables = after.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all();
    expect(tables).toEqual([{ name: 'users' }, { name: 'sessions' }]);
    after.close();
  });

  it('create the file and its folder for their owner alone', async () => {
    const folder = join(dir, `private-${Date.now()}`, 'data');
    const store = await openSqliteStore(join(folder, 'cl.db'));
    await store.state.createWorkspace('Acme');
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(statSync(join(folder, 'cl.db')).mode & 0o777).toBe(0o600);
    expect(statSync(join(folder, 'cl.db-wal')).mode & 0o777).toBe(0o600);
    await store.close();
  });

  it('keep the locks of the connections already open when another opens the file', async () => {
    // Closing any descriptor of a file drops the process's POSIX locks on it: opening a second
    // connection (the collector's, beside the app's) used to leave both without their locks, and
    // another program's connection, closing, then deleted the WAL the server still wrote. The
    // probe: another process asking for the file to itself must be refused while both are open.
    const path = freshPath();
    const first = await openSqliteStore(path);
    await first.state.createWorkspace('Acme');
    const second = await openSqliteStore(path);
    const probe = spawnSync(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(${JSON.stringify(path)}, { timeout: 0 });
         db.pragma('locking_mode = EXCLUSIVE');
         try { db.prepare('SELECT count(*) FROM schema_migrations').get(); console.log('taken'); }
         catch (error) { console.log(error.message); }`,
      ],
      { cwd: resolve(import.meta.dirname, '../../..'), encoding: 'utf8' },
    );
    expect(probe.stdout.trim()).toBe('database is locked');
    await second.close();
    await first.close();
  });

  it('refuse a file whose history names a migration this code does not know', async () => {
    const path = freshPath();
    const store = await openSqliteStore(path);
    store.db.prepare('UPDATE schema_migrations SET name = ? WHERE version = 1').run('elsewhere');
    await store.close();
    expect((await failure(openSqliteStore(path))).code).toBe('CL_ERR_STORE_SCHEMA');
  });
});

describe('the SQLite state store', () => {
  it('keeps no secret key in the file, only its SHA-256', async () => {
    const path = freshPath();
    const store = await openSqliteStore(path);
    const { writeKey, secretKey } = await store.state.createWorkspace('Acme');
    // Bytes still in the WAL count too: read the file before and after the checkpoint of close.
    const bytesBefore = Buffer.concat([readFileSync(path), readFileSync(`${path}-wal`)]);
    await store.close();
    const bytes = Buffer.concat([bytesBefore, readFileSync(path)]);
    expect(bytes.includes(secretKey)).toBe(false);
    expect(bytes.includes(secretKey.slice(3))).toBe(false);
    // The scan does find what is stored: the public write key and the hash.
    expect(bytes.includes(writeKey)).toBe(true);
    expect(bytes.includes(createHash('sha256').update(secretKey).digest('hex'))).toBe(true);
  });

  it('records each merge of persons, from the younger into the older', async () => {
    const store = await openSqliteStore(freshPath());
    const ws = (await store.state.createWorkspace('Acme')).workspace.id;
    const older = await store.state.identify(ws, { visitorId: 'v1', email: 'a@example.com' }, 1000);
    const younger = await store.state.identify(ws, { visitorId: 'v2', userId: 'u-1' }, 2000);
    await store.state.identify(ws, { email: 'a@example.com', userId: 'u-1' }, 3000);
    expect(
      store.db.prepare('SELECT from_person_id, into_person_id, at FROM person_merges').all(),
    ).toEqual([{ from_person_id: younger.personId, into_person_id: older.personId, at: 3000 }]);
    await store.close();
  });
});

describe('query plans', () => {
  const statements = { ...eventStoreSql, ...workspaceSql, ...identitySql, ...dealSql };
  /** Reads that walk a whole (small) table or sort a handful of rows by design. */
  const fullScans = new Set(['listWorkspaces']);
  const streamed = ['firstSessions', 'nextSessions', 'latestSession', 'conversions'];

  it('find their rows through indexes, and the streams need no sort', async () => {
    const store = await openSqliteStore(freshPath());
    for (const [name, sql] of Object.entries(statements)) {
      if (sql.trimStart().startsWith('INSERT')) continue;
      const parameters = Array.from(sql.matchAll(/\?/g), () => '[]');
      const plan = store.db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...parameters)
        .map((row) => (row as { detail: string }).detail);
      const scans = plan.filter((step) => /^SCAN (?!json_each)/.test(step));
      if (!fullScans.has(name)) expect(scans, `${name}: ${plan.join('; ')}`).toEqual([]);
      if (streamed.includes(name)) {
        expect(plan.join('; '), name).not.toContain('TEMP B-TREE');
      }
      // Everyone at an account: not the workspace's emails one by one.
      if (name === 'personsAtDomain') {
        expect(plan.join('; ')).toContain(
          'INDEX person_emails_by_domain (workspace_id=? AND domain=?)',
        );
      }
    }
    await store.close();
  });
});

describe('durability', () => {
  const built = resolve(import.meta.dirname, '../../../dist/store/sqlite/open.js');

  it('keeps every acknowledged event when the process is killed (kill -9)', async () => {
    // The writer runs the compiled store; `npm test` builds it first.
    expect(existsSync(built), `${built} (run npm run build)`).toBe(true);
    const path = freshPath();
    const child = join(dir, 'writer.mjs');
    writeFileSync(
      child,
      `const { openSqliteStore } = await import(${JSON.stringify(pathToFileURL(built).href)});
const store = await openSqliteStore(${JSON.stringify(path)});
for (let i = 0; ; i += 1) {
  await store.events.append({ events: [${JSON.stringify(pageEvent('ws_a', 'm'))}]
    .map((event) => ({ ...event, messageId: 'm' + i })), sessions: [], conversions: [] });
  process.stdout.write(i + '\\n');
}
`,
    );
    const writer = spawn(process.execPath, [child], { stdio: ['ignore', 'pipe', 'inherit'] });
    let acknowledged = -1;
    const exited = new Promise<NodeJS.Signals | null>((done) => {
      writer.on('exit', (_code, signal) => done(signal));
    });
    writer.stdout.setEncoding('utf8');
    let pending = '';
    writer.stdout.on('data', (text: string) => {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) acknowledged = Number(line);
      if (acknowledged >= 200) writer.kill('SIGKILL');
    });
    expect(await exited).toBe('SIGKILL');
    expect(acknowledged).toBeGreaterThanOrEqual(200);

    const store = await openSqliteStore(path);
    const ids = Array.from({ length: acknowledged + 1 }, (_, i) => `m${i}`);
    expect((await store.events.existingMessageIds('ws_a', ids)).size).toBe(ids.length);
    expect(await store.events.countEvents('ws_a')).toBeGreaterThanOrEqual(ids.length);
    await store.close();
  });
});

describe('errors', () => {
  it('are ClosedloopErrors with store codes', async () => {
    const store = await openSqliteStore(':memory:');
    const error = await failure(
      store.events.append(write({ events: [pageEvent('ws_a', 'm1', { timestamp: 1.5 })] })),
    );
    expect(error).toBeInstanceOf(ClosedloopError);
    expect(error.code).toBe('CL_ERR_STORE');
    expect(error.message).toMatch(/^append: /);
    await store.close();
  });
});
