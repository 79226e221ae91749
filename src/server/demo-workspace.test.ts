import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSqliteStore } from '../store/sqlite/open.js';
import { buildApp } from './app.js';
import { ensureDemoWorkspace } from './demo-workspace.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('the demo workspace', () => {
  it('finishes a fill cut short with the same simulated year, even in a later month', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-20T12:00:00Z'));
    const store = await openSqliteStore(':memory:');
    const app = await buildApp({ events: store.events, state: store.state });
    try {
      // Cut once the collector has answered the first batch of events, as a shutdown cuts it.
      const cut = new AbortController();
      app.fastify.addHook('onResponse', async (request) => {
        if (request.url === '/v1/batch') cut.abort();
      });
      await expect(
        ensureDemoWorkspace(app.fastify, store.state, store.events, {
          visitors: 400,
          signal: cut.signal,
        }),
      ).rejects.toMatchObject({ name: 'AbortError' });

      // Finished two months later: the year is still the one before the workspace was made.
      vi.setSystemTime(new Date('2026-03-10T12:00:00Z'));
      const demo = await ensureDemoWorkspace(app.fastify, store.state, store.events, {
        visitors: 400,
      });
      expect(demo.sent).toBeGreaterThan(500);
      const span = store.db
        .prepare('SELECT min(timestamp) AS first, max(timestamp) AS last FROM events')
        .get() as { first: number; last: number };
      // 2025: the twelve months before January 2026, when the workspace was made.
      const year = (at: number) => new Date(at).toISOString().slice(0, 4);
      expect([year(span.first), year(span.last)]).toEqual(['2025', '2025']);
      const deals = await store.state.deals(demo.workspace.id);
      expect(deals.length).toBeGreaterThan(0);
      const lastCreated = Math.max(...deals.map((deal) => deal.createdAt?.at ?? 0));
      expect(year(lastCreated)).toBe('2025');
    } finally {
      await app.close();
      await store.close();
    }
  });
});
