import { describe, expect, it } from 'vitest';
import { ClosedloopError } from '../../core/errors.js';
import { tempFiles } from '../../test-support/temp-files.js';
import { readPathsFile } from './read-paths.js';

const file = tempFiles();

function journeysOf(path: string) {
  const { batch } = readPathsFile(path);
  const names = batch.dictionaries.channels.names;
  return Array.from({ length: batch.journeyCount }, (_, j) => ({
    path: Array.from(batch.touchChannel.subarray(batch.touchOffsets[j], batch.touchOffsets[j + 1]))
      .map((id) => names[id])
      .join('>'),
    conversions: batch.conversions[j],
    value: batch.value[j],
    nulls: batch.nulls[j],
  }));
}

function errorOf(run: () => unknown): ClosedloopError {
  try {
    run();
  } catch (error) {
    if (error instanceof ClosedloopError) return error;
    throw error;
  }
  throw new Error('expected a ClosedloopError');
}

describe('readPathsFile', () => {
  it('sums rows of the same path, however it is spaced', () => {
    const path = file(
      'dupes.csv',
      'path;total_conversions;total_conversion_value;total_null\na > b;1;2.5;3\na>b;2;1.25;0\nb;0;0;4\n',
    );
    expect(journeysOf(path)).toEqual([
      { path: 'a>b', conversions: 3, value: 3.75, nulls: 3 },
      { path: 'b', conversions: 0, value: 0, nulls: 4 },
    ]);
    expect(readPathsFile(path)).toMatchObject({ paths: 2, rows: 3 });
  });

  it('detects a comma delimiter, quoted fields, CRLF, a BOM, header case and column order', () => {
    const path = file(
      'commas.csv',
      '\uFEFFTotal_Null,PATH,total_conversions\r\n0,"Paid Search > ""Brand"", EU",2\r\n\r\n1,Email,0\r\n',
    );
    expect(journeysOf(path)).toEqual([
      { path: 'Paid Search>"Brand", EU', conversions: 2, value: 0, nulls: 0 },
      { path: 'Email', conversions: 0, value: 0, nulls: 1 },
    ]);
  });

  it('reads a file bigger than one read chunk, with a quoted line break across chunks', () => {
    const row = 'alpha > beta > gamma;1;1.5;2\n';
    const rows = 200_000;
    const content = `path;total_conversions;total_conversion_value;total_null\n${row.repeat(rows)}"a\nb";1;0;0\n`;
    const { batch, paths } = readPathsFile(file('big.csv', content));
    expect(paths).toBe(2);
    expect(batch.conversions[0]).toBe(rows);
    expect(batch.nulls[0]).toBe(2 * rows);
    expect(batch.dictionaries.channels.names).toContain('a\nb');
  });

  it('uses another separator when told', () => {
    const { batch } = readPathsFile(file('pipes.csv', 'path,total_conversions\nx | y,1\n'), '|');
    expect(batch.dictionaries.channels.names).toEqual(['x', 'y']);
  });

  it('names file, line, field and problem for bad input', () => {
    const cases: [string, string, RegExp][] = [
      [
        'path;total_conversions\na;abc\n',
        'CL_ERR_CSV_FIELD',
        /:2: total_conversions: expected a number ≥ 0, got "abc"/,
      ],
      [
        'path;total_conversions\na;0x10\n',
        'CL_ERR_CSV_FIELD',
        /:2: total_conversions: expected a number ≥ 0, got "0x10"/,
      ],
      [
        'path;total_conversions\na;Infinity\n',
        'CL_ERR_CSV_FIELD',
        /:2: total_conversions: expected a number ≥ 0, got "Infinity"/,
      ],
      [
        // Two such rows would sum to Infinity: refused at the first.
        `path;total_conversions\na;1${'0'.repeat(308)}\n`,
        'CL_ERR_CSV_FIELD',
        /:2: total_conversions: expected a number up to 9,007,199,254,740,991, got "10{308}"/,
      ],
      [
        'path;total_conversions;total_conversion_value\na;1;9007199254740992\n',
        'CL_ERR_CSV_FIELD',
        /:2: total_conversion_value: expected a number up to 9,007,199,254,740,991/,
      ],
      [
        'path;total_conversions\na;1\nb;-2\n',
        'CL_ERR_CSV_FIELD',
        /:3: total_conversions: expected a number ≥ 0, got "-2"/,
      ],
      [
        // Negative value would be credited to the path's channels as negative revenue.
        'path,total_conversions,total_conversion_value,total_null\na>b,1,-10,0\n',
        'CL_ERR_CSV_FIELD',
        /:2: total_conversion_value: expected a number ≥ 0, got "-10"$/,
      ],
      [
        'path;total_conversions\na;\n',
        'CL_ERR_CSV_FIELD',
        /:2: total_conversions: expected a number, got an empty field/,
      ],
      [
        'path;total_conversions;total_null\na;1;x\n',
        'CL_ERR_CSV_FIELD',
        /:2: total_null: expected a number ≥ 0/,
      ],
      [
        'path;total_conversions\na > > b;1\n',
        'CL_ERR_CSV_FIELD',
        /:2: path: expected channels separated by ">"/,
      ],
      ['path;conversions\na;1\n', 'CL_ERR_CSV_HEADER', /:1: missing column "total_conversions"/],
      ['path;total_conversions\n"a;1\n', 'CL_ERR_CSV_SYNTAX', /:2: a quoted field is never closed/],
      ['path;total_conversions\n"a"b;1\n', 'CL_ERR_CSV_SYNTAX', /:2: a closing quote is followed/],
      ['', 'CL_ERR_CSV_HEADER', /the file is empty/],
      // A line break in the cell is escaped: every error is one line.
      [
        'path,total_conversions\na,"1\r\n2"\n',
        'CL_ERR_CSV_FIELD',
        /:2: total_conversions: expected a number ≥ 0, got "1\\r\\n2"$/,
      ],
      [
        'path,"total_\nconversions"\na,1\n',
        'CL_ERR_CSV_HEADER',
        /:1: missing column "total_conversions"; the header has "path", "total_\\nconversions"$/,
      ],
    ];
    cases.forEach(([content, code, message], i) => {
      const error = errorOf(() => readPathsFile(file(`bad-${i}.csv`, content)));
      expect(error.code, content).toBe(code);
      expect(error.message, content).toMatch(message);
      expect(error.message).toContain(`bad-${i}.csv`);
    });
  });

  it('refuses channel names that are not UTF-8, naming the line', () => {
    // "Présentation" written in Windows-1252, on the third line: 0xE9 is no UTF-8.
    const latin1 = Buffer.concat([
      Buffer.from('path;total_conversions\nEmail > Direct;1\nEmail > Pr'),
      Buffer.from([0xe9]),
      Buffer.from('sentation;2\n'),
    ]);
    const error = errorOf(() => readPathsFile(file('latin1.csv', latin1)));
    expect(error.code).toBe('CL_ERR_CSV_SYNTAX');
    expect(error.message).toMatch(/latin1\.csv:3: not UTF-8 text; save the file as UTF-8$/);
    // U+FFFD written as UTF-8 is a character like any other.
    const replacement = file('replacement.csv', 'path;total_conversions\nA\uFFFDB;1\n');
    expect(journeysOf(replacement)[0]?.path).toBe('A\uFFFDB');
  });

  it('says when the file is missing', () => {
    const error = errorOf(() => readPathsFile('/nonexistent/paths.csv'));
    expect(error.code).toBe('CL_ERR_FILE_NOT_FOUND');
    expect(error.message).toBe('/nonexistent/paths.csv: no such file');
  });
});
