import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqlite/open.js';
import { runCli } from '../test-support/run-cli.js';
import { tempDirectory } from '../test-support/temp-files.js';
import { buildApp } from './app.js';

const dir = tempDirectory();
const dbPath = join(dir, 'closed-loop.db');
const t0 = Date.UTC(2027, 0, 4, 9);
const hour = 3_600_000;
const day = 24 * hour;

/**
 * The whole loop, through the same routes real data takes: a visitor arrives from a Google ad,
 * browses, fills a form; the CRM creates a deal by webhook and later moves it to won; another
 * deal comes with nobody's visits behind it. The revenue report must credit the won deal to
 * Paid Search under every model; the pipeline report must show the other deal as unattributed,
 * not drop it.
 */
async function collectTheLoop(): Promise<void> {
  const store = await openSqliteStore(dbPath);
  const { workspace, writeKey, secretKey } = await store.state.createWorkspace('loop');
  const app = await buildApp({ events: store.events, state: store.state });
  const send = async (url: string, payload: unknown, authorization: string) => {
    const response = await app.fastify.inject({
      method: 'POST',
      url,
      headers: { authorization, 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  const segment = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
  const bearer = `Bearer ${secretKey}`;
  const visit = (messageId: string, at: number, url: string, referrer = '') => ({
    type: 'page',
    messageId,
    anonymousId: 'laptop-1',
    timestamp: new Date(at).toISOString(),
    context: { page: { url, referrer }, userAgent: 'Mozilla/5.0 (Macintosh) Safari/605.1.15' },
  });
  await send(
    '/v1/batch',
    {
      batch: [
        visit(
          'm-1',
          t0,
          'https://www.acme.com/pricing?utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=abc',
          'https://www.google.com/',
        ),
        visit('m-2', t0 + 5 * 60_000, 'https://www.acme.com/demo'),
        {
          type: 'track',
          event: 'Form Submitted',
          messageId: 'm-3',
          anonymousId: 'laptop-1',
          timestamp: new Date(t0 + 6 * 60_000).toISOString(),
          properties: { email: 'ada@globex.com' },
        },
        {
          type: 'identify',
          messageId: 'm-4',
          anonymousId: 'laptop-1',
          traits: { email: 'Ada@Globex.com' },
          timestamp: new Date(t0 + 6 * 60_000).toISOString(),
        },
      ],
    },
    segment,
  );
  const created = await send(
    '/api/deals',
    {
      deals: [
        {
          id: 'HS-1',
          name: 'Globex platform',
          amount: 12000,
          currency: 'USD',
          createdAt: new Date(t0 + 2 * day).toISOString(),
          emails: ['ada@globex.com'],
          stageChanges: [{ stage: 'Discovery', at: new Date(t0 + 2 * day).toISOString() }],
        },
        {
          id: 'HS-2',
          name: 'Walk-in',
          amount: 3000,
          currency: 'USD',
          createdAt: new Date(t0 + 3 * day).toISOString(),
          stage: 'Proposal',
        },
      ],
    },
    bearer,
  );
  expect(created).toMatchObject({ created: 2 });
  await send(
    '/api/deals',
    {
      deals: [
        {
          id: 'HS-1',
          stageChanges: [
            { stage: 'Proposal', at: new Date(t0 + 10 * day).toISOString() },
            { stage: 'Closed Won', at: new Date(t0 + 30 * day).toISOString() },
          ],
        },
      ],
    },
    bearer,
  );
  expect((await store.state.deals(workspace.id)).map((deal) => deal.status)).toEqual([
    'won',
    'open',
  ]);
  await app.close();
  await store.close();
}

describe('the closed loop: visit → lead → deal by webhook → won → revenue by channel', () => {
  it('credits the won revenue to Paid Search under every model', async () => {
    await collectTheLoop();
    const result = runCli([
      'attribute',
      '--db',
      dbPath,
      '--workspace',
      'loop',
      '--milestone',
      'won',
      '--json',
    ]);
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.totals).toMatchObject({ conversions: 1, value: 12_000 });
    expect(report.deals).toEqual({ deals: 1, unattributed: 0, withoutValue: 0 });
    const models = Object.keys(report.models);
    expect(models).toEqual(
      expect.arrayContaining(['first', 'last', 'linear', 'w_shaped', 'markov', 'shapley']),
    );
    for (const model of models) {
      const credits = Object.fromEntries(
        report.models[model].map((credit: { channel: string; value: number }) => [
          credit.channel,
          credit.value,
        ]),
      );
      expect(credits['Paid Search'], model).toBeCloseTo(12_000, 6);
    }
  });

  it('reports pipeline by stage with a journeyless deal as unattributed; refuses a bad milestone', async () => {
    const proposal = runCli([
      'attribute',
      '--db',
      dbPath,
      '--milestone',
      'stage:Proposal',
      '--json',
    ]);
    expect(proposal.status, proposal.stderr).toBe(0);
    const report = JSON.parse(proposal.stdout);
    // Both deals reached Proposal: HS-1 on its way to won, HS-2 is there now.
    expect(report.totals).toMatchObject({ conversions: 2, value: 15_000 });
    expect(report.deals).toEqual({ deals: 2, unattributed: 1, withoutValue: 0 });
    const first = Object.fromEntries(
      report.models.first.map((credit: { channel: string; value: number }) => [
        credit.channel,
        credit.value,
      ]),
    );
    expect(first).toMatchObject({ 'Paid Search': 12_000, Unattributed: 3_000 });
    const bad = runCli(['attribute', '--db', dbPath, '--milestone', 'signed']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(
      /^closedloop: CL_ERR_USAGE: --milestone: expected lead, deal, won or stage:NAME/,
    );
    // A stage no pipeline has (here, the wrong case) would credit nothing: it is refused.
    const unknown = runCli(['attribute', '--db', dbPath, '--milestone', 'stage:proposal']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(
      /^closedloop: CL_ERR_USAGE: --milestone: no pipeline has a stage "proposal" \(stages: .*Proposal.*\)\n$/,
    );
  });
});
