import { describe, expect, it } from 'vitest';
import { closedloopFormat } from '../../crm/formats/closedloop.js';
import { importDeals } from '../../crm/import/import-deals.js';
import { startCollector } from '../../test-support/collector.js';
import { tempFiles } from '../../test-support/temp-files.js';

const collector = await startCollector();
const file = tempFiles();
const get = (url: string, secretKey: string) =>
  collector.post(url, undefined, {
    method: 'GET',
    auth: null,
    headers: { authorization: `Bearer ${secretKey}` },
  });

describe('GET /api/forecast on a workspace without deals', () => {
  // The collector's own workspace: nothing imported into it.
  it('answers 400 saying there are no deals, with or without an as-of date', async () => {
    for (const url of [
      '/api/forecast',
      '/api/forecast?asOf=2024-01-01',
      '/api/forecast/deals?asOf=2024-01-01',
    ]) {
      const response = await get(url, collector.secretKey);
      expect(response.status, url).toBe(400);
      expect(response.body, url).toEqual({
        error: {
          code: 'CL_ERR_MODEL_INPUT',
          message:
            'forecast: the workspace has no deals yet; import some with `closedloop import deals`',
        },
      });
    }
  });
});

describe('GET /api/forecast with deals in a currency that has no exchange rate', () => {
  const header =
    'deal_id,name,created_at,amount,currency,status,closed_at,pipeline,stage,owner,segment,emails,account,account_domain,channel,recurring_interval,term_months';
  const day = (n: number) => new Date(Date.UTC(2024, 0, n)).toISOString().slice(0, 10);
  // 40 closed USD deals in January and February, half of them won at $1,000: the won size an
  // unvalued open deal would be given.
  const history = Array.from({ length: 40 }, (_, i) => {
    const won = i % 2 === 0;
    return `H${i},H${i},${day(1 + i)},1000,USD,${won ? 'won' : 'lost'},${day(21 + i)},default,${won ? 'Won' : 'Lost'},,,,,,,,`;
  });
  const csv = [
    header,
    ...history,
    `BIG,Big EUR deal,${day(60)},5000000,EUR,open,,default,Demo,,,,,,,,`,
    `WONEUR,Won EUR deal,${day(10)},2000,EUR,won,${day(40)},default,Won,,,,,,,,`,
  ].join('\n');

  it('leaves them unvalued and says so in the notes', async () => {
    const { workspace, secretKey } = await collector.store.state.createWorkspace('euro');
    const summary = await importDeals({
      format: closedloopFormat,
      files: [file('deals.csv', `${csv}\n`)],
      strict: true,
      workspace,
      state: collector.store.state,
    });
    expect(summary.unconverted).toEqual([{ currency: 'EUR', deals: 2 }]);

    const deals = await get('/api/forecast/deals?horizon=2', secretKey);
    expect(deals.status, JSON.stringify(deals.body)).toBe(200);
    const big = deals.body.deals.find((deal: { externalId: string }) => deal.externalId === 'BIG');
    expect(big).toMatchObject({
      value: null,
      valueSource: 'no exchange rate',
      expectedValue: null,
    });
    expect(big.reason).toMatch(/; value unknown: its currency has no exchange rate$/);

    const forecast = await get('/api/forecast?horizon=2', secretKey);
    expect(forecast.status, JSON.stringify(forecast.body)).toBe(200);
    expect(forecast.body.notes).toContain(
      'EUR has no exchange rate to USD: 1 open deal and 1 won deal in it counted, not valued, until a rate is imported',
    );
    // Its amount is known: it is not one of the deals with no amount to size.
    expect(forecast.body.notes.join('\n')).not.toMatch(/with no amount/);
  });
});

describe('GET /api/forecast and /api/backtest for a pipeline with no open stage', () => {
  const send = (secretKey: string, method: 'POST' | 'PUT', url: string, body: unknown) =>
    collector.post(url, body, {
      method,
      auth: null,
      headers: { authorization: `Bearer ${secretKey}` },
    });
  const reports = async (secretKey: string) => {
    const answers = [];
    for (const url of [
      '/api/forecast?horizon=2',
      '/api/forecast/deals?horizon=2',
      '/api/backtest?from=2024-01-01&to=2024-03-01',
    ]) {
      const response = await get(url, secretKey);
      answers.push([url, response.status, response.body.error?.code ?? null]);
    }
    return answers;
  };

  it('answers each report: deals without a stage, closed deals only, closing stages only', async () => {
    const noStage = await collector.store.state.createWorkspace('no-stage');
    const created = await send(noStage.secretKey, 'POST', '/api/deals', {
      deals: [{ id: 'D-1', amount: 100, createdAt: '2024-01-01' }],
    });
    expect(created.status).toBe(200);

    const closedOnly = await collector.store.state.createWorkspace('closed-only');
    await send(closedOnly.secretKey, 'POST', '/api/deals', {
      deals: [
        {
          id: 'A',
          amount: 100,
          stage: 'Won',
          status: 'won',
          createdAt: '2024-01-01',
          closedAt: '2024-01-31',
        },
      ],
    });

    const closingStages = await collector.store.state.createWorkspace('closing-stages');
    await send(closingStages.secretKey, 'POST', '/api/deals', {
      deals: [{ id: 'X', amount: 100, stage: 'Demo', createdAt: '2024-01-01' }],
    });
    const put = await send(closingStages.secretKey, 'PUT', '/api/pipelines/default', {
      stages: [{ name: 'Won', phase: 'decision', outcome: 'won', probability: 1 }],
    });

    const answers = [
      ...(await reports(noStage.secretKey)),
      ...(await reports(closedOnly.secretKey)),
      ...(put.status === 200 ? await reports(closingStages.secretKey) : []),
    ];
    expect(put.status).toBe(200);
    // Nothing to fail on: each is answered, from the deals' ages since creation.
    expect(answers.filter(([, status]) => status !== 200)).toEqual([]);
    expect(answers).toHaveLength(9);
    const table = await get('/api/forecast/deals?horizon=2', noStage.secretKey);
    expect(table.body.deals).toMatchObject([{ externalId: 'D-1', stage: null, basis: 'creation' }]);
    expect(table.body.deals[0].reason).toMatch(/^no stage, 1 day since creation; /);
  });
});

describe('GET /api/forecast: money in whole minor units', () => {
  const header =
    'deal_id,name,created_at,amount,currency,status,closed_at,pipeline,stage,owner,segment,emails,account,account_domain,channel,recurring_interval,term_months';
  const day = (n: number) => new Date(Date.UTC(2024, 0, n)).toISOString().slice(0, 10);
  // Won sizes whose average is no whole number of cents (7 of the 20 won at 1,000.01, the rest at
  // 1,000), open deals sized by it, and a monthly subscription whose new MRR is a twelfth of its
  // booking.
  const history = Array.from({ length: 40 }, (_, i) => {
    const won = i % 2 === 0;
    return `H${i},H${i},${day(1 + i)},${i % 6 === 0 ? '1000.01' : '1000'},USD,${won ? 'won' : 'lost'},${day(21 + i)},default,${won ? 'Won' : 'Lost'},,,,,,,,`;
  });
  const csv = [
    header,
    ...history,
    `O1,Sized,${day(55)},,USD,open,,default,Demo,,,,,,,,`,
    `O2,Sized too,${day(56)},,USD,open,,default,Demo,,,,,,,,`,
    `O3,Monthly,${day(57)},99.99,USD,open,,default,Demo,,,,,,,month,12`,
  ].join('\n');

  it('gives every band, value, expected value and target in whole cents', async () => {
    const { workspace, secretKey } = await collector.store.state.createWorkspace('cents');
    await importDeals({
      format: closedloopFormat,
      files: [file('cents.csv', `${csv}\n`)],
      strict: true,
      workspace,
      state: collector.store.state,
    });
    await collector.store.state.setTarget(workspace.id, {
      period: '2024-03',
      amountMinor: 5_000_00,
    });
    const money: number[] = [];
    const forecast = await get('/api/forecast?horizon=2', secretKey);
    expect(forecast.status, JSON.stringify(forecast.body)).toBe(200);
    for (const period of forecast.body.periods) {
      money.push(period.wonToDate.revenue);
      const bands = [period.revenue, period.fromOpenDeals, period.fromNewPipeline, period.newMrr];
      for (const band of [
        ...bands,
        ...period.byChannel.map((c: { revenue: unknown }) => c.revenue),
      ])
        money.push(band.p10, band.p50, band.p90, band.mean);
    }
    for (const target of forecast.body.targets) money.push(target.expected, target.expectedGap);
    const deals = await get('/api/forecast/deals?horizon=2', secretKey);
    for (const deal of deals.body.deals) money.push(deal.value, deal.expectedValue);
    expect(money.length).toBeGreaterThan(30);
    const fractional = money.filter((x) => Math.abs(x * 100 - Math.round(x * 100)) > 1e-6);
    expect(fractional).toEqual([]);
    // The sized deals' value is the won average (1,000.0035), rounded to the cent.
    expect(deals.body.deals.find((d: { externalId: string }) => d.externalId === 'O1')?.value).toBe(
      1000,
    );
  });
});
