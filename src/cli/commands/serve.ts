import type { Command } from 'commander';
import { parseServeConfig, type RawServeOptions } from '../../config.js';
import { ClosedloopError } from '../../core/errors.js';
import type { StateStore } from '../../store/ports.js';
import { exitCodes, reportError } from '../exit.js';
import { openStore } from '../store-access.js';

/** How long a shutdown waits for requests still being received before cutting them off. */
const shutdownGraceMs = 10_000;

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the collector and API server')
    .option('--port <n>', 'port to listen on (default: $PORT or 3000)')
    .option('--host <host>', 'address to listen on (default: $HOST or 0.0.0.0)')
    .option('--db <path>', 'SQLite file (default ./data/closedloop.db)')
    .option('--body-limit <bytes>', 'largest request body (default 512000)')
    .option(
      '--batch-queue-limit <bytes>',
      'most bytes of batches waiting to be stored; past it, more are answered 503 (default 33554432)',
    )
    .option(
      '--report-time-limit <seconds>',
      'longest a report may compute before it is answered 503 (default 120)',
    )
    .option(
      '--demo',
      'fill a "demo" workspace with a simulated year, through the collector, unless it holds deals',
    )
    .option('--log', 'log every request (JSON lines on stdout)')
    .option(
      '--trust-proxy <addresses>',
      'believe X-Forwarded-For from proxies at these addresses or CIDR ranges, or loopback (default: none)',
    )
    .action(async (options: RawServeOptions) => {
      const config = parseServeConfig(options, process.env);
      // Loaded here, not at the top: the HTTP stack would slow every other command's start.
      const { buildApp } = await import('../../server/app.js');
      const { demoWorkspaceName, ensureDemoWorkspace } = await import(
        '../../server/demo-workspace.js'
      );
      // One server per file: a second one would count events twice (see server-lock.ts).
      const { claimForServer } = await import('../../store/sqlite/server-lock.js');
      const claim = config.dbPath === ':memory:' ? undefined : claimForServer(config.dbPath);
      // The collector's connection (below) checkpoints the WAL in a helper thread; this one, the
      // app's, leaves it to that helper too.
      const store = await openStore(config, { checkpoints: 'beside-helper' });
      // The collector stores events in this thread, on a connection of its own that syncs in
      // the thread pool (an in-memory store has no file to share), and parses batches in a
      // helper thread: see ARCHITECTURE.md, "Decisions and departures".
      const { openOwnConnectionIngestor } = await import('../../collect/own-connection.js');
      const { PrepareThread, preparedElsewhereOverBytes } = await import(
        '../../collect/prepare-thread.js'
      );
      const { createChannelClassifier } = await import('../../core/channels/classify.js');
      const ingest =
        config.dbPath === ':memory:'
          ? undefined
          : await openOwnConnectionIngestor(config.dbPath, createChannelClassifier());
      const preparer = new PrepareThread();
      await preparer.start();
      // Reports (a forecast is seconds of arithmetic) get threads of their own on a file store:
      // backtests one, every other report another (each started on first use).
      const { WorkerReports, defaultMaxReportsPerWorkspace } = await import(
        '../../server/reports/worker-reports.js'
      );
      // Workspaces take turns, and one may hold only a few reports at a time: one tenant's burst
      // of forecasts must not hold up every other tenant's reports.
      const reportOptions = {
        timeLimitMs: config.reportTimeLimitMs,
        maxReportsPerWorkspace: defaultMaxReportsPerWorkspace,
      };
      const { backtestsApart } = await import('../../server/reports/runner.js');
      const reports =
        config.dbPath === ':memory:'
          ? undefined
          : backtestsApart(
              new WorkerReports(config.dbPath, reportOptions),
              new WorkerReports(config.dbPath, reportOptions),
            );
      // Known once the demo workspace exists, which needs the app to fill it.
      let demoSiteWriteKey: string | undefined;
      const app = await buildApp({
        events: store.events,
        state: store.state,
        bodyLimit: config.bodyLimit,
        log: config.log ? process.stdout : undefined,
        ingest,
        prepareLarge: {
          overBytes: preparedElsewhereOverBytes,
          prepare: preparer.prepare,
          maxPendingBytes: config.batchQueueLimit,
        },
        reports,
        trustProxy: config.trustProxy,
        tracker: { demoSiteWriteKey: () => demoSiteWriteKey },
      });
      let stopping = false;
      // Stopped at its next batch by a shutdown: what it sent stays, and the next start, finding
      // no deals, sends it all again (the collector drops what it has by message id).
      const demoFill = new AbortController();
      let filling: Promise<unknown> = Promise.resolve();
      const release = async () => {
        await preparer.close();
        await store.close();
        claim?.release();
      };
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(
          `closedloop: ${signal}: finishing the requests in flight and committing their events\n`,
        );
        demoFill.abort();
        await filling.catch(() => undefined);
        // A client that stalls mid-request must not keep the server from stopping: past the grace
        // its connection is cut (that request was never acknowledged), and what was acknowledged
        // or queued is still committed by app.close.
        const cutStalled = setTimeout(() => {
          app.fastify.server.closeAllConnections();
        }, shutdownGraceMs);
        // A failure here (the last WAL sync failed) must not end as a clean exit.
        let exitCode: number = exitCodes.ok;
        await app.close().catch((error: unknown) => {
          exitCode = reportError(error);
        });
        clearTimeout(cutStalled);
        await release();
        process.exit(exitCode);
      };
      // A server that cannot start (its port taken, a host that does not resolve) must not live
      // on holding the file: it says why, lets go of everything and exits.
      const fail = async (error: unknown) => {
        if (stopping) return;
        stopping = true;
        const exitCode = reportError(error);
        await app.close().catch(() => undefined);
        await release();
        process.exit(exitCode);
      };
      process.once('SIGTERM', () => void stop('SIGTERM'));
      process.once('SIGINT', () => void stop('SIGINT'));
      let address: string;
      let keyLines: string[];
      try {
        // A fresh database gets its default workspace; one with workspaces is given no other,
        // or every command run without --workspace would have to name one. With --demo the demo
        // workspace is that one.
        if (!config.demo && (await store.state.listWorkspaces()).length === 0) {
          await store.state.ensureDefaultWorkspace();
        }
        // The demo workspace's key is printed with its snippet.
        keyLines = await writeKeyLines(store.state, config.demo ? demoWorkspaceName : undefined);
        address = await app.fastify
          .listen({ port: config.port, host: config.host })
          .catch((error: unknown) => {
            // The port taken, or a host name that does not resolve: name the flags to change.
            const why = error instanceof Error ? error.message : String(error);
            throw new ClosedloopError(
              'CL_ERR_LISTEN',
              `--host ${config.host}, --port ${config.port}: cannot listen (${why})`,
            );
          });
      } catch (error) {
        await fail(error);
        return;
      }
      const url = address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');
      const lines = [`Closedloop is listening on ${url} (data in ${config.dbPath})`, ...keyLines];
      if (config.demo) {
        const fill = ensureDemoWorkspace(app.fastify, store.state, store.events, {
          signal: demoFill.signal,
        });
        filling = fill;
        let demo: Awaited<typeof fill>;
        try {
          demo = await fill;
        } catch (error) {
          if (!stopping) await fail(error);
          return;
        }
        demoSiteWriteKey = demo.writeKey;
        lines.push(
          demo.sent > 0
            ? `Demo workspace filled through the collector: ${demo.sent.toLocaleString('en')} simulated events.`
            : 'Demo workspace: already filled.',
          `  write key: ${demo.writeKey}`,
          '  paste into your site:',
          `  <script defer src="${url}/t.js" data-key="${demo.writeKey}"></script>`,
          `  or send Segment-style events to ${url}/v1/batch (basic auth, write key as user name)`,
          `Demo site with the snippet: ${url}/demo-site/ (your own visit arrives in the demo workspace)`,
        );
      }
      // With --log, stdout carries the JSON request log alone.
      const out = config.log ? process.stderr : process.stdout;
      out.write(`${lines.join('\n')}\n`);
    });
}

/** Past this many workspaces their keys would bury the start-up lines: `workspace list` has them. */
const maxWorkspacesKeyed = 5;

/**
 * Each workspace's write key (public: it goes into the page's snippet), so that the default
 * workspace the server makes can be collected into from the start. The wording keeps
 * `write key KEY`, from which scripts (the collect bench) read the one workspace's key.
 */
async function writeKeyLines(state: StateStore, leftOut: string | undefined): Promise<string[]> {
  const keyed = (await state.listWorkspaces()).filter((w) => w.name !== leftOut);
  if (keyed.length > maxWorkspacesKeyed) {
    return [`${keyed.length} workspaces: \`closedloop workspace list\` shows their write keys`];
  }
  return Promise.all(
    keyed.map(async (w) => `workspace "${w.name}": write key ${await state.writeKeyOf(w.id)}`),
  );
}
