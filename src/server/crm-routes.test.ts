import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startCollector } from '../test-support/collector.js';

const clock = Date.UTC(2027, 2, 1, 12);
// Behind a proxy on this host that ends TLS: HubSpot signs the public https:// address.
const collector = await startCollector({ now: () => clock, trustProxy: ['127.0.0.1'] });
const { store, workspace, secretKey } = collector;
const bearer = { headers: { authorization: `Bearer ${secretKey}` } };
const appSecret = 'hubspot-app-secret-0f3a';
await store.state.setIntegrationSecret(workspace.id, 'hubspot', appSecret);
await store.state.setIntegrationSecret(workspace.id, 'pipedrive', 'pd-pass');

const dealsOf = async (source: string) =>
  (await store.state.deals(workspace.id)).filter((deal) => deal.source === source);

describe('POST /api/deals', () => {
  it('upserts deals with their stage changes, in time order whatever order they arrive in', async () => {
    const first = await collector.post(
      '/api/deals',
      {
        deals: [
          {
            id: 'D-1',
            name: 'Acme renewal',
            amount: '12000.50',
            currency: 'EUR',
            createdAt: '2027-01-10',
            emails: ['Ada@Example.com'],
            stageChanges: [
              { stage: 'Proposal', at: '2027-02-01T09:00:00Z' },
              { stage: 'Discovery', at: '2027-01-10T09:00:00Z' },
            ],
          },
        ],
      },
      bearer,
    );
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ created: 1, updated: 0 });
    // A late stage change, the same delivery replayed (nothing to write), then the win.
    for (const [stageChanges, counts] of [
      [[{ stage: 'Demo', at: '2027-01-20T09:00:00Z' }], { updated: 1, unchanged: 0 }],
      [[{ stage: 'Demo', at: '2027-01-20T09:00:00Z' }], { updated: 0, unchanged: 1 }],
      [[{ stage: 'Closed Won', at: '2027-02-20T15:00:00Z' }], { updated: 1, unchanged: 0 }],
    ] as const) {
      const again = await collector.post(
        '/api/deals',
        { deals: [{ id: 'D-1', stageChanges }] },
        bearer,
      );
      expect(again.body).toEqual({ created: 0, ...counts, deals: first.body.deals });
    }
    const [deal] = await dealsOf('api');
    expect(deal).toMatchObject({
      externalId: 'D-1',
      amountMinor: 1_200_050,
      currency: 'EUR',
      status: 'won',
      stage: 'Closed Won',
      closedAt: { at: Date.parse('2027-02-20T15:00:00Z'), dateOnly: false },
      emails: ['ada@example.com'],
    });
    expect(deal?.history.map((entry) => entry.stage)).toEqual([
      'Discovery',
      'Demo',
      'Proposal',
      'Closed Won',
    ]);
    const [pipeline] = await store.state.pipelines(workspace.id);
    expect(pipeline?.stages.map((stage) => [stage.name, stage.outcome])).toEqual([
      ['Discovery', null],
      ['Demo', null],
      ['Proposal', null],
      ['Closed Won', 'won'],
    ]);
  });

  it('answers 401 without a secret key, and 400 naming the field for a bad deal', async () => {
    const body = { deals: [{ id: 'D-2' }] };
    expect((await collector.post('/api/deals', body, { auth: null })).status).toBe(401);
    const wrong = await collector.post('/api/deals', body, {
      headers: { authorization: 'Bearer sk_wrong' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('CL_ERR_AUTH');
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="closedloop"');

    for (const [deals, field] of [
      [[{ name: 'no id' }], 'deals.0.id: is required'],
      [[{ id: 'x', amount: 'lots' }], 'deals.0.amount'],
      [[{ id: 'x', currency: 'euro' }], 'deals.0.currency'],
      [[{ id: 'x', createdAt: 'yesterday' }], 'deals.0.createdAt: expected an ISO 8601 date'],
      [[{ id: 'x', stageChanges: [{ stage: 'Demo', at: 'soon' }] }], 'deals.0.stageChanges.0.at'],
      // Ambiguous: 4 March or 3 April? Refused, not read month first.
      [[{ id: 'SL', createdAt: '03/04/2027' }], 'deals.0.createdAt: expected an ISO 8601 date'],
      // Blank ids: a deal nobody could find again.
      [[{ id: 'D-9' }, { id: '   ' }], 'deals.1.id: expected a non-empty id'],
      // A misspelt field is refused, not dropped with its value.
      [[{ id: 'x', ammount: 12_000.5 }], 'deals.0.ammount: unknown field'],
      [
        [{ id: 'x', stageChanges: [{ stage: 'Demo', at: '2024-01-01', by: 'Ana' }] }],
        'deals.0.stageChanges.0.by: unknown field',
      ],
      [[{ id: 'x', status: 'closed' }], 'deals.0.status: expected "open", "won" or "lost"'],
      [[{ id: 'x', amount: '12,000.50' }], 'deals.0.amount: must be number, or must match pattern'],
    ] as const) {
      const response = await collector.post('/api/deals', { deals }, bearer);
      expect(response.status, JSON.stringify(deals)).toBe(400);
      expect(response.body.error.code).toBe('CL_ERR_DEAL_INVALID');
      expect(response.body.error.message).toContain(field);
    }
    expect(await dealsOf('api')).toHaveLength(1);
  });
});

/** Signs a request exactly as HubSpot's v3 validation documents it. */
function hubspotHeaders(body: string, uri: string, timestamp: number, secret = appSecret) {
  const signature = createHmac('sha256', secret)
    .update(`POST${uri}${body}${timestamp}`)
    .digest('base64');
  return {
    'x-hubspot-signature-v3': signature,
    'x-hubspot-request-timestamp': String(timestamp),
    host: 'crm.example.com',
    'x-forwarded-proto': 'https',
  };
}

describe('HubSpot webhooks', () => {
  const path = `/webhooks/hubspot/${workspace.id}`;
  const uri = `https://crm.example.com${path}`;
  const delivery = JSON.stringify([
    { eventId: 1, subscriptionType: 'deal.creation', objectId: 901, occurredAt: clock - 60_000 },
    {
      eventId: 2,
      subscriptionType: 'deal.propertyChange',
      objectId: 901,
      propertyName: 'amount',
      propertyValue: '5000',
      occurredAt: clock - 50_000,
    },
    {
      eventId: 3,
      subscriptionType: 'deal.propertyChange',
      objectId: 901,
      propertyName: 'dealstage',
      propertyValue: 'closedwon',
      occurredAt: clock - 10_000,
    },
    {
      eventId: 4,
      subscriptionType: 'deal.propertyChange',
      objectId: 901,
      propertyName: 'dealstage',
      propertyValue: 'appointmentscheduled',
      occurredAt: clock - 40_000,
    },
  ]);

  it('takes a correctly signed delivery, and a replay of it changes nothing', async () => {
    const send = () =>
      collector.post(path, delivery, { auth: null, headers: hubspotHeaders(delivery, uri, clock) });
    const response = await send();
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toMatchObject({ created: 1, updated: 0 });
    const before = await dealsOf('hubspot');
    expect(before).toHaveLength(1);
    expect(before[0]).toMatchObject({
      externalId: '901',
      amountMinor: 500_000,
      currency: 'USD',
      status: 'won',
      stage: 'Closed Won',
      createdAt: { at: clock - 60_000, dateOnly: false },
      closedAt: { at: clock - 10_000, dateOnly: false },
    });
    expect(before[0]?.history.map((entry) => entry.stage)).toEqual([
      'Appointment Scheduled',
      'Closed Won',
    ]);
    expect((await send()).status).toBe(200);
    const after = await dealsOf('hubspot');
    expect({ ...after[0], updatedAt: 0 }).toEqual({ ...before[0], updatedAt: 0 });
  });

  it("believes X-Forwarded-Proto only from a trusted proxy: else the signed https address is not the request's", async () => {
    const direct = await startCollector({ now: () => clock });
    await direct.store.state.setIntegrationSecret(direct.workspace.id, 'hubspot', appSecret);
    const directPath = `/webhooks/hubspot/${direct.workspace.id}`;
    const send = (signedUri: string) =>
      direct.post(directPath, delivery, {
        auth: null,
        headers: hubspotHeaders(delivery, signedUri, clock),
      });
    const spoofed = await send(`https://crm.example.com${directPath}`);
    expect(spoofed.status).toBe(401);
    expect(spoofed.body.error.message).toBe(
      'webhook: X-HubSpot-Signature-v3: the signature does not match this request',
    );
    expect((await send(`http://crm.example.com${directPath}`)).status).toBe(200);
  });

  it('keeps the newer amount and name when an older change is delivered later', async () => {
    const change = (eventId: number, propertyName: string, propertyValue: string, at: number) => ({
      eventId,
      subscriptionType: 'deal.propertyChange',
      objectId: 950,
      propertyName,
      propertyValue,
      occurredAt: at,
    });
    const send = (events: unknown[]) => {
      const body = JSON.stringify(events);
      return collector.post(path, body, { auth: null, headers: hubspotHeaders(body, uri, clock) });
    };
    const newer = await send([
      { eventId: 10, subscriptionType: 'deal.creation', objectId: 950, occurredAt: clock - 90_000 },
      change(11, 'amount', '9000', clock - 20_000),
      change(12, 'dealname', 'Initech (signed)', clock - 20_000),
      // Kept out of the default pipeline, whose funnel a later test counts.
      change(15, 'pipeline', 'Renewals', clock - 90_000),
    ]);
    expect(newer.status, JSON.stringify(newer.body)).toBe(200);
    // HubSpot retried an earlier delivery: its changes are older than the ones stored.
    const late = await send([
      change(13, 'amount', '5000', clock - 60_000),
      change(14, 'dealname', 'Initech', clock - 60_000),
    ]);
    expect(late.body).toMatchObject({ created: 0, updated: 1 });
    const deal = (await dealsOf('hubspot')).find((d) => d.externalId === '950');
    expect(deal).toMatchObject({ amountMinor: 900_000, name: 'Initech (signed)' });
    // The older amount still takes its place in the history.
    expect(deal?.amountHistory.map((entry) => [entry.at.at, entry.minor])).toEqual([
      [clock - 60_000, 500_000],
      [clock - 20_000, 900_000],
    ]);
  });

  it('reads a late amount in the currency in force at its own time, not the one set after it', async () => {
    let eventId = 100;
    const change = (propertyName: string, propertyValue: string, at: number) => ({
      eventId: eventId++,
      subscriptionType: 'deal.propertyChange',
      objectId: 965,
      propertyName,
      propertyValue,
      occurredAt: at,
    });
    const send = (events: unknown[]) => {
      const body = JSON.stringify(events);
      return collector.post(path, body, { auth: null, headers: hubspotHeaders(body, uri, clock) });
    };
    const t = clock - 400_000;
    const first = await send([
      { eventId: eventId++, subscriptionType: 'deal.creation', objectId: 965, occurredAt: t },
      change('amount', '100.00', t),
      // Kept out of the default pipeline, whose funnel a later test counts.
      change('pipeline', 'Renewals', t),
    ]);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const yen = await send([
      change('deal_currency_code', 'JPY', t + 300_000),
      change('amount', '15000', t + 300_000),
    ]);
    expect(yen.status, JSON.stringify(yen.body)).toBe(200);
    // Delivered late: at its time the deal was in dollars, which hold 120.50.
    const late = await send([change('amount', '120.50', t + 200_000)]);
    expect(late.status, JSON.stringify(late.body)).toBe(200);
    const deal = (await dealsOf('hubspot')).find((d) => d.externalId === '965');
    expect(deal).toMatchObject({ amountMinor: 15000, currency: 'JPY' });
    expect(deal?.amountHistory.map((e) => [e.at.at - t, e.minor, e.currency])).toEqual([
      [0, 10000, 'USD'],
      [200_000, 12050, 'USD'],
      [300_000, 15000, 'JPY'],
    ]);
    // One its own time's currency cannot hold is still refused, naming the amount.
    const inexact = await send([change('amount', '99.999', t + 100_000)]);
    expect([inexact.status, inexact.body.error?.code]).toEqual([400, 'CL_ERR_DEAL_INVALID']);
    expect(inexact.body.error.message).toContain('amount of deal 965');
  });

  it('names the default pipeline as the exports do, and keeps the name of a custom one', async () => {
    let eventId = 200;
    const send = (objectId: number, pipeline: string, at: number) => {
      const body = JSON.stringify([
        {
          eventId: eventId++,
          subscriptionType: 'deal.propertyChange',
          objectId,
          propertyName: 'pipeline',
          propertyValue: pipeline,
          occurredAt: at,
        },
      ]);
      return collector.post(path, body, { auth: null, headers: hubspotHeaders(body, uri, clock) });
    };
    const pipelineOf = async (externalId: string) =>
      (await dealsOf('hubspot')).find((d) => d.externalId === externalId)?.pipeline;
    expect((await send(970, 'default', clock - 60_000)).status).toBe(200);
    expect(await pipelineOf('970')).toBe('Sales Pipeline');
    // Deal 950 is in "Renewals" (named): a custom pipeline's id leaves the name alone.
    expect((await send(950, '12345678', clock - 10_000)).status).toBe(200);
    expect(await pipelineOf('950')).toBe('Renewals');
    // Out of the default pipeline into a custom one: the id is all there is to go by.
    expect((await send(970, '12345678', clock - 30_000)).status).toBe(200);
    expect(await pipelineOf('970')).toBe('12345678');
  });

  it('rejects a wrong signature, a changed body, another secret and an old timestamp (401)', async () => {
    const cases = [
      {
        body: delivery,
        headers: { ...hubspotHeaders(delivery, uri, clock), 'x-hubspot-signature-v3': 'AAAA' },
      },
      { body: delivery.replace('5000', '9000'), headers: hubspotHeaders(delivery, uri, clock) },
      { body: delivery, headers: hubspotHeaders(delivery, uri, clock, 'not-the-secret') },
      { body: delivery, headers: hubspotHeaders(delivery, uri, clock - 6 * 60_000) },
      { body: delivery, headers: { host: 'crm.example.com' } },
    ];
    for (const { body, headers } of cases) {
      const response = await collector.post(path, body, { auth: null, headers });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('CL_ERR_AUTH');
    }
    const elsewhere = await collector.post(`/webhooks/hubspot/ws_unknown`, delivery, {
      auth: null,
      headers: hubspotHeaders(
        delivery,
        'https://crm.example.com/webhooks/hubspot/ws_unknown',
        clock,
      ),
    });
    expect(elsewhere.status).toBe(401);
    // Whether the workspace exists, or has HubSpot set up, is not told: every case answers as
    // a workspace with a secret would.
    const unsigned = { host: 'crm.example.com' };
    const answers = [];
    for (const id of [workspace.id, 'ws_unknown', 'elsewhere']) {
      const response = await collector.post(`/webhooks/hubspot/${id}`, delivery, {
        auth: null,
        headers: unsigned,
      });
      answers.push([response.status, response.body]);
    }
    expect(answers).toEqual(
      Array(3).fill([
        401,
        {
          error: {
            code: 'CL_ERR_AUTH',
            message: 'webhook: X-HubSpot-Signature-v3: the header is missing',
          },
        },
      ]),
    );
    const signedElsewhere = await collector.post('/webhooks/hubspot/ws_unknown', delivery, {
      auth: null,
      headers: hubspotHeaders(
        delivery,
        'https://crm.example.com/webhooks/hubspot/ws_unknown',
        clock,
      ),
    });
    expect(signedElsewhere.body.error.message).toBe(
      'webhook: X-HubSpot-Signature-v3: the signature does not match this request',
    );
  });
});

describe('Pipedrive webhooks', () => {
  const path = `/webhooks/pipedrive/${workspace.id}`;
  const auth = (password: string) => ({
    authorization: `Basic ${Buffer.from(`pipedrive:${password}`).toString('base64')}`,
  });
  const update = {
    meta: { action: 'updated', object: 'deal', id: 77, timestamp: 1_800_000_000 },
    current: {
      id: 77,
      title: 'Globex expansion',
      value: 2500,
      currency: 'eur',
      status: 'won',
      stage_id: 4,
      pipeline_id: 1,
      add_time: '2027-01-05 08:00:00',
      stage_change_time: '2027-02-10 10:00:00',
      won_time: '2027-02-10 10:00:00',
    },
    previous: { stage_id: 3 },
  };

  it('stores a deal update sent with the workspace password, and refuses any other (401)', async () => {
    const response = await collector.post(path, update, { auth: null, headers: auth('pd-pass') });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const [deal] = await dealsOf('pipedrive');
    expect(deal).toMatchObject({
      externalId: '77',
      name: 'Globex expansion',
      amountMinor: 250_000,
      currency: 'EUR',
      status: 'won',
      pipeline: 'pipeline 1',
      closedAt: { at: Date.UTC(2027, 1, 10, 10), dateOnly: false },
    });
    for (const guess of ['guess', 'pd-pas', 'pd-pass ', '']) {
      const wrong = await collector.post(path, update, { auth: null, headers: auth(guess) });
      expect(wrong.status, guess).toBe(401);
    }
    const none = await collector.post(path, update, { auth: null });
    expect(none.status).toBe(401);
  });

  it('keeps a newer update when an older one is delivered after it', async () => {
    const deal = (fields: Record<string, unknown>) => ({
      meta: { action: 'updated', object: 'deal', id: 90, timestamp: 1_800_000_000 },
      current: {
        id: 90,
        title: 'Umbrella',
        currency: 'EUR',
        stage_id: 3,
        pipeline_id: 1,
        ...fields,
      },
      previous: { stage_id: 3 },
    });
    const send = (body: unknown) =>
      collector.post(path, body, { auth: null, headers: auth('pd-pass') });
    const won = deal({
      value: 4000,
      status: 'won',
      won_time: '2027-03-02 09:00:00',
      update_time: '2027-03-02 09:00:00',
    });
    expect((await send(won)).status).toBe(200);
    // Pipedrive retried the update before the win; it arrives last.
    const late = await send(
      deal({ value: 3000, status: 'open', update_time: '2027-03-01 12:00:00' }),
    );
    expect(late.status, JSON.stringify(late.body)).toBe(200);
    const stored = (await dealsOf('pipedrive')).find((d) => d.externalId === '90');
    expect(stored).toMatchObject({
      name: 'Umbrella',
      amountMinor: 400_000,
      status: 'won',
      closedAt: { at: Date.UTC(2027, 2, 2, 9), dateOnly: false },
    });
    // A newer update still wins, and one without an update time is taken as it comes.
    await send(deal({ value: 4500, status: 'won', update_time: '2027-03-03 09:00:00' }));
    expect((await dealsOf('pipedrive')).find((d) => d.externalId === '90')).toMatchObject({
      amountMinor: 450_000,
    });
    await send(deal({ value: 4600, status: 'won' }));
    expect((await dealsOf('pipedrive')).find((d) => d.externalId === '90')).toMatchObject({
      amountMinor: 460_000,
    });
  });

  it("names the stages and pipeline by Pipedrive's stage list, once it is set", async () => {
    await store.state.setIntegrationNames(workspace.id, 'pipedrive', {
      pipelines: { '1': 'Sales' },
      stages: { '3': 'Qualified', '4': 'Negotiation' },
    });
    const moved = {
      ...update,
      meta: { ...update.meta, id: 78 },
      current: { ...update.current, id: 78, status: 'open', won_time: undefined },
    };
    const response = await collector.post(path, moved, { auth: null, headers: auth('pd-pass') });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const deal = (await dealsOf('pipedrive')).find((d) => d.externalId === '78');
    expect(deal).toMatchObject({ pipeline: 'Sales', stage: 'Negotiation' });
    expect(deal?.history).toEqual([
      { stage: 'Negotiation', enteredAt: { at: Date.UTC(2027, 1, 10, 10), dateOnly: false } },
    ]);
    // An id the list does not have keeps its id, whatever it looks like.
    const unknown = {
      ...moved,
      meta: { ...moved.meta, id: 79 },
      current: { ...moved.current, id: 79, stage_id: 12, pipeline_id: 'constructor' },
    };
    await collector.post(path, unknown, { auth: null, headers: auth('pd-pass') });
    expect((await dealsOf('pipedrive')).find((d) => d.externalId === '79')).toMatchObject({
      pipeline: 'pipeline constructor',
      stage: 'stage 12',
    });
  });
});

describe('pipelines API', () => {
  it('lists pipelines and replaces one, refusing a malformed one with the field named', async () => {
    const listed = await collector.post('/api/pipelines', undefined, { ...bearer, method: 'GET' });
    expect(listed.status).toBe(200);
    expect(listed.body.pipelines.length).toBeGreaterThan(0);
    const stages = [
      { name: 'Lead', phase: 'awareness', outcome: null, probability: 0.1 },
      { name: 'Won', phase: 'decision', outcome: 'won', probability: 1 },
    ];
    const put = await collector.post(
      '/api/pipelines/Partners',
      { stages },
      { ...bearer, method: 'PUT' },
    );
    expect(put.status).toBe(200);
    expect((await store.state.pipelines(workspace.id)).at(-1)).toEqual({
      name: 'Partners',
      stages,
    });
    const bad = await collector.post(
      '/api/pipelines/Partners',
      { stages: [{ ...stages[0], probability: 2 }] },
      { ...bearer, method: 'PUT' },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('stages.0.probability');
  });
});

describe('POST /api/conversions', () => {
  it('joins offline conversions to the person, once per id, and names bad fields', async () => {
    await collector.post('/v1/identify', {
      messageId: 'id-ada',
      anonymousId: 'browser-ada',
      traits: { email: 'ada@example.com' },
      timestamp: '2027-01-05T10:00:00Z',
    });
    const body = {
      conversions: [
        { id: 'call-1', type: 'call', at: '2027-01-06T15:00:00Z', email: 'ADA@example.com' },
        { type: 'meeting', at: '2027-01-07T09:00:00Z', phone: '+1 (415) 555-0100' },
      ],
    };
    const response = await collector.post('/api/conversions', body, bearer);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toEqual({ accepted: 2, duplicates: 0 });
    const again = await collector.post('/api/conversions', body, bearer);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ accepted: 0, duplicates: 2 });

    const ada = await store.state.personByEmail(workspace.id, 'ada@example.com');
    const visitors = await store.state.visitorsOfPerson(workspace.id, ada?.id ?? '');
    expect(visitors).toEqual(expect.arrayContaining(['browser-ada', 'offline:ada@example.com']));
    const conversions = await store.events.conversionsOfVisitors(workspace.id, visitors);
    expect(conversions.filter((c) => c.type === 'call')).toHaveLength(1);
    const phone = await store.events.conversionsOfVisitors(workspace.id, [
      'offline:tel:+14155550100',
    ]);
    expect(phone.map((c) => c.type)).toEqual(['meeting']);
    // An email pasted with `mailto:` and an invisible space is still Ada's.
    const pasted = await collector.post(
      '/api/conversions',
      {
        conversions: [
          {
            id: 'call-2',
            type: 'call',
            at: '2027-01-08T15:00:00Z',
            email: 'mailto:Ada@example.com\u200b',
          },
        ],
      },
      bearer,
    );
    expect(pasted.body).toEqual({ accepted: 1, duplicates: 0 });
    const ofAda = await store.events.conversionsOfVisitors(workspace.id, [
      'offline:ada@example.com',
    ]);
    expect(ofAda.map((c) => c.messageId)).toContain('call-2');

    for (const [conversions, field] of [
      [
        [{ type: 'call', at: '2027-01-06' }],
        'conversions.0.email: expected an email, phone or userId',
      ],
      [[{ type: 'call', at: 'tomorrow', email: 'a@b.c' }], 'conversions.0.at'],
      // ISO 8601 as the deals API takes it: no guess at 3 April or 4 March, nor at the clock.
      [[{ type: 'call', at: '03/04/2027', email: 'a@b.c' }], 'conversions.0.at: expected an ISO'],
      [[{ type: 'call', at: '2027-03-04T09:00', email: 'a@b.c' }], 'conversions.0.at'],
      [[{ type: 'Phone Call', at: '2027-01-06', email: 'a@b.c' }], 'conversions.0.type'],
      // Not yet happened (the test's clock is 2027-03-01 12:00): a typo, not a lead.
      [
        [{ type: 'call', at: '2099-10-01', email: 'a@b.c' }],
        'conversions.0.at: expected a time that has passed, got "2099-10-01" (now is 2027-03-01T12:00:00.000Z)',
      ],
      [[{ type: 'call', at: '2027-03-01T12:06:00Z', email: 'a@b.c' }], 'conversions.0.at'],
      [[{ type: 'call', at: '2027-01-06', email: 'not-an-email' }], 'conversions.0.email'],
      [
        [
          { type: 'call', at: '2027-01-06', email: 'first@b.c' },
          { type: 'call', at: '2027-01-06', userId: ' ' },
        ],
        'conversions.1.userId: expected an id, got a blank one',
      ],
      [
        [{ type: 'call', at: '2027-01-06', phoneNumber: '+14155550100' }],
        'conversions.0.phoneNumber: unknown field',
      ],
    ] as const) {
      const bad = await collector.post('/api/conversions', { conversions }, bearer);
      expect(bad.status, JSON.stringify(conversions)).toBe(400);
      expect(bad.body.error.message).toContain(field);
    }
    // A sender's clock a few minutes ahead is forgiven.
    const ahead = await collector.post(
      '/api/conversions',
      { conversions: [{ type: 'call', at: '2027-03-01T12:04:00Z', email: 'ahead@b.c' }] },
      bearer,
    );
    expect(ahead.body).toEqual({ accepted: 1, duplicates: 0 });
    // A refused request links no one, not even the conversions before the bad one.
    expect(await store.state.personByEmail(workspace.id, 'first@b.c')).toBeUndefined();
    expect((await collector.post('/api/conversions', body, { auth: null })).status).toBe(401);
  });
});

describe('phone numbers', () => {
  it('tie a call to the visitor who gave that number on the site, however it is written', async () => {
    await collector.post('/v1/identify', {
      messageId: 'id-lin',
      anonymousId: 'browser-lin',
      traits: { email: 'lin@example.com', phone: '+1 415-555-0199' },
      timestamp: '2027-01-05T10:00:00Z',
    });
    const calls = {
      conversions: [
        { type: 'call', at: '2027-01-08T15:00:00Z', phone: '(415) 555-0199', country: 'us' },
        { type: 'call', at: '2027-01-09T15:00:00Z', phone: '011 1 415 555 0199', country: 'US' },
      ],
    };
    const response = await collector.post('/api/conversions', calls, bearer);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const lin = await store.state.personByEmail(workspace.id, 'lin@example.com');
    expect(lin?.userIds).toEqual(['tel:+14155550199']);
    const visitors = await store.state.visitorsOfPerson(workspace.id, lin?.id ?? '');
    expect(visitors).toEqual(['browser-lin', 'offline:tel:+14155550199']);
    const conversions = await store.events.conversionsOfVisitors(workspace.id, visitors);
    expect(conversions.filter((c) => c.type === 'call')).toHaveLength(2);
  });

  it('refuses a number that cannot be read, naming the field', async () => {
    for (const [conversion, message] of [
      [{ phone: '(415) 555-0199' }, 'conversions.0.phone: expected a phone number with + and its'],
      [{ phone: '555-01', country: 'US' }, 'conversions.0.phone: expected a phone number of US'],
      [{ phone: '(415) 555-0199', country: 'XX' }, 'conversions.0.country: "XX" is no country'],
      [{ phone: '(415) 555-0199', country: 'USA' }, 'conversions.0.country'],
    ] as const) {
      const body = { conversions: [{ type: 'call', at: '2027-01-08', ...conversion }] };
      const bad = await collector.post('/api/conversions', body, bearer);
      expect(bad.status, JSON.stringify(conversion)).toBe(400);
      expect(bad.body.error.message).toContain(message);
    }
  });
});

describe('GET /api/funnel', () => {
  it('gives the funnel of a pipeline as JSON, and 4xx for a bad query', async () => {
    const get = (query: string, headers = bearer.headers) =>
      collector.post(`/api/funnel${query}`, undefined, { method: 'GET', headers, auth: null });
    const funnel = await get('?pipeline=default');
    expect(funnel.status, JSON.stringify(funnel.body)).toBe(200);
    // The API's EUR deal and HubSpot's USD deal won; EUR has no rate in this USD workspace.
    expect(funnel.body).toMatchObject({
      pipeline: 'default',
      deals: { total: 2, won: 2 },
      wonRevenue: { amount: 5_000, currency: 'USD', n: 1 },
      winRate: 1,
    });
    expect((await get('?asOf=soon')).status).toBe(400);
    expect((await get('?periodBy=updated')).status).toBe(400);
    expect((await get('?pipeline=nope')).status).toBe(404);
    // A segment no deal has is refused, not answered with an empty funnel.
    const segment = await get('?segment=enterprise');
    expect([segment.status, segment.body.error]).toEqual([
      404,
      {
        code: 'CL_ERR_NOT_FOUND',
        message:
          'segment: no segment named "enterprise" in pipeline "default"; its deals have no segment',
      },
    ]);
    // A name given twice is refused, as any repeated parameter is.
    for (const query of ['?pipeline=default&pipeline=default', '?segment=SMB&segment=ENT']) {
      const repeated = await get(query);
      expect([query, repeated.status, repeated.body.error?.code]).toEqual([
        query,
        400,
        'CL_ERR_USAGE',
      ]);
    }
    expect((await get('', { authorization: 'Bearer sk_nope' })).status).toBe(401);
  });
});

describe('POST /api/deals: late deliveries and exact money', () => {
  const send = (deals: unknown[]) => collector.post('/api/deals', { deals }, bearer);
  const apiDeal = async (id: string) =>
    (await dealsOf('api')).find((deal) => deal.externalId === id);
  const at = (iso: string) => ({ at: Date.parse(iso), dateOnly: false });

  it('keeps a won deal won when an older stage change is delivered again', async () => {
    // Its own pipeline, so that the funnel of `default` above is not this test's.
    const pipeline = 'Late deliveries';
    const proposal = {
      id: 'S3',
      pipeline,
      stage: 'Proposal',
      stageChanges: [{ stage: 'Proposal', at: '2026-10-20T00:00:00Z' }],
    };
    const demo = { stage: 'Demo', at: '2026-10-10T00:00:00Z' };
    const first = await send([{ ...proposal, stageChanges: [demo, ...proposal.stageChanges] }]);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const won = await send([
      {
        id: 'S3',
        stage: 'Closed Won',
        stageChanges: [{ stage: 'Closed Won', at: '2026-11-01T00:00:00Z' }],
      },
    ]);
    expect(won.body).toMatchObject({ updated: 1 });
    const late = await send([proposal]);
    expect(late.status, JSON.stringify(late.body)).toBe(200);
    expect(late.body).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    // With the status given too, and after a win told by its stage change alone.
    await send([{ ...proposal, id: 'S4' }]);
    await send([{ id: 'S4', stageChanges: [{ stage: 'Closed Won', at: '2026-11-01T00:00:00Z' }] }]);
    const lateOpen = await send([{ ...proposal, id: 'S4', status: 'open' }]);
    expect(lateOpen.body).toMatchObject({ unchanged: 1 });
    for (const id of ['S3', 'S4']) {
      const deal = await apiDeal(id);
      expect(deal, id).toMatchObject({
        stage: 'Closed Won',
        status: 'won',
        closedAt: at('2026-11-01T00:00:00Z'),
      });
      expect(
        deal?.history.map((entry) => [entry.stage, new Date(entry.enteredAt.at).toISOString()]),
        id,
      ).toEqual([
        ...(id === 'S3' ? [['Demo', '2026-10-10T00:00:00.000Z']] : []),
        ['Proposal', '2026-10-20T00:00:00.000Z'],
        ['Closed Won', '2026-11-01T00:00:00.000Z'],
      ]);
    }
    // A newer stage change still moves it: re-opened, dated where it happened.
    await send([
      {
        id: 'S3',
        stage: 'Negotiation',
        stageChanges: [{ stage: 'Negotiation', at: '2026-11-05T00:00:00Z' }],
      },
    ]);
    expect(await apiDeal('S3')).toMatchObject({
      stage: 'Negotiation',
      status: 'open',
      closedAt: null,
    });
    expect((await apiDeal('S3'))?.history.at(-1)).toEqual({
      stage: 'Negotiation',
      enteredAt: at('2026-11-05T00:00:00Z'),
    });
  });

  it('refuses a currency that is no ISO 4217 code, naming the field, and stores nothing', async () => {
    const response = await send([{ id: 'D-QQQ', amount: '100.10', currency: 'QQQ' }]);
    expect(response.status).toBe(400);
    expect(response.body.error).toEqual({
      code: 'CL_ERR_DEAL_INVALID',
      message: 'deals.0.currency: expected an ISO 4217 code such as EUR, got "QQQ"',
    });
    expect(await apiDeal('D-QQQ')).toBeUndefined();
  });

  it('refuses a close date on a deal left open, naming the field, and stores nothing', async () => {
    const pipeline = 'close-dates';
    const open = await send([
      { id: 'D-OK', pipeline },
      { id: 'D-CLOSED', pipeline, closedAt: '2027-02-01', amount: 5 },
    ]);
    expect(open.status).toBe(400);
    expect(open.body.error).toEqual({
      code: 'CL_ERR_DEAL_INVALID',
      message:
        'deals.1.closedAt: expected with "status":"won" or "lost" (the deal is open); an expected close date is expectedCloseAt',
    });
    expect(await apiDeal('D-OK')).toBeUndefined();
    const won = await send([
      { id: 'D-CLOSED', pipeline, status: 'won', closedAt: '2027-02-01', amount: 5 },
    ]);
    expect(won.status).toBe(200);
    expect((await apiDeal('D-CLOSED'))?.closedAt).toEqual({
      at: Date.parse('2027-02-01T00:00:00Z'),
      dateOnly: true,
    });
  });

  it('refuses an amount its currency cannot hold, or a negative one, and stores nothing', async () => {
    for (const [deals, message] of [
      [
        [{ id: 'D-jpy', amount: '100.5', currency: 'JPY' }],
        'deals.0.amount: expected an amount in JPY with no decimals, got 100.5',
      ],
      [
        [{ id: 'D-usd', amount: '12.345', currency: 'usd' }],
        'deals.0.amount: expected an amount in USD with at most 2 decimals, got 12.345',
      ],
      [[{ id: 'D-neg', amount: -5 }], 'deals.0.amount: expected an amount of 0 or more, got -5'],
      [
        [{ id: 'D-neg', amount: '-0.01', currency: 'EUR' }],
        'deals.0.amount: expected an amount of 0 or more, got -0.01',
      ],
      // The whole delivery is refused, the good deal before the bad one too.
      [
        [
          { id: 'D-ok', amount: '10', currency: 'EUR' },
          { id: 'D-usd', amount: 0.125 },
        ],
        'deals.1.amount: expected an amount in USD with at most 2 decimals, got 0.125',
      ],
    ] as const) {
      const response = await send([...deals]);
      expect(response.status, JSON.stringify(deals)).toBe(400);
      expect(response.body.error).toEqual({ code: 'CL_ERR_DEAL_INVALID', message });
    }
    for (const id of ['D-jpy', 'D-usd', 'D-neg', 'D-ok']) expect(await apiDeal(id)).toBeUndefined();

    // Trailing zeros are exact; an amount without its currency is read in the deal's.
    const yen = await send([{ id: 'D-yen', amount: '1200.00', currency: 'jpy', pipeline: 'Yen' }]);
    expect(yen.status, JSON.stringify(yen.body)).toBe(200);
    expect(await apiDeal('D-yen')).toMatchObject({ amountMinor: 1200, currency: 'JPY' });
    const cents = await send([{ id: 'D-yen', amount: '1300.5' }]);
    expect([cents.status, cents.body.error?.message]).toEqual([
      400,
      'deals.0.amount: expected an amount in JPY with no decimals, got 1300.5',
    ]);
    // A currency alone keeps the number, which the new currency must hold.
    await send([{ id: 'D-cents', amount: '99.99', currency: 'USD', pipeline: 'Yen' }]);
    const toYen = await send([{ id: 'D-cents', currency: 'JPY' }]);
    expect([toYen.status, toYen.body.error?.message]).toEqual([
      400,
      "deals.0.currency: expected a currency that holds the deal's amount exactly, got JPY (no decimals); give the amount in JPY with it",
    ]);
    expect(await apiDeal('D-yen')).toMatchObject({ amountMinor: 1200, currency: 'JPY' });
    expect(await apiDeal('D-cents')).toMatchObject({ amountMinor: 9999, currency: 'USD' });
    const both = await send([{ id: 'D-cents', currency: 'JPY', amount: 15000 }]);
    expect(both.status).toBe(200);
    expect(await apiDeal('D-cents')).toMatchObject({ amountMinor: 15000, currency: 'JPY' });
  });
});

describe('HubSpot webhooks in the deal’s own currency', () => {
  const path = `/webhooks/hubspot/${workspace.id}`;
  /** Signed for the URI the server sees without a proxy, whether or not it trusts one. */
  const send = (events: unknown[]) => {
    const body = JSON.stringify(events);
    const signature = createHmac('sha256', appSecret)
      .update(`POSThttp://crm.example.com${path}${body}${clock}`)
      .digest('base64');
    return collector.post(path, body, {
      auth: null,
      headers: {
        host: 'crm.example.com',
        'x-hubspot-signature-v3': signature,
        'x-hubspot-request-timestamp': String(clock),
      },
    });
  };
  const change = (propertyName: string, propertyValue: string, occurredAt: number) => ({
    subscriptionType: 'deal.propertyChange',
    objectId: 960,
    propertyName,
    propertyValue,
    occurredAt,
  });

  it('reads an amount in the currency deal_currency_code gives, and keeps the newer one', async () => {
    const deliveries = [
      [
        {
          subscriptionType: 'deal.creation',
          objectId: 960,
          occurredAt: clock - 90_000,
        },
        change('pipeline', 'Euro deals', clock - 90_000),
      ],
      [change('deal_currency_code', 'eur', clock - 80_000)],
      [change('amount', '50000', clock - 70_000)],
      // A retried older change of the currency does not undo the newer one.
      [change('deal_currency_code', 'GBP', clock - 85_000)],
    ];
    for (const events of deliveries) {
      const response = await send(events);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
    }
    const deal = (await dealsOf('hubspot')).find((d) => d.externalId === '960');
    expect(deal).toMatchObject({ amountMinor: 5_000_000, currency: 'EUR' });
    expect(deal?.amountHistory).toEqual([
      { at: { at: clock - 70_000, dateOnly: false }, minor: 5_000_000, currency: 'EUR' },
    ]);
    const bad = await send([change('deal_currency_code', 'QQQ', clock - 60_000)]);
    expect([bad.status, bad.body.error]).toEqual([
      400,
      {
        code: 'CL_ERR_DEAL_INVALID',
        message: 'events.0.propertyValue: expected an ISO 4217 code such as EUR, got "QQQ"',
      },
    ]);
  });

  it('refuses an amount its currency cannot hold, and a currency that cannot hold the amount, storing nothing', async () => {
    const amountOf = (objectId: number, value: string, occurredAt: number) => ({
      ...change('amount', value, occurredAt),
      objectId,
    });
    const created = {
      subscriptionType: 'deal.creation',
      objectId: 961,
      occurredAt: clock - 90_000,
    };
    const tooFine = await send([created, amountOf(961, '12.345', clock - 80_000)]);
    expect([tooFine.status, tooFine.body.error]).toEqual([
      400,
      {
        code: 'CL_ERR_DEAL_INVALID',
        message:
          'amount of deal 961: expected an amount in USD with at most 2 decimals, got 12.345',
      },
    ]);
    expect((await dealsOf('hubspot')).find((d) => d.externalId === '961')).toBeUndefined();

    expect((await send([created, amountOf(961, '99.99', clock - 80_000)])).status).toBe(200);
    const yen = await send([
      { ...change('deal_currency_code', 'JPY', clock - 70_000), objectId: 961 },
    ]);
    expect([yen.status, yen.body.error]).toEqual([
      400,
      {
        code: 'CL_ERR_DEAL_INVALID',
        message:
          "deal_currency_code of deal 961: expected a currency that holds the deal's amount exactly, got JPY (no decimals); give the amount in JPY with it",
      },
    ]);
    const deal = (await dealsOf('hubspot')).find((d) => d.externalId === '961');
    expect(deal).toMatchObject({ amountMinor: 9999, currency: 'USD' });
  });
});

describe('Pipedrive webhooks: amounts dated by update_time, malformed fields refused', () => {
  const path = `/webhooks/pipedrive/${workspace.id}`;
  const headers = {
    authorization: `Basic ${Buffer.from('pipedrive:pd-pass').toString('base64')}`,
  };
  const send = (body: unknown) => collector.post(path, body, { auth: null, headers });
  const deal7 = (action: string, fields: Record<string, unknown>) => ({
    meta: { action, object: 'deal', id: 7 },
    current: {
      id: 7,
      title: 'Hooli',
      currency: 'USD',
      stage_id: 3,
      pipeline_id: 2,
      add_time: '2026-11-01 09:00:00',
      ...fields,
    },
    previous: action === 'added' ? null : { stage_id: 3 },
  });

  it('puts each value in the amount history at its update_time, a late one too', async () => {
    const deliveries = [
      deal7('added', { value: 10, status: 'open', update_time: '2026-11-01 09:00:00' }),
      deal7('updated', {
        value: 30,
        status: 'won',
        won_time: '2026-11-03 09:00:00',
        update_time: '2026-11-03 09:00:00',
      }),
      deal7('updated', { value: 20, status: 'open', update_time: '2026-11-02 09:00:00' }),
    ];
    for (const body of deliveries) {
      const response = await send(body);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
    }
    const deal = (await dealsOf('pipedrive')).find((d) => d.externalId === '7');
    expect(deal).toMatchObject({ amountMinor: 3000, status: 'won' });
    expect(
      deal?.amountHistory.map((entry) => [new Date(entry.at.at).toISOString(), entry.minor]),
    ).toEqual([
      ['2026-11-01T09:00:00.000Z', 1000],
      ['2026-11-02T09:00:00.000Z', 2000],
      ['2026-11-03T09:00:00.000Z', 3000],
    ]);
  });

  it('refuses an id, title, status or stage of the wrong kind, naming it, and stores nothing', async () => {
    const before = (await dealsOf('pipedrive')).length;
    for (const [fields, message] of [
      [
        { id: { a: 1 }, stage_id: [1, 2] },
        'id: expected a whole number or a non-empty string, got {"a":1}',
      ],
      [
        { id: 8, stage_id: [1, 2] },
        'stage_id: expected a whole number or a non-empty string, got [1,2]',
      ],
      [{ id: 8, title: 5 }, 'title: expected a string, got 5'],
      [{ id: 8, status: 'WON' }, 'status: expected open, won, lost or deleted, got "WON"'],
    ] as const) {
      const response = await send(deal7('updated', fields));
      expect(response.status, JSON.stringify(fields)).toBe(400);
      expect(response.body.error).toEqual({ code: 'CL_ERR_DEAL_INVALID', message });
    }
    expect(await dealsOf('pipedrive')).toHaveLength(before);
  });

  it('refuses a value its currency cannot hold, naming value, and stores nothing', async () => {
    for (const [fields, message] of [
      [
        { id: 9, value: 12.345 },
        'value: expected an amount in USD with at most 2 decimals, got 12.345',
      ],
      [
        { id: 9, value: 100.5, currency: 'JPY' },
        'value: expected an amount in JPY with no decimals, got 100.5',
      ],
    ] as const) {
      const response = await send(
        deal7('added', { ...fields, update_time: '2026-11-01 09:00:00' }),
      );
      expect([response.status, response.body.error], JSON.stringify(fields)).toEqual([
        400,
        { code: 'CL_ERR_DEAL_INVALID', message },
      ]);
    }
    expect((await dealsOf('pipedrive')).find((d) => d.externalId === '9')).toBeUndefined();
    const exact = await send(
      deal7('added', { id: 9, value: 12.34, update_time: '2026-11-01 09:00:00' }),
    );
    expect(exact.status, JSON.stringify(exact.body)).toBe(200);
    expect((await dealsOf('pipedrive')).find((d) => d.externalId === '9')).toMatchObject({
      amountMinor: 1234,
    });
  });
});
