import { describe, expect, it } from 'vitest';
import { tempFiles } from '../../test-support/temp-files.js';
import { classifyCsvFile } from '../commands/channels.js';
import { scanCsvFile } from './csv-scanner.js';

const file = tempFiles();
const comma = 0x2c;

/** Each record's line and fields. */
function recordsOf(path: string): [number, string[]][] {
  const records: [number, string[]][] = [];
  scanCsvFile(path, comma, (record) => {
    const fields = Array.from({ length: record.count }, (_, i) => record.text(i));
    records.push([record.line, fields]);
  });
  return records;
}

describe('scanCsvFile: blank lines', () => {
  it('keeps a blank line as an empty record when the header has one column', () => {
    const path = file('one-column.csv', 'referrer\nhttps://www.google.com/\n\nhttps://t.co/x\n');
    expect(recordsOf(path)).toEqual([
      [1, ['referrer']],
      [2, ['https://www.google.com/']],
      [3, ['']],
      [4, ['https://t.co/x']],
    ]);
  });

  it('keeps them with CRLF line ends and at the end of the file', () => {
    const path = file('one-column-crlf.csv', '\r\nreferrer\r\n\r\nx\r\n\r\n');
    // Blank lines before the header are still skipped: there is no header to tell yet.
    expect(recordsOf(path)).toEqual([
      [2, ['referrer']],
      [3, ['']],
      [4, ['x']],
      [5, ['']],
    ]);
  });

  it('still skips blank lines in a file of several columns', () => {
    const path = file('two-columns.csv', '\npath,total_conversions\na>b,1\n\n\nb,2\n\n');
    expect(recordsOf(path)).toEqual([
      [2, ['path', 'total_conversions']],
      [3, ['a>b', '1']],
      [6, ['b', '2']],
    ]);
  });
});

describe('channels classify on a one-column file', () => {
  it('prints one output row per input row, blank rows included', () => {
    const path = file('referrers.csv', 'referrer\nhttps://www.google.com/\n\nhttps://t.co/x\n');
    let output = '';
    classifyCsvFile(path, [], (text) => {
      output += text;
    });
    expect(output).toBe(
      'referrer,channel\nhttps://www.google.com/,Organic Search\n,Direct\nhttps://t.co/x,Organic Social\n',
    );
  });
});
