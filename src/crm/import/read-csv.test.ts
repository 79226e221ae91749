import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../store/sqlite/open.js';
import { tempDirectory, tempFiles } from '../../test-support/temp-files.js';
import { closedloopFormat } from '../formats/closedloop.js';
import { fixturePath } from '../formats/fixtures/read-fixture.js';
import { createMappedFormat } from '../formats/mapped.js';
import { mavenFormat } from '../formats/maven.js';
import { importDeals } from './import-deals.js';
import { detectEncoding, openCsv } from './read-csv.js';

const file = tempFiles();

async function readAll(path: string, encoding?: string) {
  const csv = await openCsv(path, { encoding });
  const rows: { line: number; record: Record<string, string> }[] = [];
  for await (const row of csv.rows) rows.push({ line: row.line, record: { ...row.record } });
  return { csv, rows };
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected a failure');
}

describe('detectEncoding', () => {
  it('reads byte-order marks', () => {
    expect(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x61]))).toBe('utf-8');
    expect(detectEncoding(Buffer.from([0xff, 0xfe, 0x61, 0x00]))).toBe('utf-16le');
    expect(detectEncoding(Buffer.from([0xfe, 0xff, 0x00, 0x61]))).toBe('utf-16be');
  });

  it('takes text that decodes as UTF-8 for UTF-8, and anything else for Windows-1252', () => {
    expect(detectEncoding(Buffer.from('Société Générale', 'utf8'))).toBe('utf-8');
    expect(detectEncoding(Buffer.from('plain ascii', 'utf8'))).toBe('utf-8');
    expect(detectEncoding(iconv.encode('Société Générale', 'latin1'))).toBe('windows-1252');
    expect(detectEncoding(Buffer.alloc(0))).toBe('utf-8');
  });

  it('does not hold a character cut by the end of a full sample against UTF-8', () => {
    const sample = Buffer.alloc(1 << 16, 0x61);
    Buffer.from('é', 'utf8').copy(sample, sample.length - 1, 0, 1);
    expect(detectEncoding(sample)).toBe('utf-8');
    // A short file is all there is: a cut character is a wrong byte.
    expect(detectEncoding(Buffer.from([0x61, 0xc3]))).toBe('windows-1252');
  });

  it('detects the Latin-1 Salesforce fixture as Windows-1252', () => {
    const head = readFileSync(fixturePath('salesforce-multicurrency', 'Opportunity.csv'));
    expect(detectEncoding(head)).toBe('windows-1252');
  });
});

describe('openCsv', () => {
  it('gives the header, then each row keyed by it with the line it starts on', async () => {
    const path = file('lines.csv', 'id, name \n1,"two\nlines"\n2,x\n\n\n3,y');
    const { csv, rows } = await readAll(path);
    expect(csv.header).toEqual(['id', 'name']);
    expect(csv.name).toBe('lines.csv');
    expect(csv.encoding).toBe('utf-8');
    expect(rows).toEqual([
      { line: 2, record: { id: '1', name: 'two\nlines' } },
      { line: 4, record: { id: '2', name: 'x' } },
      { line: 7, record: { id: '3', name: 'y' } },
    ]);
  });

  it('counts lines right in CRLF files with line breaks inside quotes (Salesforce descriptions)', async () => {
    const path = file(
      'crlf.csv',
      'Id,Description\r\n1,"first\r\nsecond\r\nthird"\r\n\r\n2,plain\r\n3,"x"\r\n',
    );
    const { rows } = await readAll(path);
    expect(rows.map((row) => [row.line, row.record.Id])).toEqual([
      [2, '1'],
      [6, '2'],
      [7, '3'],
    ]);
    expect(rows[0]?.record.Description).toBe('first\r\nsecond\r\nthird');
  });

  it('reads mixed line ends as line ends, never as data', async () => {
    const { rows } = await readAll(file('mixed.csv', 'id,name\n1,a\r\n\r\n2,b\r3,c\n'));
    expect(rows).toEqual([
      { line: 2, record: { id: '1', name: 'a' } },
      { line: 4, record: { id: '2', name: 'b' } },
      { line: 5, record: { id: '3', name: 'c' } },
    ]);
  });

  it('counts lines right with old Mac line ends (a lone CR)', async () => {
    const { rows } = await readAll(file('cr.csv', 'id\r1\r"2\r2"\r3'));
    expect(rows.map((row) => [row.line, row.record.id])).toEqual([
      [2, '1'],
      [3, '2\r2'],
      [5, '3'],
    ]);
  });

  it('fills missing cells with empty text, and ignores extra cells only when they are empty', async () => {
    const path = file('ragged.csv', 'a,b,c\n1\n1,2,3,4\n1,2,3,, \n');
    const csv = await openCsv(path);
    const rows: unknown[] = [];
    for await (const { line, record, problem } of csv.rows) rows.push([line, record, problem]);
    expect(rows).toEqual([
      [2, { a: '1', b: '', c: '' }, undefined],
      [3, { a: '1', b: '2', c: '3' }, { field: 'row', message: '4 fields, the header has 3' }],
      [4, { a: '1', b: '2', c: '3' }, undefined],
    ]);
  });

  it('has the format refuse a header that names a column it reads twice, and only such a one', async () => {
    const parseAll = async (name: string, text: string) => {
      const csv = await openCsv(file(name, text));
      const rows = [];
      const reading = { timeZone: 'UTC', source: csv.source };
      for await (const { record } of csv.rows) {
        rows.push(closedloopFormat.parse('deals', record, reading));
      }
      return rows;
    };
    // Which "amount" is the deal's? Either reading could be wrong.
    await expect(parseAll('dup.csv', 'deal_id,amount,Amount \nD1,100,\n')).rejects.toThrowError(
      expect.objectContaining({
        code: 'CL_ERR_CSV_HEADER',
        message: 'dup.csv:1: column "amount" appears twice',
      }),
    );
    // A column no format reads may come twice (spreadsheets add "notes" columns freely).
    expect(await parseAll('unused.csv', 'deal_id,notes,amount,notes\nD1,a,5,b\n')).toEqual([
      { kind: 'deal', deal: { externalId: 'D1', amount: '5' } },
    ]);
  });

  it('passes the file name to the format, for header errors', async () => {
    const csv = await openCsv(
      file('changes2.csv', 'Opportunity #,Phase,Changed on\nOPP-1,Intro,03/02/2027\n'),
    );
    csv.close();
    const format = createMappedFormat({
      deals: { deal_id: 'Opportunity #', amount: 'Value' },
      history: { deal_id: 'Opportunity #', stage: 'Phase', entered_at: 'Changed' },
    });
    expect(() => format.roleOf(csv.header, csv.source)).toThrowError(
      /^changes2\.csv:1: missing column "Changed" \(for history\.entered_at\)/,
    );
  });

  it('has the import reject a row with a value split over an extra cell', async () => {
    // An unquoted "1,054": Maven's close value would be read as 1, the 054 lost.
    const path = file(
      'sales_pipeline.csv',
      'opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n' +
        'X1,Ann,GTX,Acme,Won,2017-01-01,2017-02-01,1,054\n' +
        'X2,Ann,GTX,Acme,Won,2017-01-01,2017-02-01,1054,\n',
    );
    const store = await openSqliteStore(':memory:');
    const workspace = await store.state.ensureDefaultWorkspace();
    const summary = await importDeals({
      format: mavenFormat,
      files: [path],
      strict: false,
      workspace,
      state: store.state,
    });
    expect(summary.rejected).toEqual([
      {
        file: 'sales_pipeline.csv',
        line: 2,
        field: 'row',
        message: '9 fields, the header has 8',
      },
    ]);
    const deals = await store.state.deals(workspace.id);
    expect(deals.map((deal) => [deal.externalId, deal.amountMinor])).toEqual([['X2', 105_400]]);
    await store.close();
  });

  it('decodes a Latin-1 export it detects, accents and all', async () => {
    const { csv, rows } = await readAll(fixturePath('salesforce-multicurrency', 'Opportunity.csv'));
    expect(csv.encoding).toBe('windows-1252');
    expect(rows.map((row) => row.record['Account.Name'])).toContain('Société Générale');
    expect(rows.map((row) => row.record['Account.Name'])).toContain('Åkesson & Söner AB');
    expect(rows.map((row) => row.record['Account.Name'])).toContain('Industrias Peña S.A.');
  });

  it('decodes with the encoding it is told', async () => {
    const { csv, rows } = await readAll(
      fixturePath('salesforce-multicurrency', 'Opportunity.csv'),
      'latin1',
    );
    expect(csv.encoding).toBe('latin1');
    expect(rows[1]?.record['Account.Name']).toBe('Müller GmbH');
  });

  it('reads UTF-8 and UTF-16 files with a byte-order mark', async () => {
    const utf8 = await readAll(file('bom8.csv', '\uFEFFdeal_id,name\nD-1,Café\n'));
    expect(utf8.csv.header).toEqual(['deal_id', 'name']);
    expect(utf8.rows).toEqual([{ line: 2, record: { deal_id: 'D-1', name: 'Café' } }]);
    const utf16 = await readAll(
      file(
        'bom16.csv',
        Buffer.concat([
          Buffer.from([0xff, 0xfe]),
          iconv.encode('deal_id,name\r\nD-1,Café\r\nD-2,Über\r\n', 'utf-16le'),
        ]),
      ),
    );
    expect(utf16.csv.encoding).toBe('utf-16le');
    expect(utf16.csv.header).toEqual(['deal_id', 'name']);
    expect(utf16.rows).toEqual([
      { line: 2, record: { deal_id: 'D-1', name: 'Café' } },
      { line: 3, record: { deal_id: 'D-2', name: 'Über' } },
    ]);
  });

  it('refuses bytes that are not UTF-8 past the sampled head, naming their line', async () => {
    // 3,000 ASCII rows (about 80 KB: more than the sample), then "Café" written in Windows-1252.
    const rows = Array.from({ length: 3000 }, (_, i) => `D-${i},Deal number ${i} of many`);
    for (const [lineEnd, fileName] of [
      ['\n', 'late-lf.csv'],
      ['\r\n', 'late-crlf.csv'],
    ] as const) {
      const path = file(
        fileName,
        Buffer.concat([
          Buffer.from(`deal_id,name${lineEnd}${rows.join(lineEnd)}${lineEnd}D-x,Caf`),
          Buffer.from([0xe9]),
          Buffer.from(`${lineEnd}D-y,after${lineEnd}`),
        ]),
      );
      const error = await failure(readAll(path));
      expect(error.code).toBe('CL_ERR_CSV_SYNTAX');
      expect(error.message).toBe(
        `${fileName}:3002: not UTF-8 text (judged from the first 64 KB); give the file's encoding, e.g. --encoding windows-1252`,
      );
      const told = await readAll(path, 'windows-1252');
      expect(told.rows.at(-2)).toEqual({ line: 3002, record: { deal_id: 'D-x', name: 'Café' } });
    }
  });

  it('refuses a file that is not the UTF-8 it is said to be', async () => {
    const path = file(
      'told.csv',
      Buffer.concat([
        Buffer.from('deal_id,na'),
        Buffer.from([0xef, 0x80]),
        Buffer.from('e\n1,a\n'),
      ]),
    );
    const error = await failure(readAll(path, 'UTF-8'));
    expect(error).toMatchObject({
      code: 'CL_ERR_CSV_SYNTAX',
      message:
        "told.csv:1: not UTF-8 text, as --encoding says; give the file's encoding, e.g. --encoding windows-1252",
    });
  });

  it('reports progress in bytes of the file', async () => {
    const path = file(
      'progress.csv',
      `id\n${Array.from({ length: 5000 }, (_, i) => i).join('\n')}\n`,
    );
    const seen: number[] = [];
    const csv = await openCsv(path, { onBytes: (bytes) => seen.push(bytes) });
    let rows = 0;
    for await (const _ of csv.rows) rows++;
    expect(rows).toBe(5000);
    expect(seen.at(-1)).toBe(csv.bytes);
  });

  it('gives a header and no rows for a file with only a header', async () => {
    const { csv, rows } = await readAll(file('header-only.csv', 'deal_id,name\r\n'));
    expect(csv.header).toEqual(['deal_id', 'name']);
    expect(rows).toEqual([]);
  });

  it('refuses an empty file, a missing one, a directory and an unknown encoding, each in one line', async () => {
    const empty = await failure(openCsv(file('empty.csv', '')));
    expect(empty.code).toBe('CL_ERR_CSV_HEADER');
    expect(empty.message).toBe('empty.csv: the file is empty; expected a header row');
    const blank = await failure(openCsv(file('blank.csv', '\n\r\n\n')));
    expect(blank.code).toBe('CL_ERR_CSV_HEADER');
    const missing = await failure(openCsv('/nonexistent/deals.csv'));
    expect(missing).toMatchObject({
      code: 'CL_ERR_FILE_NOT_FOUND',
      message: '/nonexistent/deals.csv: no such file',
    });
    const directory = await failure(openCsv(tempDirectory()));
    expect(directory.code).toBe('CL_ERR_USAGE');
    expect(directory.message).toMatch(/is a directory/);
    const encoding = await failure(openCsv(file('ok.csv', 'a\n1\n'), { encoding: 'klingon' }));
    expect(encoding).toMatchObject({
      code: 'CL_ERR_USAGE',
      message:
        '--encoding: expected an encoding such as utf-8, latin1 or windows-1252, got "klingon"',
    });
  });

  it('refuses malformed CSV with the line of the record at fault', async () => {
    const path = file('unclosed.csv', 'id,name\r\n1,"a\r\nb"\r\n2,"open\r\n3,c\r\n');
    const csv = await openCsv(path);
    const error = await failure(
      (async () => {
        for await (const _ of csv.rows);
      })(),
    );
    expect(error.code).toBe('CL_ERR_CSV_SYNTAX');
    expect(error.message).toMatch(/^unclosed\.csv:4: Quote Not Closed/);
    expect(error.message).not.toMatch(/\n/);
    // The parser reads ahead: a bad row near the top may stop openCsv itself.
    const drain = (name: string, text: string) =>
      failure(
        (async () => {
          const csv = await openCsv(file(name, text));
          for await (const _ of csv.rows);
        })(),
      );
    // The line of the bad quote, not of the record before it.
    expect((await drain('s2.csv', 'deal_id,name,amount\nD1,"a"b,1\n')).message).toMatch(
      /^s2\.csv:2: Invalid Closing Quote/,
    );
    expect((await drain('s3.csv', 'id,name\n1,a\n\n\n2,xy\n3,"b"c\n')).message).toMatch(
      /^s3\.csv:6: Invalid Closing Quote/,
    );
    expect((await drain('s4.csv', 'id,name\n1,a\n\n\n"b"c,2\n')).message).toMatch(/^s4\.csv:5: /);
    // Deep in a big file, where the parser has read ahead of the rows handed out.
    const rows = Array.from({ length: 6000 }, (_, i) =>
      i === 3998 ? 'D,"a"b,1' : `D${i},"n ${i}",10`,
    );
    const big = await drain('big.csv', `deal_id,name,amount\n${rows.join('\n')}\n`);
    expect(big.message).toMatch(/^big\.csv:4000: Invalid Closing Quote/);
    const inHeader = await failure(openCsv(file('bad-header.csv', '"id,name\n1,2\n')));
    expect(inHeader.code).toBe('CL_ERR_CSV_SYNTAX');
    expect(inHeader.message).toMatch(/^bad-header\.csv:1: /);
  });
});
