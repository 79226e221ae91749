import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqlite/open.js';
import { buildApp } from './app.js';

describe('request logs', () => {
  it('hold the client address truncated as stored, and no keys', async () => {
    const store = await openSqliteStore(':memory:');
    const { writeKey, secretKey } = await store.state.createWorkspace('logged');
    const log = new PassThrough();
    let written = '';
    log.on('data', (chunk: Buffer) => {
      written += chunk.toString();
    });
    // Behind a proxy of the 203.0.113.0/24 range, whose X-Forwarded-For names the client.
    const trustProxy = ['203.0.113.0/24'];
    const app = await buildApp({ events: store.events, state: store.state, log, trustProxy });
    const collected = await app.fastify.inject({
      method: 'POST',
      url: '/api/collect',
      remoteAddress: '203.0.113.77',
      headers: { 'content-type': 'text/plain', 'x-forwarded-for': '198.51.100.23' },
      payload: JSON.stringify({ writeKey, type: 'page', anonymousId: 'logged' }),
    });
    expect(collected.statusCode).toBe(200);
    const report = await app.fastify.inject({
      method: 'GET',
      url: '/api/pipelines',
      remoteAddress: '203.0.113.77',
      headers: { authorization: `Bearer ${secretKey}` },
    });
    expect(report.statusCode).toBe(200);
    // A key in the query string, or a password in an absolute URL, stays out of the log.
    const leaky = await app.fastify.inject({
      method: 'GET',
      url: `http://user:s3cret@127.0.0.1/health?apikey=${secretKey}`,
      remoteAddress: '203.0.113.77',
    });
    expect(leaky.statusCode).toBe(200);
    await app.close();
    await store.close();

    const lines = written
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const requests = lines.filter((line) => line.req !== undefined).map((line) => line.req);
    expect(requests).toEqual([
      { method: 'POST', url: '/api/collect', remoteAddress: '198.51.100.0' },
      { method: 'GET', url: '/api/pipelines', remoteAddress: '203.0.113.0' },
      { method: 'GET', url: '/health', remoteAddress: '203.0.113.0' },
    ]);
    for (const secret of ['198.51.100.23', '203.0.113.77', writeKey, secretKey, 's3cret']) {
      expect(written).not.toContain(secret);
    }
  });

  it("ignore X-Forwarded-For unless the proxy is trusted: the connection's address is stored", async () => {
    const store = await openSqliteStore(':memory:');
    const { writeKey } = await store.state.createWorkspace('direct');
    const log = new PassThrough();
    let written = '';
    log.on('data', (chunk: Buffer) => {
      written += chunk.toString();
    });
    const app = await buildApp({ events: store.events, state: store.state, log });
    const collected = await app.fastify.inject({
      method: 'POST',
      url: '/api/collect',
      remoteAddress: '203.0.113.77',
      headers: { 'content-type': 'text/plain', 'x-forwarded-for': '198.51.100.23' },
      payload: JSON.stringify({ writeKey, type: 'page', anonymousId: 'direct', messageId: 'd1' }),
    });
    expect(collected.statusCode).toBe(200);
    await app.close();
    const stored = store.db.prepare('SELECT context FROM events').all() as { context: string }[];
    expect(stored.map((row) => JSON.parse(row.context).ip)).toEqual(['203.0.113.0']);
    expect(JSON.parse(written.trim().split('\n')[0] ?? '{}').req.remoteAddress).toBe('203.0.113.0');
    await store.close();
  });
});
