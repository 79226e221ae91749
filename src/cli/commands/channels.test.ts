import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test-support/run-cli.js';
import { tempDirectory, tempFiles } from '../../test-support/temp-files.js';

const file = tempFiles();

const sessions = [
  'session_id,Source,MEDIUM,campaign,referrer,landing_url,note',
  's1,google,cpc,brand,,https://acme.com/?gclid=abc,"Smith, ""Jo"""',
  's2,,,,https://www.google.co.uk/,https://acme.com/pricing,',
  's3,,,,,https://acme.com/?utm_source=linkedin&utm_medium=paid_social&li_fat_id=1,',
  's4,newsletter,,,,https://acme.com/?utm_medium=email,"two\nlines"',
  's5,,,,https://acme.com/blog,https://acme.com/pricing,',
  's6,,,,,https://acme.com/?gclid=x&utm_source=youtube,',
  's7,chatgpt.com,,,,https://acme.com/,',
  '',
].join('\n');

describe('closedloop channels classify', () => {
  it('prints the same CSV with a channel column added', () => {
    const result = runCli(['channels', 'classify', file('sessions.csv', sessions)]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      [
        'session_id,Source,MEDIUM,campaign,referrer,landing_url,note,channel',
        's1,google,cpc,brand,,https://acme.com/?gclid=abc,"Smith, ""Jo""",Paid Search',
        's2,,,,https://www.google.co.uk/,https://acme.com/pricing,,Organic Search',
        's3,,,,,https://acme.com/?utm_source=linkedin&utm_medium=paid_social&li_fat_id=1,,Paid Social',
        's4,newsletter,,,,https://acme.com/?utm_medium=email,"two\nlines",Email',
        's5,,,,https://acme.com/blog,https://acme.com/pricing,,Direct',
        's6,,,,,https://acme.com/?gclid=x&utm_source=youtube,,Paid Video',
        's7,chatgpt.com,,,,https://acme.com/,,AI Assistants',
        '',
      ].join('\n'),
    );
  });

  it('keeps the delimiter, reads columns in any order, and needs only one of them', () => {
    const input = file(
      'semicolons.csv',
      'Referrer;id\nhttps://t.co/x;1\n;2\nhttps://perplexity.ai/;3\n',
    );
    const result = runCli(['channels', 'classify', input]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      'Referrer;id;channel\nhttps://t.co/x;1;Organic Social\n;2;Direct\nhttps://perplexity.ai/;3;AI Assistants\n',
    );
  });

  it('fills an existing channel column instead of adding a second one', () => {
    const input = file('again.csv', 'source,medium,channel\ngoogle,cpc,old\n');
    expect(runCli(['channels', 'classify', input]).stdout).toBe(
      'source,medium,channel\ngoogle,cpc,Paid Search\n',
    );
  });

  it('applies custom rules from --rules before the defaults', () => {
    const input = file(
      'rules-input.csv',
      'source,medium,campaign\ngoogle,cpc,us-brand\ngoogle,cpc,generic\n',
    );
    const rules = file(
      'rules.json',
      JSON.stringify([
        {
          channel: 'Brand Search',
          when: [
            { field: 'source', op: 'equals', value: 'google' },
            { field: 'campaign', op: 'regex', value: 'brand' },
          ],
        },
      ]),
    );
    const result = runCli(['channels', 'classify', input, '--rules', rules]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      'source,medium,campaign,channel\ngoogle,cpc,us-brand,Brand Search\ngoogle,cpc,generic,Paid Search\n',
    );
  });

  const badInput: [string, () => string[], RegExp][] = [
    [
      'a missing file',
      () => ['/nonexistent/sessions.csv'],
      /^closedloop: CL_ERR_FILE_NOT_FOUND: \/nonexistent\/sessions\.csv: no such file\n$/,
    ],
    [
      'no file argument',
      () => [],
      /^closedloop: CL_ERR_USAGE: missing required argument 'file'\n$/,
    ],
    [
      'a header without any session column',
      () => [file('no-columns.csv', 'id,when\n1,today\n')],
      /CL_ERR_CSV_HEADER: .*no-columns\.csv:1: expected at least one of the columns "source", "medium", "campaign", "referrer", "landing_url"; the header has "id", "when"\n$/,
    ],
    [
      'an empty file',
      () => [file('empty.csv', '')],
      /CL_ERR_CSV_HEADER: .*empty\.csv: the file is empty; expected a header row\n$/,
    ],
    [
      'a row with too many fields',
      () => [file('ragged.csv', 'source,medium\ngoogle,cpc\ngoogle,cpc,extra\n')],
      /CL_ERR_CSV_SYNTAX: .*ragged\.csv:3: expected 2 fields as in the header, got 3\n$/,
    ],
    [
      'an unclosed quote',
      () => [file('quote.csv', 'source,medium\n"google,cpc\n')],
      /CL_ERR_CSV_SYNTAX: .*quote\.csv:2: a quoted field is never closed\n$/,
    ],
    [
      'a missing rules file',
      () => [file('ok.csv', 'source\ngoogle\n'), '--rules', '/nonexistent/rules.json'],
      /CL_ERR_FILE_NOT_FOUND: \/nonexistent\/rules\.json: no such file\n$/,
    ],
    [
      'rules that are not JSON',
      () => [file('ok.csv', 'source\ngoogle\n'), '--rules', file('bad.json', '[{channel:')],
      /CL_ERR_CHANNEL_RULE: .*bad\.json: not valid JSON \(/,
    ],
    [
      // JSON.parse quotes the file's lines in its message; stderr still gets one line.
      'rules over several lines with a trailing comma',
      () => [
        file('ok.csv', 'source\ngoogle\n'),
        '--rules',
        file('multiline.json', '[\n  {"channel": "A", "when": []},\n]\n'),
      ],
      /^closedloop: CL_ERR_CHANNEL_RULE: .*multiline\.json: not valid JSON \(.*\)\n$/,
    ],
    [
      'a rule with an unknown field',
      () => [
        file('ok.csv', 'source\ngoogle\n'),
        '--rules',
        file(
          'typo.json',
          '[{"channel":"A","when":[{"field":"source","op":"equals","value":"a"}]},{"channel":"B","when":[{"field":"sorce","op":"equals","value":"b"}]}]',
        ),
      ],
      /CL_ERR_CHANNEL_RULE: .*typo\.json: rules\[1\]\.when\[0\]\.field: unknown field "sorce"; expected one of source, /,
    ],
    [
      'a rule with an invalid regex',
      () => [
        file('ok.csv', 'source\ngoogle\n'),
        '--rules',
        file(
          'regex.json',
          '[{"channel":"A","when":[{"field":"campaign","op":"regex","value":"(brand"}]}]',
        ),
      ],
      /CL_ERR_CHANNEL_RULE: .*regex\.json: rules\[0\]\.when\[0\]\.value: invalid regex "\(brand"/,
    ],
  ];
  for (const [what, args, message] of badInput) {
    it(`exits 1 with one line on ${what}`, () => {
      const result = runCli(['channels', 'classify', ...args()]);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    });
  }

  it('exits 1 for a directory, and 2 when the input cannot be read', () => {
    const directory = runCli(['channels', 'classify', '/']);
    expect(directory.status).toBe(1);
    expect(directory.stderr).toBe('closedloop: CL_ERR_USAGE: /: is a directory; expected a file\n');
    const loop = join(tempDirectory(), 'loop.csv');
    symlinkSync(loop, loop);
    const unreadable = runCli(['channels', 'classify', loop]);
    expect(unreadable.status).toBe(2);
    expect(unreadable.stderr).toBe(`closedloop: CL_ERR_FILE_READ: ${loop}: cannot read (ELOOP)\n`);
  });
});
