import { Analytics } from '@segment/analytics-node';
import { afterAll, describe, expect, it } from 'vitest';
import { startCollector } from '../test-support/collector.js';

const collector = await startCollector();
const address = await collector.app.fastify.listen({ port: 0, host: '127.0.0.1' });
afterAll(() => collector.app.fastify.close());

describe('the official Segment client, pointed at Closedloop', () => {
  it('sends a page, an identify and a track that become a person, a session and its channel', async () => {
    const errors: unknown[] = [];
    const analytics = new Analytics({
      writeKey: collector.writeKey,
      host: address,
      path: '/v1/batch',
      flushInterval: 50,
    });
    analytics.on('error', (error) => errors.push(error));
    const context = {
      userAgent:
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Version/17.4 Safari/605.1.15',
      ip: '198.51.100.23',
      page: {
        url: 'https://www.acme.com/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=june',
        referrer: '',
      },
    };
    analytics.page({ anonymousId: 'seg-anon', name: 'Pricing', context });
    analytics.identify({
      anonymousId: 'seg-anon',
      userId: 'seg-user',
      traits: { email: 'Kim@Acme.example' },
      context,
    });
    analytics.track({
      anonymousId: 'seg-anon',
      userId: 'seg-user',
      event: 'Demo Requested',
      properties: { plan: 'pro' },
      context,
    });
    await analytics.closeAndFlush({ timeout: 5_000 });
    expect(errors).toEqual([]);

    const { store, workspace } = collector;
    const person = await store.state.personByEmail(workspace.id, 'kim@acme.example');
    expect(person?.userIds).toEqual(['seg-user']);
    const visitors = await store.state.visitorsOfPerson(workspace.id, person?.id ?? '');
    expect(visitors).toContain('seg-anon');
    const [session] = await store.events.sessionsOfVisitors(workspace.id, ['seg-anon']);
    expect(session).toMatchObject({ channel: 'Email', source: 'newsletter', campaign: 'june' });
    const conversions = await store.events.conversionsOfVisitors(workspace.id, visitors);
    expect(conversions.map((c) => c.type).sort()).toEqual(['demo_requested', 'identify']);
    expect(await store.events.countEvents(workspace.id)).toBe(3);
  });
});
