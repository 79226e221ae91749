import type { EventStore, StateStore, Workspace } from '../../store/ports.js';
import { type BacktestRequest, backtestReport } from './backtest.js';
import { type ForecastRequest, forecastReport } from './forecast.js';
import { type FunnelRequest, funnelReport } from './funnel.js';

/** The reports that are CPU work: what a runner computes, by name. */
export interface ReportKinds {
  funnel: { request: FunnelRequest; result: Awaited<ReturnType<typeof funnelReport>> };
  forecast: { request: ForecastRequest; result: Awaited<ReturnType<typeof forecastReport>> };
  backtest: {
    request: Omit<BacktestRequest, 'onProgress'>;
    result: Awaited<ReturnType<typeof backtestReport>>;
  };
}

export type ReportKind = keyof ReportKinds;

/** Where reports are computed: in the calling thread, or in a thread of their own. */
export interface ReportRunner {
  run<K extends ReportKind>(
    kind: K,
    workspace: Workspace,
    request: ReportKinds[K]['request'],
  ): Promise<ReportKinds[K]['result']>;
  close(): Promise<void>;
}

/**
 * Backtests on one runner, every other report on another: a backtest is dozens of forecasts,
 * and the funnel or forecast a dashboard asks for meanwhile should not queue behind it.
 */
export function backtestsApart(others: ReportRunner, backtests: ReportRunner): ReportRunner {
  return {
    run: (kind, workspace, request) =>
      (kind === 'backtest' ? backtests : others).run(kind, workspace, request),
    async close() {
      await Promise.all([others.close(), backtests.close()]);
    },
  };
}

/** Computes a report on the given stores, in this thread. */
export function computeReport<K extends ReportKind>(
  stores: { readonly events: EventStore; readonly state: StateStore },
  kind: K,
  workspace: Workspace,
  request: ReportKinds[K]['request'],
): Promise<ReportKinds[K]['result']> {
  const { events, state } = stores;
  switch (kind) {
    case 'funnel':
      return funnelReport(events, state, workspace, request as FunnelRequest) as Promise<
        ReportKinds[K]['result']
      >;
    case 'forecast':
      return forecastReport(events, state, workspace, request as ForecastRequest) as Promise<
        ReportKinds[K]['result']
      >;
    default:
      return backtestReport(state, workspace, request as BacktestRequest) as Promise<
        ReportKinds[K]['result']
      >;
  }
}

/** The runner of tests and in-memory stores: reports in this thread. */
export function inThreadReports(stores: {
  readonly events: EventStore;
  readonly state: StateStore;
}): ReportRunner {
  return {
    run: (kind, workspace, request) => computeReport(stores, kind, workspace, request),
    close: async () => {},
  };
}
