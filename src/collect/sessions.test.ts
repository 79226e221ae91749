import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readJourneys } from '../store/journeys.js';
import { startCollector } from '../test-support/collector.js';
import { isExternalReferrer } from './sessionize.js';

const collector = await startCollector();
const { store, workspace } = collector;

const at = (minutes: number) =>
  new Date(Date.UTC(2026, 4, 1, 9, 0) + minutes * 60_000).toISOString();
let counter = 0;
const pageView = (anonymousId: string, minutes: number, url: string, referrer?: string) => ({
  type: 'page',
  messageId: `m-${++counter}`,
  anonymousId,
  timestamp: at(minutes),
  context: { page: { url, ...(referrer === undefined ? {} : { referrer }) } },
});
const sessionsOf = async (visitor: string) =>
  store.events.sessionsOfVisitors(workspace.id, [visitor]);
const send = (batch: unknown[]) => collector.post('/v1/batch', { batch });

describe('sessions', () => {
  it('continue on plain page views and internal referrers, and keep their first touch', async () => {
    await send([
      pageView(
        'v1',
        0,
        'https://www.acme.com/?utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=abc',
      ),
      pageView('v1', 5, 'https://www.acme.com/pricing', 'https://www.acme.com/'),
      pageView('v1', 9, 'https://app.acme.com/signup', 'https://www.acme.com/pricing'),
      pageView('v1', 12, 'https://www.acme.com/docs'),
    ]);
    const [session, ...rest] = await sessionsOf('v1');
    expect(rest).toEqual([]);
    expect(session).toMatchObject({
      channel: 'Paid Search',
      campaign: 'brand',
      clickIds: { gclid: 'abc' },
      landingPage:
        'https://www.acme.com/?utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=abc',
      pageViews: 4,
      startedAt: Date.parse(at(0)),
      lastSeenAt: Date.parse(at(12)),
    });
  });

  it('tell apart two sites on a shared host (github.io): a referral from one to the other is external', async () => {
    await send([
      pageView('v-gh', 0, 'https://acme.github.io/', 'https://someones-blog.github.io/post'),
      pageView('v-gh', 5, 'https://acme.github.io/docs', 'https://acme.github.io/'),
    ]);
    const [session, ...rest] = await sessionsOf('v-gh');
    expect(rest).toEqual([]);
    expect(session).toMatchObject({
      referrer: 'https://someones-blog.github.io/post',
      channel: 'Referral',
      pageViews: 2,
    });
  });

  it('start anew after 30 idle minutes, on a new campaign or click id, and on an external referrer of another channel', async () => {
    await send([
      pageView('v2', 0, 'https://www.acme.com/'),
      pageView('v2', 31, 'https://www.acme.com/pricing'),
      pageView(
        'v2',
        33,
        'https://www.acme.com/?utm_source=newsletter&utm_medium=email&utm_campaign=may',
      ),
      pageView(
        'v2',
        35,
        'https://www.acme.com/?utm_source=newsletter&utm_medium=email&utm_campaign=may',
      ),
      pageView('v2', 36, 'https://www.acme.com/blog', 'https://www.linkedin.com/'),
      pageView('v2', 37, 'https://www.acme.com/blog', 'https://t.co/xyz'),
      pageView('v2', 38, 'https://www.acme.com/?gclid=first'),
      pageView('v2', 39, 'https://www.acme.com/?gclid=second'),
    ]);
    const sessions = await sessionsOf('v2');
    expect(sessions.map((s) => [s.channel, s.pageViews])).toEqual([
      ['Direct', 1],
      ['Direct', 1],
      ['Email', 2],
      ['Organic Social', 2],
      ['Paid Search', 1],
      ['Paid Search', 1],
    ]);
  });

  it('read UTM tags without regard to case: the same campaign in other capitals continues', async () => {
    const spring = 'https://www.acme.com/?utm_source=google&utm_medium=cpc&utm_campaign=Spring';
    const shouted = 'https://www.acme.com/a?utm_source=Google&utm_medium=CPC&utm_campaign=spring';
    const autumn = 'https://www.acme.com/b?utm_source=Google&utm_medium=CPC&utm_campaign=autumn';
    await send([pageView('case-1', 0, spring), pageView('case-1', 5, shouted)]);
    await send([pageView('case-1', 10, autumn)]);
    const sessions = await sessionsOf('case-1');
    expect(sessions.map((s) => [s.campaign, s.pageViews])).toEqual([
      ['Spring', 2],
      ['autumn', 1],
    ]);
  });

  it('attach track events to the live session without starting one', async () => {
    await send([
      { type: 'track', event: 'clicked', anonymousId: 'v3', messageId: 'v3-t0', timestamp: at(0) },
      pageView('v3', 1, 'https://www.acme.com/'),
      { type: 'track', event: 'clicked', anonymousId: 'v3', messageId: 'v3-t1', timestamp: at(2) },
    ]);
    const rows = store.db
      .prepare(
        "SELECT message_id, session_id FROM events WHERE anonymous_id = 'v3' ORDER BY timestamp",
      )
      .all() as { message_id: string; session_id: string | null }[];
    const [session] = await sessionsOf('v3');
    expect(rows).toEqual([
      { message_id: 'v3-t0', session_id: null },
      { message_id: expect.any(String), session_id: session?.id },
      { message_id: 'v3-t1', session_id: session?.id },
    ]);
  });

  it('continue when a single-page app re-sends the landing referrer on each navigation', async () => {
    const google = 'https://www.google.com/';
    const ad = 'https://www.acme.com/?gclid=spa-1';
    const form = (visitor: string, minutes: number) => ({
      type: 'track',
      event: 'form_submit',
      anonymousId: visitor,
      messageId: `m-${++counter}`,
      timestamp: at(minutes),
      properties: { email: `${visitor}@acme.example` },
    });
    await send([
      pageView('spa-1', 0, ad, google),
      pageView('spa-1', 1, 'https://www.acme.com/pricing', google),
      pageView('spa-1', 2, 'https://www.acme.com/demo', google),
      form('spa-1', 3),
    ]);
    const sessions = await sessionsOf('spa-1');
    expect(sessions.map((s) => [s.channel, s.pageViews])).toEqual([['Paid Search', 3]]);
    const [lead] = await store.events.conversionsOfVisitors(workspace.id, ['spa-1']);
    expect(lead?.sessionId).toBe(sessions[0]?.id);
    // The landing delivered last is still the first touch of that one visit.
    await send([pageView('spa-2', 1, 'https://www.acme.com/pricing', google)]);
    await send([pageView('spa-2', 0, ad, google)]);
    expect((await sessionsOf('spa-2')).map((s) => [s.channel, s.pageViews])).toEqual([
      ['Paid Search', 2],
    ]);
    // Past the timeout, the same referrer is a new visit.
    await send([pageView('spa-1', 40, 'https://www.acme.com/blog', google)]);
    expect((await sessionsOf('spa-1')).map((s) => s.channel)).toEqual([
      'Paid Search',
      'Organic Search',
    ]);
  });

  it('continue on a return from a payment provider: paying is no arrival', async () => {
    const ad = 'https://www.acme.com/?utm_source=google&utm_medium=cpc&utm_campaign=b';
    const providers = [
      'https://www.paypal.com/checkoutnow?token=x',
      'https://checkout.stripe.com/c/pay/cs_1',
      'https://pay.klarna.com/eu/x',
    ];
    for (const [i, provider] of providers.entries()) {
      const visitor = `pay-${i}`;
      await send([
        pageView(visitor, 0, ad),
        pageView(visitor, 3, 'https://www.acme.com/thanks', provider),
      ]);
      expect(
        (await sessionsOf(visitor)).map((s) => [s.channel, s.pageViews]),
        provider,
      ).toEqual([['Paid Search', 2]]);
    }
    // After the timeout, a return from PayPal is a visit of no known origin, not a referral.
    await send([pageView('pay-0', 60, 'https://www.acme.com/thanks', providers[0])]);
    expect((await sessionsOf('pay-0')).map((s) => [s.channel, s.referrer])).toEqual([
      ['Paid Search', null],
      ['Direct', null],
    ]);
  });

  it('take a referrer that is no web address as no referrer', async () => {
    const ad = 'https://www.acme.com/?gclid=blank-1';
    for (const [i, referrer] of ['about:blank', 'null', 'undefined', 'www.google.com'].entries()) {
      const visitor = `blank-${i}`;
      await send([
        pageView(visitor, 0, ad),
        pageView(visitor, 1, 'https://www.acme.com/a', referrer),
      ]);
      expect(
        (await sessionsOf(visitor)).map((s) => [s.channel, s.referrer, s.pageViews]),
        referrer,
      ).toEqual([['Paid Search', null, 2]]);
    }
  });

  it("read a page sent without its site (a relative URL, or none) as on the live session's site", async () => {
    // A hand-written server call may send `/pricing`, or no URL at all: the site's own pages as
    // referrers are then internal, as they are for the full address; another site still arrives.
    await send([
      pageView('v-rel', 0, 'https://www.acme.com/?gclid=rel-1'),
      pageView('v-rel', 2, '/pricing', 'https://www.acme.com/'),
      {
        ...pageView('v-rel', 3, ''),
        context: { page: { referrer: 'https://www.acme.com/pricing' } },
      },
      pageView('v-rel', 4, '/blog', 'https://www.linkedin.com/feed'),
    ]);
    expect((await sessionsOf('v-rel')).map((s) => [s.channel, s.pageViews])).toEqual([
      ['Paid Search', 3],
      ['Organic Social', 1],
    ]);
  });

  it('are placed in time order whatever order the events arrive in', async () => {
    await send([
      pageView('v4', 40, 'https://www.acme.com/b'),
      pageView('v4', 0, 'https://www.acme.com/a'),
    ]);
    expect((await sessionsOf('v4')).map((s) => s.landingPage)).toEqual([
      'https://www.acme.com/a',
      'https://www.acme.com/b',
    ]);
  });
});

describe('identity', () => {
  it('merges two devices that identify with the same email, sessions before the identify included', async () => {
    await send([
      pageView(
        'laptop',
        0,
        'https://www.acme.com/?utm_source=linkedin&utm_medium=paid_social&utm_campaign=abm',
      ),
      pageView('phone', 60, 'https://www.acme.com/', 'https://www.google.com/'),
      {
        type: 'track',
        event: 'form_submit',
        anonymousId: 'laptop',
        messageId: 'form-1',
        timestamp: at(120),
        properties: { formId: 'demo', email: ' Dana@Acme.example ' },
      },
      pageView('laptop', 119, 'https://www.acme.com/demo'),
      {
        type: 'identify',
        anonymousId: 'phone',
        messageId: 'id-1',
        timestamp: at(200),
        traits: { email: 'dana@acme.example' },
      },
    ]);
    const person = await store.state.personByEmail(workspace.id, 'DANA@acme.example');
    expect(person?.emails).toEqual(['dana@acme.example']);
    expect((await store.state.visitorsOfPerson(workspace.id, person?.id ?? '')).sort()).toEqual([
      'laptop',
      'phone',
    ]);
    const conversions = await store.events.conversionsOfVisitors(workspace.id, ['laptop', 'phone']);
    // The second device's identify links a known person: no second lead.
    expect(conversions.map((c) => c.type)).toEqual(['form_submit']);
    const hashes = await store.state.emailHashesOf(workspace.id, person?.id ?? '');
    expect(hashes).toEqual([createHash('sha256').update('dana@acme.example').digest('hex')]);
  });

  it('links a user id to the visitor with alias, and an identify by user id makes a lead', async () => {
    await send([
      pageView('tablet', 0, 'https://www.acme.com/'),
      {
        type: 'alias',
        anonymousId: 'tablet',
        previousId: 'tablet',
        userId: 'user-42',
        messageId: 'alias-1',
        timestamp: at(1),
      },
      {
        type: 'identify',
        userId: 'user-42',
        messageId: 'id-42',
        timestamp: at(2),
        traits: { email: 'lee@acme.example' },
      },
    ]);
    const person = await store.state.personByEmail(workspace.id, 'lee@acme.example');
    const visitors = await store.state.visitorsOfPerson(workspace.id, person?.id ?? '');
    expect(visitors).toContain('tablet');
    const conversions = await store.events.conversionsOfVisitors(workspace.id, visitors);
    expect(conversions.map((c) => c.type)).toEqual(['identify']);
  });

  it('leaves the cookieless page counts of the tracker out of journeys', async () => {
    const journeyCount = async () => {
      let count = 0;
      for await (const batch of readJourneys(store.events, store.state, workspace.id))
        count += batch.journeyCount;
      return count;
    };
    const before = await journeyCount();
    await send([
      pageView(
        'p:0123456789abcdef',
        0,
        'https://www.acme.com/?utm_source=bing&utm_medium=cpc&utm_campaign=c',
      ),
    ]);
    // Counted as a session, but no journey: nothing can follow the visitor past this page.
    expect(await sessionsOf('p:0123456789abcdef')).toHaveLength(1);
    expect(await journeyCount()).toBe(before);
    await send([pageView('counted-visitor', 0, 'https://www.acme.com/')]);
    expect(await journeyCount()).toBe(before + 1);
  });

  it('reads journeys as the core batch: a person over devices, up to the lead', async () => {
    const batches = [];
    for await (const batch of readJourneys(store.events, store.state, workspace.id, {
      chunkSize: 2,
    }))
      batches.push(batch);
    expect(batches.length).toBeGreaterThan(1);
    const channels = batches[0]?.dictionaries.channels;
    const converting = batches.flatMap((batch) =>
      Array.from({ length: batch.journeyCount }, (_, j) => j)
        .filter((j) => batch.conversions[j] === 1)
        .map((j) =>
          Array.from(
            batch.touchChannel.subarray(batch.touchOffsets[j], batch.touchOffsets[j + 1]),
          ).map((id) => channels?.nameOf(id)),
        ),
    );
    expect(converting).toContainEqual(['Paid Social', 'Organic Search', 'Direct']);
  });
});

describe('late and server-side events', () => {
  it('keep the current session current when a page view arrives late, older than it', async () => {
    const campaign = 'https://www.acme.com/?utm_source=google&utm_medium=cpc&utm_campaign=brand';
    await send([pageView('late-1', 60, campaign)]);
    // Sent an hour ago, delivered now: its own, older session.
    await send([pageView('late-1', 0, 'https://www.acme.com/blog')]);
    await send([pageView('late-1', 65, 'https://www.acme.com/pricing')]);
    const sessions = await sessionsOf('late-1');
    expect(sessions.map((s) => [s.landingPage, s.channel, s.pageViews])).toEqual([
      ['https://www.acme.com/blog', 'Direct', 1],
      [campaign, 'Paid Search', 2],
    ]);
    expect(sessions[1]?.lastSeenAt).toBe(Date.parse(at(65)));
  });

  it('join a late page view to the stored older session its time falls in', async () => {
    const email = 'https://www.acme.com/?utm_source=newsletter&utm_medium=email&utm_campaign=march';
    await send([
      pageView('late-3', 0, email, 'https://mail.example.net/'),
      pageView('late-3', 5, 'https://www.acme.com/a', 'https://www.acme.com/'),
      pageView('late-3', 180, 'https://www.acme.com/b', 'https://www.google.com/'),
    ]);
    // A retried beacon from minute 10, delivered after the visit of minute 180.
    await send([pageView('late-3', 10, 'https://www.acme.com/c', 'https://www.acme.com/a')]);
    // And one that fits no session: 30 idle minutes after the first, long before the second.
    await send([pageView('late-3', 100, 'https://www.acme.com/d')]);
    const sessions = await sessionsOf('late-3');
    expect(
      sessions.map((s) => [
        (s.startedAt - Date.parse(at(0))) / 60_000,
        (s.lastSeenAt - Date.parse(at(0))) / 60_000,
        s.channel,
        s.pageViews,
      ]),
    ).toEqual([
      [0, 10, 'Email', 3],
      [100, 100, 'Direct', 1],
      [180, 180, 'Organic Search', 1],
    ]);
  });

  it('keep a late batch of one visit in one session, its form submit included', async () => {
    await send([pageView('late-2', 120, 'https://www.acme.com/')]);
    // An offline queue delivers an earlier visit, from an ad, after the later one.
    const ad = 'https://www.acme.com/?utm_source=google&utm_medium=cpc&utm_campaign=brand';
    await send([
      pageView('late-2', 0, ad),
      pageView('late-2', 2, 'https://www.acme.com/pricing'),
      {
        type: 'track',
        event: 'form_submit',
        anonymousId: 'late-2',
        messageId: `m-${++counter}`,
        timestamp: at(3),
        properties: { email: 'late-2@acme.example' },
      },
      pageView('late-2', 4, 'https://www.acme.com/thanks'),
    ]);
    const sessions = await sessionsOf('late-2');
    expect(sessions.map((s) => [s.channel, s.pageViews])).toEqual([
      ['Paid Search', 3],
      ['Direct', 1],
    ]);
    const [conversion] = await store.events.conversionsOfVisitors(workspace.id, ['late-2']);
    expect(conversion?.sessionId).toBe(sessions[0]?.id);
  });

  it('make a campaign landing delivered after the page that followed it the first touch of their session', async () => {
    const ad =
      'https://www.acme.com/?utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=g-7';
    await send([pageView('late-4', 3, 'https://www.acme.com/pricing', 'https://www.acme.com/')]);
    await collector.post('/v1/identify', {
      anonymousId: 'late-4',
      messageId: `m-${++counter}`,
      timestamp: at(4),
      traits: { email: 'late-4@acme.example' },
    });
    // The landing's beacon was retried and arrives last.
    await send([pageView('late-4', 0, ad, 'https://www.google.com/')]);
    const sessions = await sessionsOf('late-4');
    expect(
      sessions.map((s) => [
        (s.startedAt - Date.parse(at(0))) / 60_000,
        (s.lastSeenAt - Date.parse(at(0))) / 60_000,
        s.landingPage,
        s.referrer,
        s.campaign,
        s.clickIds,
        s.channel,
        s.pageViews,
      ]),
    ).toEqual([[0, 4, ad, 'https://www.google.com/', 'brand', { gclid: 'g-7' }, 'Paid Search', 2]]);
    const [lead] = await store.events.conversionsOfVisitors(workspace.id, ['late-4']);
    expect(lead?.sessionId).toBe(sessions[0]?.id);
    // The next page view continues the same session, measured from its last page view.
    await send([pageView('late-4', 20, 'https://www.acme.com/demo', 'https://www.acme.com/')]);
    expect((await sessionsOf('late-4')).map((s) => [s.id, s.pageViews])).toEqual([
      [sessions[0]?.id, 3],
    ]);
  });

  it('make a late landing the first touch of the visit it began, though the visitor came back since', async () => {
    const ad = 'https://www.acme.com/?utm_source=google&utm_medium=cpc&utm_campaign=brand';
    await send([pageView('late-8', 3, 'https://www.acme.com/pricing', 'https://www.acme.com/')]);
    await send([
      {
        type: 'track',
        event: 'form_submit',
        anonymousId: 'late-8',
        messageId: `m-${++counter}`,
        timestamp: at(4),
        properties: { email: 'late-8@acme.example' },
      },
    ]);
    await send([pageView('late-8', 24 * 60, 'https://www.acme.com/blog')]);
    await send([pageView('late-8', 0, ad, 'https://www.google.com/')]);
    const sessions = await sessionsOf('late-8');
    expect(
      sessions.map((s) => [(s.startedAt - Date.parse(at(0))) / 60_000, s.channel, s.pageViews]),
    ).toEqual([
      [0, 'Paid Search', 2],
      [24 * 60, 'Direct', 1],
    ]);
    const [lead] = await store.events.conversionsOfVisitors(workspace.id, ['late-8']);
    expect(lead?.sessionId).toBe(sessions[0]?.id);
    // A late sign-up 20 minutes before that visit, in no session: it joins none.
    await send([
      {
        type: 'track',
        event: 'Signed Up',
        anonymousId: 'late-8',
        messageId: `m-${++counter}`,
        timestamp: at(-20),
      },
    ]);
    const conversions = await store.events.conversionsOfVisitors(workspace.id, ['late-8']);
    expect(conversions.map((c) => [c.type, c.sessionId])).toEqual([
      ['signed_up', null],
      ['form_submit', sessions[0]?.id],
    ]);
    expect((await sessionsOf('late-8')).map((s) => s.id)).toEqual(sessions.map((s) => s.id));
  });

  it('keep two sessions when the page that followed a late page view opened its own', async () => {
    const brand = 'https://www.acme.com/?utm_source=google&utm_medium=cpc&utm_campaign=brand';
    const june = 'https://www.acme.com/?utm_source=newsletter&utm_medium=email&utm_campaign=june';
    // A new campaign, an arrival from a site of another channel, and a campaign after a plain
    // page view each open a session, whichever of the two pages arrives first.
    await send([pageView('late-5', 5, june)]);
    await send([pageView('late-5', 0, brand)]);
    await send([pageView('late-6', 5, 'https://www.acme.com/blog', 'https://www.linkedin.com/')]);
    await send([pageView('late-6', 0, brand)]);
    await send([pageView('late-7', 5, brand)]);
    await send([pageView('late-7', 0, 'https://www.acme.com/blog')]);
    const summary = async (visitor: string) =>
      (await sessionsOf(visitor)).map((s) => [
        (s.startedAt - Date.parse(at(0))) / 60_000,
        s.channel,
      ]);
    expect(await summary('late-5')).toEqual([
      [0, 'Paid Search'],
      [5, 'Email'],
    ]);
    expect(await summary('late-6')).toEqual([
      [0, 'Paid Search'],
      [5, 'Organic Social'],
    ]);
    expect(await summary('late-7')).toEqual([
      [0, 'Direct'],
      [5, 'Paid Search'],
    ]);
  });

  it("join a user id's server-side events to the person, in either order, with one lead", async () => {
    const track = (userId: string, minutes: number) => ({
      type: 'track',
      event: 'Signed Up',
      userId,
      messageId: `m-${++counter}`,
      timestamp: at(minutes),
    });
    const browser = (anonymousId: string, userId: string, email: string, minutes: number) => [
      pageView(anonymousId, minutes, 'https://www.acme.com/?utm_source=bing&utm_medium=cpc'),
      {
        type: 'identify',
        anonymousId,
        userId,
        messageId: `m-${++counter}`,
        timestamp: at(minutes + 1),
        traits: { email },
      },
    ];
    const conversionsOf = async (email: string) => {
      const person = await store.state.personByEmail(workspace.id, email);
      const visitors = await store.state.visitorsOfPerson(workspace.id, person?.id ?? '');
      const conversions = await store.events.conversionsOfVisitors(workspace.id, visitors);
      return { visitors: visitors.sort(), types: conversions.map((c) => c.type) };
    };
    // The browser first, then the backend's call with the user id alone.
    await send(browser('web-71', 'u-71', 'kim@acme.example', 0));
    await send([track('u-71', 10)]);
    await send([track('u-71', 20)]);
    expect(await conversionsOf('kim@acme.example')).toEqual({
      visitors: ['user:u-71', 'web-71'],
      types: ['identify', 'signed_up', 'signed_up'],
    });
    // The backend first: the browser's identify later is no second lead.
    await send([track('u-72', 0)]);
    await send(browser('web-72', 'u-72', 'ola@acme.example', 10));
    expect(await conversionsOf('ola@acme.example')).toEqual({
      visitors: ['user:u-72', 'web-72'],
      types: ['signed_up'],
    });
  });

  it('stitch a bot that submits a form, but count no lead for it', async () => {
    await send([
      {
        type: 'track',
        event: 'form_submit',
        anonymousId: 'crawler-1',
        messageId: `m-${++counter}`,
        timestamp: at(0),
        properties: { email: 'bot-form@acme.example' },
        context: {
          userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
        },
      },
    ]);
    const person = await store.state.personByEmail(workspace.id, 'bot-form@acme.example');
    expect(await store.state.visitorsOfPerson(workspace.id, person?.id ?? '')).toEqual([
      'crawler-1',
    ]);
    expect(await store.events.conversionsOfVisitors(workspace.id, ['crawler-1'])).toEqual([]);
  });

  it("count no lead for an identify without a user agent in a bot's session, a later batch's too", async () => {
    const googlebot = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
    const identify = (anonymousId: string, minutes: number, email: string) => ({
      type: 'identify',
      anonymousId,
      messageId: `m-${++counter}`,
      timestamp: at(minutes),
      traits: { email },
    });
    await send([
      { ...pageView('crawler-2', 0, 'https://www.acme.com/'), context: { userAgent: googlebot } },
      identify('crawler-2', 1, 'bot-identify@acme.example'),
    ]);
    // Server-side libraries send no user agent: the session's flag is what tells.
    await send([identify('crawler-2', 2, 'bot-later@acme.example')]);
    const person = await store.state.personByEmail(workspace.id, 'bot-identify@acme.example');
    expect(person).toBeDefined();
    expect(await store.events.conversionsOfVisitors(workspace.id, ['crawler-2'])).toEqual([]);
  });
});

describe('isExternalReferrer', () => {
  const page = 'https://www.acme.com/pricing';

  it('takes only a web or app address with a host name as a referrer', () => {
    for (const referrer of [
      'about:blank',
      'null',
      'undefined',
      '',
      'www.google.com',
      '//www.google.com/',
      'http://localhost:3000/',
      'file:///C:/x.html',
      'https://intranet/',
    ]) {
      expect(isExternalReferrer(referrer, page), referrer).toBe(false);
    }
    for (const referrer of [
      'https://www.google.com/',
      'HTTP://t.co/x',
      'android-app://com.google.android.gm/',
    ]) {
      expect(isExternalReferrer(referrer, page), referrer).toBe(true);
    }
  });

  it('reads a referrer in Unicode and a page in punycode as one site', () => {
    expect(
      isExternalReferrer('https://bücher.example/', 'https://www.xn--bcher-kva.example/'),
    ).toBe(false);
  });

  it('takes payment providers, their subdomains included, as no arrival', () => {
    for (const referrer of [
      'https://www.paypal.com/x',
      'https://paypal.com/',
      'https://checkout.stripe.com/c/pay',
      'https://pay.klarna.com/eu/x',
      'https://checkoutshopper-live.adyen.com/',
      'https://www.mollie.com/checkout/x',
    ]) {
      expect(isExternalReferrer(referrer, page), referrer).toBe(false);
    }
    for (const referrer of [
      'https://stripe.com/blog/x',
      'https://notpaypal.com/',
      'https://paypal.com.evil.example/',
    ]) {
      expect(isExternalReferrer(referrer, page), referrer).toBe(true);
    }
  });
});
