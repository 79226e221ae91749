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
    // A backtest over these months takes seconds; a funnel, a fraction of one.
    const backtest = { from: '2017-03-01', to: '2017-12-01' };
    // Well apart, for a loaded machine: the backtest takes about 9 s alone, the funnel under 1 s.
    const reports = new WorkerReports(path, { timeLimitMs: 5_000 });
    const slow = reports.run('backtest', workspace, backtest);
    const beside = reports.run('funnel', workspace, {});
    await expect(slow).rejects.toMatchObject({
      code: 'CL_ERR_TIME_LIMIT',
      message:
        "the backtest report took longer than 5 s, the server's limit (serve --report-time-limit): ask for less, such as a shorter span or fewer as-of dates",
    });
    // The funnel that waited behind it is computed on a new thread; its wait did not count.
    const expected = await inThreadReports(store).run('funnel', workspace, {});
    expect(await beside).toEqual(expected);
    expect(await reports.run('funnel', workspace, {})).toEqual(expected);

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
        message: expect.stringMatching(/^the backtest report took longer than 5 s/),
      },
    });
    await app.close();
    await store.close();
  }, 120_000);
});
