import type { ChannelClassifier } from '../core/channels/classify.js';
import { openSqliteStore } from '../store/sqlite/open.js';
import { Ingestor, type IngestSink } from './ingest.js';

/** How late the server's collector writes a continued session's last-seen time and page views. */
const activityWriteLagMs = 60_000;

/**
 * An ingestor in this thread on a connection of its own to the SQLite file, whose commits it
 * makes durable itself (`deferSync`): the collector's fsyncs then run in the thread pool, one
 * for every batch committed meanwhile, and never stop the event loop. The app's own connection
 * keeps syncing each commit, as its other writes expect. Its WAL is checkpointed by a helper
 * thread, not inside its commits. A continued session's activity is written at most a minute
 * late: the page views of a visit rewrite its row once, not each.
 */
export async function openOwnConnectionIngestor(
  dbPath: string,
  classifier: ChannelClassifier,
): Promise<IngestSink> {
  const store = await openSqliteStore(dbPath, { deferSync: true, checkpoints: 'helper' });
  const ingestor = new Ingestor({
    events: store.events,
    state: store.state,
    classifierFor: () => classifier,
    activityWriteLagMs,
  });
  return {
    submit: (workspace, events) => ingestor.submit(workspace, events),
    flush: () => ingestor.flush(),
    close: async () => {
      try {
        await ingestor.close();
      } finally {
        await store.close();
      }
    },
  };
}
