import { describe, expect, it } from 'vitest';
import { startCollector } from '../../test-support/collector.js';
import { forecastReport } from './forecast.js';
import { funnelReport } from './funnel.js';

const collector = await startCollector();

describe('GET /api/funnel on a workspace without deals', () => {
  // The collector's own workspace: nothing imported into it.
  it('answers 400 saying there are no deals, as the forecast does', async () => {
    for (const url of ['/api/funnel', '/api/funnel?asOf=2024-01-01', '/api/forecast']) {
      const response = await collector.post(url, undefined, {
        method: 'GET',
        auth: null,
        headers: { authorization: `Bearer ${collector.secretKey}` },
      });
      const report = url.startsWith('/api/funnel') ? 'funnel' : 'forecast';
      expect([url, response.status, response.body]).toEqual([
        url,
        400,
        {
          error: {
            code: 'CL_ERR_MODEL_INPUT',
            message: `${report}: the workspace has no deals yet; import some with \`closedloop import deals\``,
          },
        },
      ]);
    }
  });
});

describe('GET /api/funnel on a workspace whose deals have no stage', () => {
  it('answers 400 saying so, not that there are no deals', async () => {
    const { secretKey } = await collector.store.state.createWorkspace('stageless');
    const headers = { authorization: `Bearer ${secretKey}` };
    const sent = await collector.post(
      '/api/deals',
      { deals: [{ id: 'D-1', amount: 100, createdAt: '2024-01-01' }, { id: 'D-2' }] },
      { auth: null, headers },
    );
    expect(sent.status).toBe(200);
    const response = await collector.post('/api/funnel', undefined, {
      method: 'GET',
      auth: null,
      headers,
    });
    expect([response.status, response.body]).toEqual([
      400,
      {
        error: {
          code: 'CL_ERR_MODEL_INPUT',
          message:
            "funnel: none of the workspace's 2 deals has a stage; send their stages, or set the stages with `closedloop pipeline set`",
        },
      },
    ]);
  });
});

describe('funnelReport and forecastReport as the CLI calls them', () => {
  it('name the CLI flag when the as-of date lies before any deal was known', async () => {
    const { workspace, secretKey } = await collector.store.state.createWorkspace('early-cli');
    const sent = await collector.post(
      '/api/deals',
      { deals: [{ id: 'D-1', amount: 100, stage: 'Lead', createdAt: '2024-03-05' }] },
      { auth: null, headers: { authorization: `Bearer ${secretKey}` } },
    );
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const { events, state } = collector.store;
    const asOf = Date.parse('2024-01-01T00:00:00Z');
    const message =
      '--as-of: no deal was known yet as of 2024-01-01 (the data starts on 2024-03-05)';
    await expect(funnelReport(events, state, workspace, { asOf })).rejects.toThrow(message);
    await expect(forecastReport(events, state, workspace, { asOf, draws: 100 })).rejects.toThrow(
      message,
    );
  });
});
