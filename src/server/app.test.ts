import { describe, expect, it } from 'vitest';
import { ClosedloopError } from '../core/errors.js';
import { openSqliteStore } from '../store/sqlite/open.js';
import { buildApp } from './app.js';

describe('closing the app', () => {
  it('reports a failed last commit to whoever stops the server, and still lets the reports go', async () => {
    const store = await openSqliteStore(':memory:');
    const failure = new ClosedloopError('CL_ERR_STORE', 'store: sync the WAL (restart the server)');
    let reportsClosed = false;
    const app = await buildApp({
      events: store.events,
      state: store.state,
      ingest: {
        submit: () => Promise.reject(failure),
        flush: () => Promise.reject(failure),
        close: () => Promise.reject(failure),
      },
      reports: {
        run: () => Promise.reject(new Error('no reports here')),
        close: async () => {
          reportsClosed = true;
        },
      },
    });
    await expect(app.close()).rejects.toBe(failure);
    expect(reportsClosed).toBe(true);
    await store.close();
  });
});
