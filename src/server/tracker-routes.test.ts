import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqlite/open.js';
import { tempDirectory } from '../test-support/temp-files.js';
import { buildApp } from './app.js';

const built = resolve(import.meta.dirname, '../../dist/tracker/t.js');

async function appWith(tracker: Parameters<typeof buildApp>[0]['tracker']) {
  const store = await openSqliteStore(':memory:');
  const app = await buildApp({ events: store.events, state: store.state, tracker });
  afterAll(async () => {
    await app.close();
    await store.close();
  });
  return app.fastify;
}

describe('GET /t.js', async () => {
  const app = await appWith({ demoSiteWriteKey: () => 'wk_demo123' });

  it('serves the built tracker as JavaScript that browsers may keep an hour', async () => {
    const response = await app.inject({ method: 'GET', url: '/t.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(response.headers['cache-control']).toBe('public, max-age=3600');
    expect(response.rawPayload.equals(readFileSync(built))).toBe(true);
  });

  it('answers 304 to a browser that holds the same version', async () => {
    const first = await app.inject({ method: 'GET', url: '/t.js' });
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    const again = await app.inject({
      method: 'GET',
      url: '/t.js',
      headers: { 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const stale = await app.inject({
      method: 'GET',
      url: '/t.js',
      headers: { 'if-none-match': '"old"' },
    });
    expect(stale.statusCode).toBe(200);
    expect(stale.headers['x-content-type-options']).toBe('nosniff');
    // A weak tag, as proxies send it back, or a list that holds it, is the same version.
    for (const header of [`W/${etag}`, `"old", ${etag}`, '*']) {
      const cached = await app.inject({
        method: 'GET',
        url: '/t.js',
        headers: { 'if-none-match': header },
      });
      expect([header, cached.statusCode]).toEqual([header, 304]);
    }
  });
});

describe('GET /t.js before the tracker is built', async () => {
  const dir = tempDirectory();
  const app = await appWith({ file: join(dir, 'missing.js') });

  it('answers 404 with the JSON error shape', async () => {
    const response = await app.inject({ method: 'GET', url: '/t.js' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: {
        code: 'CL_ERR_NOT_FOUND',
        message: expect.stringMatching(/^GET \/t\.js: the tracker is not built .*npm run build$/),
      },
    });
  });
});

describe('GET /demo-site/', async () => {
  let key: string | undefined;
  const app = await appWith({ demoSiteWriteKey: () => key });

  it('is not there until the demo workspace has a write key', async () => {
    const response = await app.inject({ method: 'GET', url: '/demo-site/' });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('CL_ERR_NOT_FOUND');
  });

  it('embeds the snippet with the demo write key, and a form the tracker captures', async () => {
    key = 'wk_demo123';
    const response = await app.inject({ method: 'GET', url: '/demo-site/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('<script defer src="/t.js" data-key="wk_demo123"></script>');
    expect(response.body).toMatch(/<form id="demo-request">\s*<input type="email"/);
    const bare = await app.inject({ method: 'GET', url: '/demo-site' });
    expect(bare.statusCode).toBe(302);
    expect(bare.headers.location).toBe('/demo-site/');
    const tagged = await app.inject({ method: 'GET', url: '/demo-site?utm_source=x&gclid=1' });
    expect(tagged.headers.location).toBe('/demo-site/?utm_source=x&gclid=1');
  });

  it('puts nothing but a key into the page', async () => {
    key = 'wk_x"><script>alert(1)</script>';
    const response = await app.inject({ method: 'GET', url: '/demo-site/' });
    expect(response.body).toContain('data-key="wk_xscriptalert1script"');
  });
});
