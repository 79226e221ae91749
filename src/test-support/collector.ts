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
  readonly secretKey: string;
  /**
   * Sends JSON (or a raw string) to a route, with the write key as basic auth unless told;
   * `headers` are added last (an `authorization` there replaces the basic auth).
   */
  post(
    url: string,
    payload: unknown,
    options?: {
      auth?: string | null;
      contentType?: string;
      headers?: Record<string, string>;
      method?: 'POST' | 'PUT' | 'GET';
    },
  ): Promise<{ status: number; body: ResponseBody; headers: Record<string, unknown> }>;
}

/** The header Segment clients send: the write key as the basic-auth user name. */
export function basicAuth(writeKey: string): string {
  return `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
}

/** A collector on an in-memory store, called in-process (no sockets), closed after the file's tests. */
export async function startCollector(
  options: { bodyLimit?: number; now?: () => number; trustProxy?: readonly string[] } = {},
): Promise<TestCollector> {
  const store = await openSqliteStore(':memory:');
  const app = await buildApp({
    events: store.events,
    state: store.state,
    bodyLimit: options.bodyLimit,
    now: options.now,
    trustProxy: options.trustProxy,
  });
  const { workspace, writeKey, secretKey } = await store.state.createWorkspace('test');
  afterAll(async () => {
    await app.close();
    await store.close();
  });
  return {
    app,
    store,
    workspace,
    writeKey,
    secretKey,
    async post(url, payload, options = {}) {
      const { auth = writeKey, contentType = 'application/json', method = 'POST' } = options;
      const headers: Record<string, string> = { 'content-type': contentType };
      if (auth !== null)
        headers.authorization = `Basic ${Buffer.from(`${auth}:`).toString('base64')}`;
      Object.assign(headers, options.headers);
      const response = await app.fastify.inject({
        method,
        url,
        headers,
        payload:
          method === 'GET'
            ? undefined
            : typeof payload === 'string'
              ? payload
              : JSON.stringify(payload),
      });
      let body: unknown = response.body;
      try {
        body = JSON.parse(response.body);
      } catch {}
      return { status: response.statusCode, body, headers: response.headers };
    },
  };
}

/**
 * Sends one batch through the collector into a database file, as a running server would, and
 * closes everything again: for tests of commands that read what was collected.
 */
export async function collectIntoFile(
  dbPath: string,
  workspaceName: string,
  batch: unknown[],
): Promise<void> {
  const store = await openSqliteStore(dbPath);
  try {
    const workspace =
      (await store.state.findWorkspace(workspaceName)) ??
      (await store.state.createWorkspace(workspaceName)).workspace;
    const writeKey = await store.state.writeKeyOf(workspace.id);
    const app = await buildApp({ events: store.events, state: store.state });
    const response = await app.fastify.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization: basicAuth(writeKey) },
      payload: { batch },
    });
    await app.close();
    const body = response.json() as { rejected?: unknown[] };
    if (response.statusCode !== 200 || (body.rejected?.length ?? 0) > 0) {
      throw new Error(`the collector refused the batch: ${response.statusCode} ${response.body}`);
    }
  } finally {
    await store.close();
  }
}
