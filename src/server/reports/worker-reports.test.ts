import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mavenFormat } from '../../crm/formats/maven.js';
import { importDeals } from '../../crm/import/import-deals.js';
import { openSqliteStore } from '../../store/sqlite/open.js';
import { sharedDataPath } from '../../test-support/shared-data.js';
import { tempDirectory } from '../../test-support/temp-files.js';
import { inThreadReports } from './runner.js';

// The report thread runs compiled code: load the built module, as `closedloop serve` does.
const { WorkerReports } = (await import(
  join(import.meta.dirname, '../../../dist/server/reports/worker-reports.js')
)) as typeof import('./worker-reports.js');
const db = join(tempDirectory(), 'reports.db');

describe('reports in a thread of their own', () => {
  it('give what the HTTP thread would, and leave its timers running meanwhile', async () => {
    const store = await openSqliteStore(db);
    const workspace = await store.state.ensureDefaultWorkspace();
    await importDeals({
      format: mavenFormat,
      files: [sharedDataPath('maven-crm', 'sales_pipeline.csv')],
      strict: true,
      workspace,
      state: store.state,
    });
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
});
