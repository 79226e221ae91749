import { statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirectory } from '../../test-support/temp-files.js';
import { claimForServer, serverLockPathOf } from './server-lock.js';

const dir = tempDirectory();

describe('claimForServer', () => {
  it('lets one server at a time claim a database file, and the next once it lets go', () => {
    const path = join(dir, 'claimed.db');
    const first = claimForServer(path);
    expect(() => claimForServer(path)).toThrow(
      expect.objectContaining({
        code: 'CL_ERR_STORE',
        message: `--db: ${path} is used by another closedloop server (one server per file): stop it, or serve another file`,
      }),
    );
    // Another file is another claim.
    claimForServer(join(dir, 'other.db')).release();
    first.release();
    first.release();
    claimForServer(path).release();
  });

  it('meets the same claim through a symbolic link or another spelling of the path', () => {
    const path = join(dir, 'linked.db');
    writeFileSync(path, ''); // as the server that claims it goes on to make it
    const first = claimForServer(path);
    symlinkSync(path, join(dir, 'alias.db'));
    for (const other of [join(dir, 'alias.db'), join(dir, '.', 'sub', '..', 'linked.db')]) {
      expect(() => claimForServer(other)).toThrow(/is used by another closedloop server/);
    }
    first.release();
  });

  it('makes missing folders and the lock readable by their owner alone, as the store does', () => {
    const path = join(dir, 'new', 'sub', 'data.db');
    const lock = claimForServer(path);
    const modeOf = (file: string) => statSync(file).mode & 0o777;
    expect([join(dir, 'new'), join(dir, 'new', 'sub')].map(modeOf)).toEqual([0o700, 0o700]);
    expect(modeOf(serverLockPathOf(path))).toBe(0o600);
    lock.release();
  });

  it('names the file when the lock cannot even be made', () => {
    const path = join(dir, 'claimed.db-server.lock', 'inside.db');
    claimForServer(join(dir, 'claimed.db')).release();
    expect(() => claimForServer(path)).toThrow(/^--db: .*inside\.db: cannot claim /);
  });
});
