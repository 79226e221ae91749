import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ClosedloopError } from '../core/errors.js';
import { openSqliteStore } from '../store/sqlite/open.js';
import { buildApp } from './app.js';

describe('closing the app', () => {
  it('reports a failed last commit to whoever stops the server, and still lets the reports go', async () => {
    const store = await openSqliteStore(':memory:');
    const failure = new ClosedloopError('CL_ERR_STORE', 'store: sync the WAL (restart the server)');
    let reportsClosed = false;
    const app = await buildApp({
      events: store.events,
      state: store.state,
      ingest: {
        submit: () => Promise.reject(failure),
        flush: () => Promise.reject(failure),
        close: () => Promise.reject(failure),
      },
      reports: {
        run: () => Promise.reject(new Error('no reports here')),
        close: async () => {
          reportsClosed = true;
        },
      },
    });
    await expect(app.close()).rejects.toBe(failure);
    expect(reportsClosed).toBe(true);
    await store.close();
  });
  it('serves a request that reaches it while it closes, in the one JSON shape, then closes that connection', async () => {
    const store = await openSqliteStore(':memory:');
    const { writeKey, workspace } = await store.state.createWorkspace('draining');
    const app = await buildApp({ events: store.events, state: store.state });
    const address = await app.fastify.listen({ port: 0, host: '127.0.0.1' });
    const socket = connect(Number(new URL(address).port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
    });
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const request = (messageId: string) => {
      const body = JSON.stringify({ writeKey, type: 'page', messageId, anonymousId: 'drain' });
      return `POST /api/collect HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    };
    // The first request is in flight when the app starts closing (its body not all sent); the
    // second follows it on the same connection, reaching the app only once it is closing.
    const first = request('in-flight');
    const cut = first.length - 5;
    const parsed = new Promise((resolve) => app.fastify.server.once('request', resolve));
    socket.write(first.slice(0, cut));
    await parsed;
    const closing = app.close();
    socket.write(first.slice(cut) + request('while-closing'));
    await ended;
    await closing;
    const answers = received.split(/(?=HTTP\/1\.1 )/);
    expect(answers).toHaveLength(2);
    const second = answers[1] as string;
    expect(second).toMatch(/^HTTP\/1\.1 200 /);
    expect(second.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(second.split('\r\n\r\n')[1] as string)).toMatchObject({ accepted: 1 });
    expect(await store.events.countEvents(workspace.id)).toBe(2);
    await store.close();
  });
});

describe('errors the framework meets first', () => {
  it('answer 405 naming the methods a route takes, and 404 for a path no route has', async () => {
    const store = await openSqliteStore(':memory:');
    const app = await buildApp({ events: store.events, state: store.state });
    for (const [method, url, allow] of [
      ['GET', '/api/collect', 'OPTIONS, POST'],
      ['HEAD', '/v1/batch?x=1', 'POST'],
      ['PUT', '/v1/track', 'POST'],
      ['DELETE', '/health', 'GET, HEAD'],
    ] as const) {
      const answer = await app.fastify.inject({ method, url });
      expect(answer.statusCode, `${method} ${url}`).toBe(405);
      expect(answer.headers.allow, `${method} ${url}`).toBe(allow);
      if (method !== 'HEAD') {
        expect(answer.json(), `${method} ${url}`).toEqual({
          error: {
            code: 'CL_ERR_METHOD',
            message: `${method} ${url.split('?')[0]}: this route takes ${allow}`,
          },
        });
      }
    }
    const missing = await app.fastify.inject({ method: 'GET', url: '/v1/nothing' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('CL_ERR_NOT_FOUND');
    await app.close();
    await store.close();
  });
  it('answer in the one JSON shape, with the code of the route the body was for', async () => {
    const store = await openSqliteStore(':memory:');
    const { secretKey } = await store.state.createWorkspace('shapes');
    const app = await buildApp({ events: store.events, state: store.state });
    const malformed = await app.fastify.inject({
      method: 'POST',
      url: '/api/deals',
      headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
      payload: '{"deals": [',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('CL_ERR_DEAL_INVALID');

    // Bytes that are no HTTP, and headers past Node's limit, never reach a route.
    const address = await app.fastify.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(address);
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        let answer = '';
        const socket = connect(Number(port), '127.0.0.1', () => socket.write(request));
        socket.on('data', (chunk) => {
          answer += chunk.toString();
        });
        socket.on('end', () => resolve(answer));
        socket.on('error', reject);
      });
    const garbage = await raw('NOT HTTP AT ALL\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(garbage.split('\r\n\r\n')[1] as string)).toEqual({
      error: { code: 'CL_ERR_USAGE', message: 'request: not a well-formed HTTP request' },
    });
    const huge = await raw(
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(huge.split('\r\n\r\n')[1] as string).error.code).toBe('CL_ERR_USAGE');

    // A path that is no percent-encoded text, on any route.
    for (const url of ['/api/pipelines/%E0%A4%A', '/api/webhooks/hubspot/%E0%A4%A']) {
      const badPath = await app.fastify.inject({
        method: 'GET',
        url,
        headers: { authorization: `Bearer ${secretKey}` },
      });
      expect(badPath.statusCode, url).toBe(400);
      expect(badPath.json(), url).toEqual({
        error: { code: 'CL_ERR_USAGE', message: `path: '${url}' is not a valid url component` },
      });
    }
    await app.close();
    await store.close();
  });
});
