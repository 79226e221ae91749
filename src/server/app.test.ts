import { connect } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ClosedloopError } from '../core/errors.js';
import { openSqliteStore } from '../store/sqlite/open.js';
import { tempDirectory } from '../test-support/temp-files.js';
import { type App, buildApp } from './app.js';

const dir = tempDirectory();

/** A log stream, and what has been written to it so far. */
function capturedLog(): { log: PassThrough; written: () => string } {
  const log = new PassThrough();
  let written = '';
  log.on('data', (chunk: Buffer) => {
    written += chunk.toString();
  });
  return { log, written: () => written };
}

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
  /** Each request answers 405 with the `Allow` given and, but for HEAD, the error naming it. */
  async function expectMethodNotAllowed(
    app: App,
    requests: readonly (readonly ['DELETE' | 'GET' | 'HEAD' | 'POST' | 'PUT', string, string])[],
  ) {
    for (const [method, url, allow] of requests) {
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
  }

  it('answer 405 naming the methods a route takes, and 404 for a path no route has', async () => {
    const store = await openSqliteStore(':memory:');
    const app = await buildApp({ events: store.events, state: store.state });
    await expectMethodNotAllowed(app, [
      ['GET', '/api/collect', 'OPTIONS, POST'],
      ['HEAD', '/v1/batch?x=1', 'POST'],
      ['PUT', '/v1/track', 'POST'],
      ['DELETE', '/health', 'GET, HEAD'],
    ]);
    const missing = await app.fastify.inject({ method: 'GET', url: '/v1/nothing' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('CL_ERR_NOT_FOUND');
    await app.close();
    await store.close();
  });
  it('answer 405 on a route with a path parameter too, and 404 where only a CORS wildcard matches', async () => {
    const store = await openSqliteStore(':memory:');
    const app = await buildApp({ events: store.events, state: store.state });
    await expectMethodNotAllowed(app, [
      ['DELETE', '/api/targets/2027-01', 'PUT'],
      ['POST', '/api/targets/2027', 'PUT'],
      ['DELETE', '/api/pipelines/default', 'PUT'],
      ['GET', '/webhooks/hubspot/x', 'POST'],
      ['HEAD', '/webhooks/pipedrive/x?y=1', 'POST'],
    ]);
    // The CORS plugin's `OPTIONS *` routes match these paths; no route of the app does. Nor is
    // an OPTIONS request answered 405: a preflight where CORS is closed finds nothing.
    for (const [method, url] of [
      ['GET', '/anything'],
      ['POST', '/api/collect/x'],
      ['POST', '/v1/nothing'],
      ['DELETE', '/api/targets/2027/01'],
      ['OPTIONS', '/api/targets/2027-01'],
    ] as const) {
      const answer = await app.fastify.inject({ method, url });
      expect(answer.statusCode, `${method} ${url}`).toBe(404);
      expect(answer.headers.allow, `${method} ${url}`).toBeUndefined();
      expect(answer.json(), `${method} ${url}`).toEqual({
        error: { code: 'CL_ERR_NOT_FOUND', message: `${method} ${url}: no such route` },
      });
    }
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

describe('failures inside the server', () => {
  const postDeal = (app: App, secretKey: string) =>
    app.fastify.inject({
      method: 'POST',
      url: '/api/deals',
      headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ deals: [{ id: 'D-1', status: 'open' }] }),
    });

  it('answer 500 without what failed inside, which goes to the log', async () => {
    const store = await openSqliteStore(':memory:');
    const { secretKey } = await store.state.createWorkspace('broken');
    const { log, written } = capturedLog();
    const app = await buildApp({ events: store.events, state: store.state, log });
    // A failure of the engine itself, its text SQLite's.
    store.db.exec('DROP TABLE deals');
    const answer = await postDeal(app, secretKey);
    expect(answer.statusCode).toBe(500);
    expect(answer.json()).toEqual({
      error: { code: 'CL_ERR_STORE', message: 'the server failed; the request can be retried' },
    });
    expect(written()).toContain('no such table: deals');
    await app.close();
    await store.close();
  });

  it('answer 503 with Retry-After while another connection holds the write lock, and take the request again once it lets go', async () => {
    const path = join(dir, 'locked.db');
    const store = await openSqliteStore(path);
    const { secretKey } = await store.state.createWorkspace('locked');
    // The store waits 5 s for a lock before it gives up; the test need not.
    store.db.pragma('busy_timeout = 50');
    const { log, written } = capturedLog();
    const app = await buildApp({ events: store.events, state: store.state, log });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      const locked = await postDeal(app, secretKey);
      expect(locked.statusCode).toBe(503);
      expect(locked.headers['retry-after']).toBe('1');
      expect(locked.json()).toEqual({
        error: {
          code: 'CL_ERR_BUSY',
          message: 'the database is locked by another connection; retry later',
        },
      });
      expect(written()).toContain('database is locked');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const again = await postDeal(app, secretKey);
    expect(again.statusCode).toBe(200);
    await app.close();
    await store.close();
  });
});
