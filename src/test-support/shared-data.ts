import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Reference data lives beside the repository, in ../shared/data (never copied in). */
export function sharedDataPath(...parts: string[]): string {
  return resolve(import.meta.dirname, '../../../shared/data', ...parts);
}

export function readSharedJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(sharedDataPath(...parts), 'utf8')) as T;
}

/** Rows of a small comma-separated reference CSV with quoted headers and names. */
export function readSharedCsv(...parts: string[]): Record<string, string>[] {
  const [header, ...lines] = readFileSync(sharedDataPath(...parts), 'utf8')
    .trim()
    .split(/\r?\n/);
  const names = (header ?? '').split(',').map((name) => name.replaceAll('"', ''));
  return lines.map((line) => {
    const cells = line.split(',').map((cell) => cell.replaceAll('"', ''));
    return Object.fromEntries(names.map((name, i) => [name, cells[i] ?? '']));
  });
}
