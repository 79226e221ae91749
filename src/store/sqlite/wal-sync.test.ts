import { readdirSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateAfterTurns } from '../../test-support/promise-state.js';
import { tempDirectory } from '../../test-support/temp-files.js';
import { keptOpen, walSync } from './wal-sync.js';

/** A sync whose calls wait until the test lets them end. */
function gatedSync() {
  const calls: { end: (error?: Error) => void }[] = [];
  const sync = () =>
    new Promise<void>((resolve, reject) => {
      calls.push({ end: (error) => (error === undefined ? resolve() : reject(error)) });
    });
  return { calls, sync };
}

describe('walSync', () => {
  it('gives the callers who arrive during a sync one more sync, started when it ends', async () => {
    const { calls, sync } = gatedSync();
    const durable = walSync(sync);
    const first = durable();
    const second = durable();
    const third = durable();
    expect(calls).toHaveLength(1);
    // The running sync may have started before the second and third callers' commits.
    calls[0]?.end();
    expect(await stateAfterTurns(first)).toBe('resolved');
    expect(await stateAfterTurns(second)).toBe('pending');
    expect(calls).toHaveLength(2);
    calls[1]?.end();
    expect(await stateAfterTurns(second)).toBe('resolved');
    expect(await stateAfterTurns(third)).toBe('resolved');
    expect(calls).toHaveLength(2);
  });

  it('fails the callers of a failed sync, and the next call syncs again', async () => {
    const { calls, sync } = gatedSync();
    const durable = walSync(sync);
    const first = durable();
    const waiting = durable();
    calls[0]?.end(new Error('EIO: i/o error'));
    await expect(first).rejects.toThrow('EIO');
    calls[1]?.end();
    await expect(waiting).resolves.toBeUndefined();
    const later = durable();
    expect(calls).toHaveLength(3);
    calls[2]?.end();
    await expect(later).resolves.toBeUndefined();
  });
});

const dir = tempDirectory();
/** How many descriptors this process holds on the file (Linux). */
const descriptorsOn = (path: string) =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false; // closed meanwhile
    }
  }).length;

describe('keptOpen', () => {
  it('syncs a file through one descriptor, and takes a missing WAL for one with nothing to sync', async () => {
    const wal = keptOpen(join(dir, 'store.db-wal'));
    await expect(wal.sync()).resolves.toBeUndefined();
    const path = join(realpathSync(dir), 'store.db-wal');
    writeFileSync(path, 'frames');
    expect(descriptorsOn(path)).toBe(0);
    await wal.sync();
    await wal.sync();
    expect(descriptorsOn(path)).toBe(1);
    wal.close();
    expect(descriptorsOn(path)).toBe(0);
  });

  it('reports any other failure', async () => {
    const notAFolder = join(dir, 'file');
    writeFileSync(notAFolder, '');
    await expect(keptOpen(join(notAFolder, 'store.db-wal')).sync()).rejects.toThrow('ENOTDIR');
  });
});
