import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { trackerFile } from './fixture-site.js';

describe('the built tracker', () => {
  const code = readFileSync(trackerFile);

  it('is at most 2 KB gzipped', () => {
    expect(gzipSync(code).length).toBeLessThanOrEqual(2048);
  });

  it('is one self-contained script: no imports, no module syntax, no source map to fetch', () => {
    const text = code.toString('utf8');
    expect(text.startsWith('(()=>{')).toBe(true);
    expect(text).not.toMatch(/\bimport\b|\bexport\b|\brequire\(|sourceMappingURL/);
  });
});
