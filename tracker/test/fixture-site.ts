import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';

export const trackerFile = resolve(import.meta.dirname, '../../dist/tracker/t.js');

export interface ReceivedRequest {
  readonly method: string;
  /** The Host header without the port. */
  readonly host: string;
  readonly path: string;
  /** Path and query, as requested. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A tracked event as the collector endpoint received it. */
// biome-ignore lint/suspicious/noExplicitAny: tests read events field by field.
export type CollectedEvent = any;

export interface FixtureSite {
  readonly port: number;
  /** A fresh write key for each test, so a test sees only its own events. */
  readonly writeKey: string;
  /** `http://HOST:PORT/PATH` on this site. */
  url(host: string, path?: string): string;
  /** Serves `html` at `http://HOST:PORT/PATH` (any query string), for GET and POST. */
  page(host: string, path: string, html: string): void;
  /**
   * A fixture page: the snippet's queue stub, then `before`, then the script tag with the test's
   * write key and `attributes`, then `body`. `src` defaults to /t.js on the page's own origin.
   */
  html(
    body: string,
    attributes?: Record<string, string>,
    options?: { src?: string; before?: string; title?: string },
  ): string;
  /** Every request the server received, in order of arrival. */
  readonly received: ReceivedRequest[];
  /** The bodies posted to /api/collect with this test's write key, in order of arrival. */
  batches(): { writeKey: string; sentAt: unknown; batch: CollectedEvent[] }[];
  /** The events of those batches, in order of arrival. */
  events(): CollectedEvent[];
  /**
   * The same events in the order the page made them. Each batch is a request of its own, and the
   * browser does not promise that requests arrive in the order they left: the events' own
   * timestamps order them, then (within one millisecond) the batch sent first, then the order
   * inside a batch.
   */
  eventsInOrderMade(): CollectedEvent[];
}

/**
 * A small web server for browser tests: fixture pages under any host name (Chromium maps the test
 * domains to it), the built tracker at /t.js, and a stand-in collector at /api/collect that
 * records what it is sent and answers as the real one does. What the server received is the
 * record tests check: the browser's own request log misses beacons sent while a page unloads.
 */
export function useFixtureSite(): FixtureSite {
  const pages = new Map<string, string>();
  const received: ReceivedRequest[] = [];
  const tracker = readFileSync(trackerFile);
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const host = (request.headers.host ?? '').replace(/:\d+$/, '');
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      received.push({
        method: request.method ?? '',
        host,
        path,
        url: request.url ?? '/',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (path === '/api/collect') {
        response.writeHead(request.method === 'OPTIONS' ? 204 : 200, {
          'access-control-allow-origin': '*',
          'content-type': 'application/json',
        });
        response.end('{"success":true}');
      } else if (path === '/t.js') {
        response.writeHead(200, { 'content-type': 'application/javascript' });
        response.end(tracker);
      } else if (pages.has(`${host}${path}`)) {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(pages.get(`${host}${path}`));
      } else {
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('no such fixture');
      }
    });
  });
  let port = 0;
  let writeKey = '';
  beforeAll(async () => {
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
  });
  beforeEach(() => {
    writeKey = `wk_${randomBytes(8).toString('hex')}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });
  return {
    get port() {
      return port;
    },
    get writeKey() {
      return writeKey;
    },
    url: (host, path = '/') => `http://${host}:${port}${path}`,
    page: (host, path, html) => {
      pages.set(`${host}${path}`, html);
    },
    html: (body, attributes = {}, options = {}) => {
      const attrs = Object.entries({ 'data-key': writeKey, ...attributes })
        .map(([name, value]) => ` ${name}="${value}"`)
        .join('');
      return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${options.title ?? 'Fixture'}</title>
<script>window.closedloop = window.closedloop || function () { (closedloop.q = closedloop.q || []).push(arguments); };</script>
${options.before ?? ''}
<script defer src="${options.src ?? '/t.js'}"${attrs}></script>
</head>
<body>
${body}
</body>
</html>`;
    },
    received,
    batches() {
      return received
        .filter((request) => request.method === 'POST' && request.path === '/api/collect')
        .map((request) => JSON.parse(request.body))
        .filter((body) => body.writeKey === writeKey);
    },
    events() {
      return this.batches().flatMap((body) => body.batch);
    },
    eventsInOrderMade() {
      return this.batches()
        .flatMap(({ sentAt, batch }) =>
          batch.map((event, index) => ({ event, sentAt: Number(sentAt), index })),
        )
        .sort(
          (a, b) =>
            a.event.timestamp - b.event.timestamp || a.sentAt - b.sentAt || a.index - b.index,
        )
        .map(({ event }) => event);
    },
  };
}
