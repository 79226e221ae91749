import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A fresh directory for the test file, removed when the file's tests end. */
export function tempDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'closedloop-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes fixtures into a fresh directory; returns each file's path. */
export function tempFiles(): (name: string, content: string | Buffer) => string {
  const dir = tempDirectory();
  return (name, content) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
}
