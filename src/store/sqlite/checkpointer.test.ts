import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pageEvent, write } from '../conformance/records.js';

// The helper thread runs compiled code: load the built modules, as `closedloop serve` does.
const dist = join(import.meta.dirname, '../../../dist/store/sqlite');
const { openSqliteStore, walPathOf } = (await import(
  join(dist, 'open.js')
)) as typeof import('./open.js');
const { backstopCheckpointPages, startCheckpointer } = (await import(
  join(dist, 'checkpointer.js')
)) as typeof import('./checkpointer.js');

const dir = mkdtempSync(join(tmpdir(), 'closedloop-checkpointer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `store-${++files}.db`);

const pageBytes = 4096;
/** Commits events in tens, each filling most of a page, until `pages` pages are written. */
async function fillWal(store: Awaited<ReturnType<typeof openSqliteStore>>, pages: number) {
  const padding = 'x'.repeat(3_500);
  for (let n = 0; n < pages; n += 10) {
    const events = Array.from({ length: 10 }, (_, k) =>
      pageEvent('ws_a', `m-${files}-${n + k}`, { propertiesJson: `"${padding}"` }),
    );
    await store.events.append(write({ events, sessions: [] }));
  }
}

async function until(condition: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('checkpoints in a helper thread', () => {
  it('leaves the WAL to the helper: commits past SQLite’s usual threshold copy nothing', async () => {
    const path = freshPath();
    const store = await openSqliteStore(path, { deferSync: true, checkpoints: 'helper' });
    expect(store.checkpointer).toBeDefined();
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(backstopCheckpointPages);
    const sizeBefore = statSync(path).size;
    // SQLite's own threshold is 1,000 pages: its checkpoint would have grown the database file.
    await fillWal(store, 1_500);
    expect(statSync(path).size).toBe(sizeBefore);

    const reply = await store.checkpointer?.checkpoint();
    expect(reply).toMatchObject({ walFrames: expect.any(Number) });
    const { walFrames, copiedFrames } = reply as { walFrames: number; copiedFrames: number };
    expect(walFrames).toBeGreaterThan(1_500);
    expect(walFrames).toBeLessThan(backstopCheckpointPages);
    expect(copiedFrames).toBe(walFrames);
    expect(statSync(path).size).toBeGreaterThan(sizeBefore + 1_500 * pageBytes);
    await store.close();
  });

  it('checkpoints after the commits made durable, without being asked', async () => {
    const path = freshPath();
    const store = await openSqliteStore(path, { deferSync: true, checkpoints: 'helper' });
    await fillWal(store, 300);
    const sizeBefore = statSync(path).size;
    await store.events.durable();
    await until(() => statSync(path).size > sizeBefore + 300 * pageBytes);
    await store.close();
  });

  it('ends the thread on close, and the WAL goes with the last connection', async () => {
    const path = freshPath();
    const store = await openSqliteStore(path, { deferSync: true, checkpoints: 'helper' });
    await fillWal(store, 50);
    const wal = walPathOf(path);
    expect(existsSync(wal)).toBe(true);
    await store.close();
    expect(existsSync(wal)).toBe(false);
    expect(await store.checkpointer?.checkpoint()).toEqual({
      error: 'the checkpoint thread stopped: exit code 0',
    });
  });

  it('lets the process end only once it has closed, when nothing else keeps the process alive', () => {
    const path = freshPath();
    const script = `
      const { openSqliteStore } = await import(${JSON.stringify(join(dist, 'open.js'))});
      const store = await openSqliteStore(${JSON.stringify(path)}, { deferSync: true, checkpoints: 'helper' });
      await store.state.createWorkspace('Acme');
      await store.close();
      console.log('closed', store.db.open);`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect({ status: run.status, stdout: run.stdout.trim() }).toEqual({
      status: 0,
      stdout: 'closed false',
    });
    expect(existsSync(walPathOf(path))).toBe(false);
  });

  it('says once why the thread stopped, when it was not closed', async () => {
    const reasons: string[] = [];
    const checkpointer = startCheckpointer(
      { path: join(dir, 'no-such-folder', 'x.db'), busyTimeoutMs: 100 },
      { onStopped: (why) => reasons.push(why) },
    );
    await until(() => reasons.length > 0);
    expect(reasons).toEqual(['Cannot open database because the directory does not exist']);
    expect(await checkpointer?.checkpoint()).toEqual({
      error: `the checkpoint thread stopped: ${reasons[0]}`,
    });
  });

  it('keeps, beside another connection’s helper, the same backstop and no thread', async () => {
    const beside = await openSqliteStore(freshPath(), { checkpoints: 'beside-helper' });
    expect(beside.checkpointer).toBeUndefined();
    expect(beside.db.pragma('wal_autocheckpoint', { simple: true })).toBe(backstopCheckpointPages);
    await beside.close();
  });

  it('is not started for a store in memory, nor unless asked', async () => {
    const memory = await openSqliteStore(':memory:', { deferSync: true, checkpoints: 'helper' });
    expect(memory.checkpointer).toBeUndefined();
    await memory.close();
    const plain = await openSqliteStore(freshPath(), { deferSync: true });
    expect(plain.checkpointer).toBeUndefined();
    expect(plain.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await plain.close();
  });
});
