import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mavenFormat } from '../../crm/formats/maven.js';
import { importDeals } from '../../crm/import/import-deals.js';
import { openSqliteStore } from '../../store/sqlite/open.js';
import { sharedDataPath } from '../../test-support/shared-data.js';
import { tempDirectory } from '../../test-support/temp-files.js';
import { inThreadReports } from './runner.js';

// The report thread runs compiled code: load the built modules, as `closedloop serve` does (the
// app too, so that it knows the errors the runner throws for its own).
const dist = join(import.meta.dirname, '../../../dist/server');
const { WorkerReports } = (await import(
  join(dist, 'reports/worker-reports.js')
)) as typeof import('./worker-reports.js');
const { buildApp } = (await import(join(dist, 'app.js'))) as typeof import('../app.js');
const dir = tempDirectory();
const db = join(dir, 'reports.db');

async function mavenStore(path: string) {
  const store = await openSqliteStore(path);
  const workspace = await store.state.ensureDefaultWorkspace();
  await importDeals({
    format: mavenFormat,
    files: [sharedDataPath('maven-crm', 'sales_pipeline.csv')],
    strict: true,
    workspace,
    state: store.state,
  });
  return { store, workspace };
}

describe('reports in a thread of their own', () => {
  it('give what the HTTP thread would, and leave its timers running meanwhile', async () => {
    const { store, workspace } = await mavenStore(db);
    const request = { horizon: 2, draws: 500 };
    const reports = new WorkerReports(db);
    const order: string[] = [];
    const report = reports.run('forecast', workspace, request).then((result) => {
      order.push('report');
      return result;
    });
    // A forecast takes far longer than a timer tick; a blocked thread would run the timer last.
    await new Promise((resolve) => setTimeout(resolve, 1));
    order.push('timer');
    const fromThread = await report;
    expect(order).toEqual(['timer', 'report']);
    const here = await inThreadReports(store).run('forecast', workspace, request);
    expect(fromThread).toEqual(here);

    await expect(reports.run('funnel', workspace, { pipeline: 'Renewals' })).rejects.toMatchObject({
      code: 'CL_ERR_NOT_FOUND',
    });
    // A failure that is no refusal reaches the client without what failed inside.
    await expect(
      reports.run('backtest', workspace, null as unknown as { from: string; to: string }),
    ).rejects.toMatchObject({
      code: 'CL_ERR_INTERNAL',
      message: 'the server failed; the request can be retried',
    });
    await reports.close();
    await store.close();
  }, 60_000);

  it('stop a report past the time limit, answer 503 naming the limit, and carry on with the others', async () => {
    const path = join(dir, 'limited.db');
    const { store, workspace } = await mavenStore(path);
    // The margins are ratios, not seconds, so that a faster or a loaded machine keeps them: the
    // backtests take seconds on 8,800 deals (even with the API's fewer draws), ten times the
    // limit; the funnel beside them reads a workspace of 40 deals in milliseconds.
    const small = (await store.state.createWorkspace('small')).workspace;
    const head = (await readFile(sharedDataPath('maven-crm', 'sales_pipeline.csv'), 'utf8'))
      .split('\n')
      .slice(0, 41)
      .join('\n');
    const smallFile = join(dir, 'small.csv');
    await writeFile(smallFile, `${head}\n`);
    await importDeals({
      format: mavenFormat,
      files: [smallFile],
      strict: true,
      workspace: small,
      state: store.state,
    });
    const backtest = { from: '2017-03-01', to: '2017-12-01' };
    const reports = new WorkerReports(path, { timeLimitMs: 500 });
    const slow = reports.run('backtest', workspace, backtest);
    const beside = reports.run('funnel', small, {});
    await expect(slow).rejects.toMatchObject({
      code: 'CL_ERR_TIME_LIMIT',
      message:
        "the backtest report took longer than 0.5 s, the server's limit (serve --report-time-limit): ask for less, such as a shorter span or fewer as-of dates",
    });
    // The funnel waited behind the backtest for the whole limit, and is computed on a new
    // thread: had its wait counted, it would have failed with it.
    const expected = await inThreadReports(store).run('funnel', small, {});
    expect(expected.stages.length).toBeGreaterThan(0);
    expect(await beside).toEqual(expected);
    expect(await reports.run('funnel', small, {})).toEqual(expected);
    // A queue of quick reports, each far inside the limit, that together take several times it:
    // the last ones wait longer than the limit, and it is no reason to fail them. Its length
    // follows this machine's speed, so that the wait is past the limit by design.
    const timed = performance.now();
    for (let i = 0; i < 100; i++) await reports.run('funnel', small, {});
    const perFunnelMs = (performance.now() - timed) / 100;
    const length = Math.max(1_000, Math.ceil((3 * 500) / perFunnelMs));
    const queued = performance.now();
    const funnels = await Promise.all(
      Array.from({ length }, () => reports.run('funnel', small, {})),
    );
    expect(performance.now() - queued).toBeGreaterThan(500);
    expect(funnels.every((funnel) => JSON.stringify(funnel) === JSON.stringify(expected))).toBe(
      true,
    );

    const app = await buildApp({ events: store.events, state: store.state, reports });
    const secretKey = await store.state.issueSecretKey(workspace.id);
    const response = await app.fastify.inject({
      url: `/api/backtest?from=${backtest.from}&to=${backtest.to}`,
      headers: { authorization: `Bearer ${secretKey}` },
    });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      error: {
        code: 'CL_ERR_TIME_LIMIT',
        message: expect.stringMatching(/^the backtest report took longer than 0.5 s/),
      },
    });
    await app.close();
    await store.close();
  }, 120_000);
});
