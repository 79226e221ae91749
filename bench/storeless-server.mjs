// Case (e) of the collector benchmark: the collector's own app (routes, parsing, checks,
// normalization, answers) with a sink that stores nothing and acknowledges at once. Its req/s is
// what one thread reaches before the store costs anything: the ceiling of a one-thread collector.
import { buildApp } from '../dist/server/app.js';
import { openSqliteStore } from '../dist/store/sqlite/open.js';

const store = await openSqliteStore(':memory:');
const { writeKey } = await store.state.createWorkspace('storeless');
const storesNothing = {
  submit: async (_workspace, events) => ({ accepted: events.length, duplicates: 0 }),
  flush: async () => {},
  close: async () => {},
};
const app = await buildApp({ events: store.events, state: store.state, ingest: storesNothing });
const address = await app.fastify.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`write key ${writeKey}\nlistening on ${address}\n`);
