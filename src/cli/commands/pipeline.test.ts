import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../../crm/formats/fixtures/read-fixture.js';
import { runCli } from '../../test-support/run-cli.js';
import { tempDirectory, tempFiles } from '../../test-support/temp-files.js';

const dir = tempDirectory();
const file = tempFiles();
const db = join(dir, 'pipeline.db');

const salesPipeline = {
  name: 'Sales Pipeline',
  stages: [
    { name: 'Appointment Scheduled', phase: 'awareness', outcome: null, probability: 0.25 },
    { name: 'Qualified To Buy', phase: 'awareness', outcome: null, probability: 0.5 },
    { name: 'Contract Sent', phase: 'decision', outcome: null, probability: 0.75 },
    { name: 'Closed Won', phase: 'decision', outcome: 'won', probability: 1 },
    { name: 'Closed Lost', phase: 'decision', outcome: 'lost', probability: 0 },
  ],
};

describe('closedloop pipeline', () => {
  it('says there is none yet before any import', () => {
    const text = runCli(['pipeline', 'list', '--db', db]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^no pipelines yet/);
    expect(JSON.parse(runCli(['pipeline', 'list', '--db', db, '--json']).stdout)).toEqual([]);
  });

  it('lists the pipelines an import inferred', () => {
    const imported = runCli([
      'import',
      'deals',
      fixturePath('hubspot', 'deals.csv'),
      '--format',
      'hubspot',
      '--db',
      db,
    ]);
    expect(imported.status).toBe(0);
    const listed = runCli(['pipeline', 'list', '--db', db, '--json']);
    expect(listed.status).toBe(0);
    const pipelines = JSON.parse(listed.stdout);
    expect(pipelines.map((p: { name: string }) => p.name).sort()).toEqual([
      'Pipeline France',
      'Sales Pipeline',
    ]);
    const sales = pipelines.find((p: { name: string }) => p.name === 'Sales Pipeline');
    expect(sales).toEqual(salesPipeline);
    const text = runCli(['pipeline', 'list', '--db', db]);
    expect(text.stdout).toContain('Sales Pipeline\n  Appointment Scheduled  awareness  25%\n');
    expect(text.stdout).toContain('  Gagné  won  100%');
  });

  it('replaces a pipeline from a file, as `pipeline list --json` prints one', () => {
    const edited = {
      name: 'Sales Pipeline',
      stages: [
        { name: 'Appointment Scheduled', phase: 'awareness', outcome: null, probability: 0.1 },
        { name: 'Demo', phase: 'consideration', outcome: null, probability: 0.3 },
        { name: 'Contract Sent', phase: 'decision', outcome: null, probability: 0.7 },
        { name: 'Closed Won', phase: 'decision', outcome: 'won', probability: 1 },
        { name: 'Closed Lost', phase: 'decision', outcome: 'lost', probability: 0 },
      ],
    };
    const set = runCli([
      'pipeline',
      'set',
      file('edited.json', JSON.stringify(edited)),
      '--db',
      db,
    ]);
    expect(set.status).toBe(0);
    expect(set.stdout).toContain('  Demo  consideration  30%');
    const asJson = runCli([
      'pipeline',
      'set',
      file('edited-again.json', JSON.stringify(edited)),
      '--db',
      db,
      '--json',
    ]);
    expect(JSON.parse(asJson.stdout)).toEqual(edited);
    const pipelines = JSON.parse(runCli(['pipeline', 'list', '--db', db, '--json']).stdout);
    expect(pipelines.find((p: { name: string }) => p.name === 'Sales Pipeline')).toEqual(edited);
    expect(pipelines).toHaveLength(2);
    // An import afterwards keeps the edited pipeline's stages and settings.
    runCli([
      'import',
      'deals',
      fixturePath('hubspot', 'deals.csv'),
      '--format',
      'hubspot',
      '--db',
      db,
    ]);
    const after = JSON.parse(runCli(['pipeline', 'list', '--db', db, '--json']).stdout);
    const sales = after.find((p: { name: string }) => p.name === 'Sales Pipeline');
    expect(sales.stages.filter((s: { name: string }) => s.name !== 'Qualified To Buy')).toEqual(
      edited.stages,
    );
  });

  it('refuses an invalid pipeline with one line naming the field, and changes nothing', () => {
    const before = runCli(['pipeline', 'list', '--db', db, '--json']).stdout;
    const cases: [unknown, RegExp][] = [
      [
        {
          name: 'Sales Pipeline',
          stages: [
            { name: 'A', phase: 'awareness', outcome: null, probability: 0.1 },
            { name: 'B', phase: 'awareness', outcome: null, probability: 1.5 },
            { name: 'Won', phase: 'decision', outcome: 'won', probability: 1 },
          ],
        },
        /^closedloop: CL_ERR_CONFIG: stages\.1\.probability: /,
      ],
      [
        { name: 'X', stages: [{ name: 'A', phase: 'awareness', outcome: null }] },
        /^closedloop: CL_ERR_CONFIG: stages\.0\.probability: is required/,
      ],
      [
        {
          name: 'X',
          stages: [
            { name: 'Won', phase: 'decision', outcome: 'won', probability: 1 },
            { name: 'Late', phase: 'decision', outcome: null, probability: 0.5 },
          ],
        },
        /^closedloop: CL_ERR_CONFIG: stages\.1: open stage "Late" must come before the closing stages/,
      ],
      [
        {
          name: 'X',
          stages: [
            { name: 'A', phase: 'awareness', outcome: null, probability: 0.5 },
            { name: 'A', phase: 'decision', outcome: 'won', probability: 1 },
          ],
        },
        /^closedloop: CL_ERR_CONFIG: stages\.1\.name: "A" appears twice/,
      ],
    ];
    for (const [json, pattern] of cases) {
      const result = runCli([
        'pipeline',
        'set',
        file('bad.json', JSON.stringify(json)),
        '--db',
        db,
      ]);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(pattern);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    const notJson = runCli(['pipeline', 'set', file('broken.json', '{"name": '), '--db', db]);
    expect(notJson.status).toBe(1);
    expect(notJson.stderr).toMatch(
      /^closedloop: CL_ERR_USAGE: .*broken\.json: expected a pipeline JSON file/,
    );
    expect(notJson.stderr.trim().split('\n')).toHaveLength(1);
    // JSON.parse's message quotes the file's own lines: still one line on stderr.
    const trailingComma = file(
      'trailing-comma.json',
      '{\n  "name": "X",\n  "stages": [\n    "A",\n  ]\n}\n',
    );
    const spread = runCli(['pipeline', 'set', trailingComma, '--db', db]);
    expect(spread.status).toBe(1);
    expect(spread.stderr).toMatch(
      /^closedloop: CL_ERR_USAGE: .*trailing-comma\.json: expected a pipeline JSON file \(Unexpected token '\]', .* is not valid JSON\)\n$/,
    );
    expect(spread.stderr.trim().split('\n')).toHaveLength(1);
    const missing = runCli(['pipeline', 'set', join(dir, 'nope.json'), '--db', db]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(
      /^closedloop: CL_ERR_FILE_NOT_FOUND: .*nope\.json: no such file\n$/,
    );
    expect(runCli(['pipeline', 'list', '--db', db, '--json']).stdout).toBe(before);
  });
});
