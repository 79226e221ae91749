import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mavenFormat } from '../../crm/formats/maven.js';
import { importDeals } from '../../crm/import/import-deals.js';
import type { Workspace } from '../../store/ports.js';
import { openSqliteStore } from '../../store/sqlite/open.js';
import { sharedDataPath } from '../../test-support/shared-data.js';
import { tempDirectory } from '../../test-support/temp-files.js';
import { inThreadReports } from './runner.js';

// The report thread runs compiled code: load the built module, as `closedloop serve` does.
const dist = join(import.meta.dirname, '../../../dist/server');
const { WorkerReports, defaultMaxReportsPerWorkspace } = (await import(
  join(dist, 'reports/worker-reports.js')
)) as typeof import('./worker-reports.js');
const dir = tempDirectory();
const db = join(dir, 'tenants.db');

// Two workspaces of 40 deals each: what is asserted is the order the reports end in and what
// each gets, never how long anything took.
let first: Workspace;
let second: Workspace;
let funnel: unknown;

beforeAll(async () => {
  const store = await openSqliteStore(db);
  first = await store.state.ensureDefaultWorkspace();
  second = (await store.state.createWorkspace('second')).workspace;
  const head = (await readFile(sharedDataPath('maven-crm', 'sales_pipeline.csv'), 'utf8'))
    .split('\n')
    .slice(0, 41)
    .join('\n');
  const file = join(dir, 'head.csv');
  await writeFile(file, `${head}\n`);
  for (const workspace of [first, second]) {
    await importDeals({
      format: mavenFormat,
      files: [file],
      strict: true,
      workspace,
      state: store.state,
    });
  }
  funnel = await inThreadReports(store).run('funnel', first, {});
  expect(await inThreadReports(store).run('funnel', second, {})).toEqual(funnel);
  await store.close();
}, 60_000);

/** Runs a funnel, writing its label in `ended` when it ends, whether it succeeds or fails. */
function labelled(
  reports: InstanceType<typeof WorkerReports>,
  workspace: Workspace,
  label: string,
  ended: string[],
) {
  return reports.run('funnel', workspace, {}).finally(() => ended.push(label));
}

describe('reports of several workspaces on one thread', () => {
  it('take the workspaces in turn: a second workspace goes before the rest of the first one’s queue', async () => {
    const reports = new WorkerReports(db);
    const ended: string[] = [];
    // The first workspace sends four at once (its first is sent to the thread straight away),
    // then the second workspace sends one.
    const runs = [
      labelled(reports, first, 'first 1', ended),
      labelled(reports, first, 'first 2', ended),
      labelled(reports, first, 'first 3', ended),
      labelled(reports, first, 'first 4', ended),
      labelled(reports, second, 'second 1', ended),
    ];
    const results = await Promise.all(runs);
    expect(ended).toEqual(['first 1', 'second 1', 'first 2', 'first 3', 'first 4']);
    expect(results.every((result) => JSON.stringify(result) === JSON.stringify(funnel))).toBe(true);

    // Turn by turn, whatever the order sent: each workspace has one report computed before
    // either has a second, and one sent later joins the back of its workspace's queue.
    ended.length = 0;
    const again = [
      labelled(reports, first, 'first 1', ended),
      labelled(reports, first, 'first 2', ended),
      labelled(reports, first, 'first 3', ended),
      labelled(reports, second, 'second 1', ended),
      labelled(reports, second, 'second 2', ended),
      labelled(reports, second, 'second 3', ended),
    ];
    const late = again[0]?.then(() => labelled(reports, first, 'first 4', ended));
    await Promise.all([...again, late]);
    expect(ended).toEqual([
      'first 1',
      'second 1',
      'first 2',
      'second 2',
      'first 3',
      'second 3',
      'first 4',
    ]);
    await reports.close();
  }, 60_000);

  it('refuse a workspace past its limit as busy, and serve another workspace meanwhile', async () => {
    expect(defaultMaxReportsPerWorkspace).toBe(4);
    const reports = new WorkerReports(db, {
      maxReportsPerWorkspace: defaultMaxReportsPerWorkspace,
    });
    const ended: string[] = [];
    // Four waiting or computing is the limit: the fifth is refused before it waits anywhere.
    const held = [1, 2, 3, 4].map((n) => labelled(reports, first, `first ${n}`, ended));
    const refused = labelled(reports, first, 'first 5', ended);
    const other = labelled(reports, second, 'second 1', ended);
    await expect(refused).rejects.toMatchObject({
      code: 'CL_ERR_BUSY',
      message:
        'this workspace has 4 reports waiting or computing (limit 4); nothing was computed, retry after 1 s',
    });
    expect(await other).toEqual(funnel);
    for (const result of await Promise.all(held)) expect(result).toEqual(funnel);
    // Refused at once; the other workspace's report came in its turn, after one of the first's.
    expect(ended).toEqual(['first 5', 'first 1', 'second 1', 'first 2', 'first 3', 'first 4']);

    // The limit counts what still waits or computes: answered, the workspace may send again.
    expect(await reports.run('funnel', first, {})).toEqual(funnel);
    await reports.close();
  }, 60_000);
});
