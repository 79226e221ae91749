import { describe, expect, it } from 'vitest';
import { mavenFormat } from '../crm/formats/maven.js';
import { importDeals } from '../crm/import/import-deals.js';
import { startCollector } from '../test-support/collector.js';
import { sharedDataPath } from '../test-support/shared-data.js';

const collector = await startCollector();
const { store, workspace, secretKey } = collector;
await importDeals({
  format: mavenFormat,
  files: [sharedDataPath('maven-crm', 'sales_pipeline.csv')],
  strict: true,
  workspace,
  state: store.state,
});
const get = (url: string, authorization = `Bearer ${secretKey}`) =>
  collector.post(url, undefined, { method: 'GET', auth: null, headers: { authorization } });
const putTarget = (period: string, body: Record<string, unknown>) =>
  collector.post(`/api/targets/${period}`, body, {
    method: 'PUT',
    auth: null,
    headers: { authorization: `Bearer ${secretKey}` },
  });

/** Six dated deals of 2024 and one whose close is a 2099 typo. */
const typoDeals = () => {
  const deals: Record<string, unknown>[] = Array.from({ length: 6 }, (_, i) => ({
    id: `D-${i}`,
    amount: 1000,
    stage: i % 2 === 0 ? 'Closed Won' : 'Closed Lost',
    status: i % 2 === 0 ? 'won' : 'lost',
    createdAt: `2024-0${1 + i}-01`,
    closedAt: `2024-0${2 + i}-01`,
  }));
  deals.push({ ...deals[0], id: 'TYPO', closedAt: '2099-03-01' });
  return deals;
};

describe('report routes', () => {
  it('GET /api/forecast: periods, targets and notes; /api/forecast/deals: the per-deal table', async () => {
    const put = await putTarget('2018-Q1', { amountMinor: 150_000_000 });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const targets = await get('/api/targets');
    expect(targets.body).toEqual({
      currency: 'USD',
      targets: [{ period: '2018-Q1', amountMinor: 150_000_000 }],
    });

    const forecast = await get('/api/forecast?horizon=3&by=quarter&model=first');
    expect(forecast.status, JSON.stringify(forecast.body)).toBe(200);
    expect(forecast.body).toMatchObject({ by: 'quarter', model: 'first', currency: 'USD' });
    expect(forecast.body.periods.map((p: { period: string }) => p.period)).toEqual(['2018-Q1']);
    expect(forecast.body.targets[0]).toMatchObject({ period: '2018-Q1', amount: 1_500_000 });
    expect(forecast.body.deals).toBeUndefined();

    const deals = await get('/api/forecast/deals?horizon=3');
    expect(deals.status).toBe(200);
    expect(deals.body.deals).toHaveLength(2089);
  });

  it('GET /api/backtest: metrics per method', async () => {
    const response = await get('/api/backtest?from=2017-11-01&to=2017-12-01&horizon=1');
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.asOf).toEqual(['2017-11-01', '2017-12-01']);
    expect(response.body.metrics.closedloop.count.wape).toBeGreaterThanOrEqual(0);
    expect(response.body.rows).toBeUndefined();
  });

  it('GET /api/funnel: from or to needs periodBy, and a bad day is named as itself', async () => {
    for (const [url, message] of [
      ['/api/funnel?to=2026-06-01', 'periodBy: required with from and to (created or closed)'],
      ['/api/funnel?from=2026-01-01', 'periodBy: required with from and to (created or closed)'],
      [
        '/api/funnel?periodBy=maybe&to=2026-06-01',
        'periodBy: expected created or closed, got "maybe"',
      ],
    ] as const) {
      const response = await get(url);
      expect(response.status, url).toBe(400);
      expect(response.body.error, url).toEqual({ code: 'CL_ERR_USAGE', message });
    }
    for (const url of [
      '/api/funnel?from=2026-13-01',
      '/api/funnel?from=2026-13-01&to=2026-06-01',
    ]) {
      const response = await get(url);
      expect(response.status, url).toBe(400);
      expect(response.body.error, url).toEqual({
        code: 'CL_ERR_USAGE',
        message: 'from: expected a date such as 2027-03-01, got "2026-13-01"',
      });
    }
  });

  it('answers 400 naming the parameter, and 401 without a secret key', async () => {
    for (const [url, name] of [
      ['/api/forecast?by=week', 'by'],
      ['/api/forecast?model=magic', 'model'],
      // Custom weights have no parameter here: the model is not offered, rather than failing later.
      ['/api/forecast?model=custom', 'model'],
      ['/api/forecast?horizon=100', 'horizon'],
      ['/api/forecast?asOf=soon', 'asOf'],
      ['/api/backtest?from=2017-11-01', 'to'],
      ['/api/forecast?horizon=2&horizon=3', 'horizon'],
      ['/api/forecast?asOf=2017-01-01&asOf=2017-02-01', 'asOf'],
      ['/api/forecast?asOf=2099-01-01', 'asOf'],
      ['/api/backtest?from=2017-06-01&to=2017-01-01', 'from'],
      ['/api/backtest?from=2017-01-01&to=2999-12-31', 'to'],
      ['/api/backtest?from=2017-02-30&to=2017-06-01', 'from'],
      ['/api/funnel?periodBy=created&from=2018-01-01&to=2017-01-01', 'from'],
    ] as const) {
      const response = await get(url);
      expect(response.status, url).toBe(400);
      expect(response.body.error.message.startsWith(`${name}:`), response.body.error.message).toBe(
        true,
      );
    }
    const missing = await get('/api/backtest?from=2017-11-01');
    expect(missing.body.error.message).toBe('to: is required (a date such as 2027-03-01)');
    const target = await putTarget('2018-13', { amountMinor: 1 });
    expect(target.status).toBe(400);
    expect(target.body.error.message).toMatch(/^period:/);
    for (const amountMinor of [-1, 1.5, '100', undefined]) {
      const amount = await putTarget('2018-Q2', { amountMinor });
      expect(amount.status).toBe(400);
      expect(amount.body.error.message).toBe(
        `amountMinor: expected a whole, non-negative number of minor units of USD, got ${JSON.stringify(amountMinor ?? null)}`,
      );
    }
    const misspelt = await putTarget('2018-Q2', { amountMinor: 100, amount_minor: 200 });
    expect(misspelt.status).toBe(400);
    expect(misspelt.body.error.message).toBe(
      'amount_minor: unknown field (a target has amountMinor only)',
    );
    for (const url of ['/api/forecast', '/api/forecast/deals', '/api/targets', '/api/backtest']) {
      expect((await get(url, 'Bearer sk_wrong')).status, url).toBe(401);
    }
  });
});

describe('report routes on workspaces of their own', () => {
  const send = (key: string, url: string, body: unknown) =>
    collector.post(url, body, {
      method: 'POST',
      auth: null,
      headers: { authorization: `Bearer ${key}` },
    });

  it('GET /api/backtest on a workspace without deals: 400, as the forecast and the funnel answer', async () => {
    const empty = await store.state.createWorkspace('no-deals');
    for (const url of [
      '/api/backtest?from=2024-01-01&to=2024-03-01',
      '/api/forecast',
      '/api/funnel',
    ]) {
      const response = await get(url, `Bearer ${empty.secretKey}`);
      expect([url, response.status, response.body.error?.code]).toEqual([
        url,
        400,
        'CL_ERR_MODEL_INPUT',
      ]);
    }
    const backtest = await get(
      '/api/backtest?from=2024-01-01&to=2024-03-01',
      `Bearer ${empty.secretKey}`,
    );
    expect(backtest.body.error.message).toBe(
      'backtest: the workspace has no deals yet; import some with `closedloop import deals`',
    );
  });

  it('GET /api/forecast and /api/funnel: a deal won "in 2099" does not move the as-of date', async () => {
    const { secretKey: key } = await store.state.createWorkspace('typo');
    const created = await send(key, '/api/deals', { deals: typoDeals() });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const before = Date.now();
    for (const url of ['/api/forecast?horizon=1', '/api/funnel']) {
      const response = await get(url, `Bearer ${key}`);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      // Just after the latest date before now, 1 July 2024 (the other closes).
      expect(response.body.asOf, url).toBe('2024-07-02T00:00:00.000Z');
      expect(Date.parse(response.body.asOf)).toBeLessThanOrEqual(before);
      expect(response.body.notes[0], url).toMatch(
        /^1 deal carries a date after now \(the latest 2099-03-01\); /,
      );
    }
  });
});

describe('report routes refuse what they would otherwise answer wrongly', () => {
  const send = (key: string, url: string, body: unknown, method: 'POST' | 'PUT' = 'POST') =>
    collector.post(url, body, { method, auth: null, headers: { authorization: `Bearer ${key}` } });

  it('answer 400 naming an unknown or misspelt parameter, listing those the route takes', async () => {
    const funnel = 'expected pipeline, asOf, periodBy, from, to, segment';
    const forecast = 'expected asOf, horizon, by, model';
    for (const [url, message] of [
      ['/api/funnel?asof=2017-03-01', `asof: unknown parameter (${funnel})`],
      ['/api/funnel?asOf=2017-03-01&pipline=x', `pipline: unknown parameter (${funnel})`],
      ['/api/forecast?Horizon=1', `Horizon: unknown parameter (${forecast})`],
      ['/api/forecast?draws=5', `draws: unknown parameter (${forecast})`],
      ['/api/forecast/deals?horizon=1&seed=3', `seed: unknown parameter (${forecast})`],
      [
        '/api/backtest?from=2017-11-01&to=2017-12-01&draws=5',
        'draws: unknown parameter (expected from, to, every, horizon)',
      ],
      ['/api/targets?period=2018-Q1', 'period: unknown parameter (expected none)'],
    ] as const) {
      const response = await get(url);
      expect([url, response.status, response.body]).toEqual([
        url,
        400,
        { error: { code: 'CL_ERR_USAGE', message } },
      ]);
    }
    // Without a secret key, 401 still comes first.
    expect((await get('/api/forecast?draws=5', 'Bearer sk_wrong')).status).toBe(401);
  });

  it('GET /api/funnel on a workspace with a pipeline but no deals: 400, as the forecast answers', async () => {
    const { secretKey: key } = await store.state.createWorkspace('pipeline-only');
    const stages = [
      { name: 'Lead', phase: 'awareness', outcome: null, probability: 0.1 },
      { name: 'Won', phase: 'decision', outcome: 'won', probability: 1 },
    ];
    const put = await send(key, '/api/pipelines/Main', { stages }, 'PUT');
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    for (const url of ['/api/funnel', '/api/funnel?pipeline=Main', '/api/funnel?pipeline=Other']) {
      const response = await get(url, `Bearer ${key}`);
      expect([url, response.status, response.body]).toEqual([
        url,
        400,
        {
          error: {
            code: 'CL_ERR_MODEL_INPUT',
            message:
              'funnel: the workspace has no deals yet; import some with `closedloop import deals`',
          },
        },
      ]);
    }
  });

  it('notes deals dated after now with an as-of date given too', async () => {
    const { secretKey: key } = await store.state.createWorkspace('typo-as-of');
    const created = await send(key, '/api/deals', { deals: typoDeals() });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    for (const url of ['/api/forecast?horizon=1&asOf=2024-05-01', '/api/funnel?asOf=2024-05-01']) {
      const response = await get(url, `Bearer ${key}`);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body.asOf, url).toBe('2024-05-01T00:00:00.000Z');
      expect(response.body.notes[0], url).toBe(
        '1 deal carries a date after now (the latest 2099-03-01); dates after now are typos or expectations, not data: the as-of date given lies before them, and they count as not yet happened',
      );
    }
  });

  it('refuses an as-of date before any deal was known, as the backtest does', async () => {
    const { secretKey: key } = await store.state.createWorkspace('early-as-of');
    const created = await send(key, '/api/deals', { deals: typoDeals() });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    for (const [url, asOf] of [
      ['/api/forecast?asOf=2000-01-01', '2000-01-01'],
      ['/api/forecast/deals?asOf=2024-01-01', '2024-01-01'],
      ['/api/funnel?asOf=2000-01-01', '2000-01-01'],
      ['/api/funnel?asOf=2024-01-01T12:00:00Z', '2024-01-01T12:00:00.000Z'],
    ] as const) {
      const response = await get(url, `Bearer ${key}`);
      expect([url, response.status, response.body]).toEqual([
        url,
        400,
        {
          error: {
            code: 'CL_ERR_MODEL_INPUT',
            message: `asOf: no deal was known yet as of ${asOf} (the data starts on 2024-01-01)`,
          },
        },
      ]);
    }
    // The day after the first creation date, the deals created then are known (D-0 and TYPO).
    const known = await get('/api/funnel?asOf=2024-01-02', `Bearer ${key}`);
    expect(known.status, JSON.stringify(known.body)).toBe(200);
    expect(known.body.deals.total).toBe(2);
  });
});

describe('target periods', () => {
  it('are spelt as the CLI spells them: a quarter written 2019-q4 is 2019-Q4', async () => {
    const put = await putTarget('2019-q4', { amountMinor: 1_000 });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toEqual({ period: '2019-Q4', amountMinor: 1_000 });
    expect((await get('/api/targets')).body.targets).toContainEqual({
      period: '2019-Q4',
      amountMinor: 1_000,
    });
  });
});
