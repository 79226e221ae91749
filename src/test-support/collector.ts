import { afterAll } from 'vitest';
import { type App, buildApp } from '../server/app.js';
import type { Workspace } from '../store/ports.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/open.js';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies field by field.
type ResponseBody = any;

export interface TestCollector {
  readonly app: App;
  readonly store: SqliteStore;
  readonly workspace: Workspace;
  readonly writeKey: string;
  /** POSTs JSON (or a raw string) to a route, with the write key as basic auth unless told. */
  post(
    url: string,
    payload: unknown,
    options?: { auth?: string | null; contentType?: string },
  ): Promise<{ status: number; body: ResponseBody; headers: Record<string, unknown> }>;
}

/** The header Segment clients send: the write key as the basic-auth user name. */
export function basicAuth(writeKey: string): string {
  return `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
}

/** A collector on an in-memory store, called in-process (no sockets), closed after the file's tests. */
export async function startCollector(options: { bodyLimit?: number } = {}): Promise<TestCollector> {
  const store = await openSqliteStore(':memory:');
  const app = await buildApp({
    events: store.events,
    state: store.state,
    bodyLimit: options.bodyLimit,
  });
  const { workspace, writeKey } = await store.state.createWorkspace('test');
  afterAll(async () => {
    await app.close();
    await store.close();
  });
  return {
    app,
    store,
    workspace,
    writeKey,
    async post(url, payload, { auth = writeKey, contentType = 'application/json' } = {}) {
      const headers: Record<string, string> = { 'content-type': contentType };
      if (auth !== null)
        headers.authorization = `Basic ${Buffer.from(`${auth}:`).toString('base64')}`;
      const response = await app.fastify.inject({
        method: 'POST',
        url,
        headers,
        payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      });
      let body: unknown = response.body;
      try {
        body = JSON.parse(response.body);
      } catch {}
      return { status: response.statusCode, body, headers: response.headers };
    },
  };
}
