import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A fresh directory for the test file's fixtures, removed when the file's tests end. */
export function tempFiles(): (name: string, content: string | Buffer) => string {
  const dir = mkdtempSync(join(tmpdir(), 'closedloop-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return (name, content) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
}
