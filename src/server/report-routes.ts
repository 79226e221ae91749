import type { FastifyInstance, FastifyRequest } from 'fastify';
import { checkedDay, checkedPastDay, checkedSpan, parseAsOf } from '../core/as-of.js';
import { ClosedloopError } from '../core/errors.js';
import { targetPeriod } from '../core/forecast/targets.js';
import { wholeNumber } from '../core/whole-number.js';
import type { StateStore } from '../store/ports.js';
import { workspaceOfSecretKey } from './auth.js';
import { forecastModelNames, isForecastModel, type PeriodKind } from './reports/forecast.js';
import type { ReportRunner } from './reports/runner.js';

export interface ReportRoutesOptions {
  readonly state: StateStore;
  /** Where the reports are computed (a forecast takes seconds: off the HTTP thread in `serve`). */
  readonly reports: ReportRunner;
  /** The present, past which no default as-of date goes (default Date.now). */
  readonly now?: () => number;
}

interface FunnelQuery {
  pipeline?: string;
  asOf?: string;
  periodBy?: string;
  from?: string;
  to?: string;
  segment?: string;
}

interface ForecastQuery {
  asOf?: string;
  horizon?: string;
  by?: string;
  model?: string;
}

const bad = (message: string) => new ClosedloopError('CL_ERR_USAGE', message);

/** Each report route's parameters, in the order its refusal lists them. */
const funnelParameters = ['pipeline', 'asOf', 'periodBy', 'from', 'to', 'segment'] as const;
const forecastParameters = ['asOf', 'horizon', 'by', 'model'] as const;
const backtestParameters = ['from', 'to', 'every', 'horizon'] as const;

/**
 * A parameter the route does not take is refused, as the deals API refuses an unknown field: a
 * misspelt one (`asof`, `Horizon`) would otherwise be dropped, and the default answer a wrong
 * question plausibly.
 */
function checkParameters(query: unknown, names: readonly string[]): void {
  const unknown = Object.keys(query ?? {}).find((key) => !names.includes(key));
  if (unknown === undefined) return;
  const expected = names.length === 0 ? 'none' : names.join(', ');
  throw bad(`${unknown === '' ? '""' : unknown}: unknown parameter (expected ${expected})`);
}

/** Read-only reports for the dashboard and scripts; every route needs a secret key. */
export async function registerReportRoutes(
  app: FastifyInstance,
  options: ReportRoutesOptions,
): Promise<void> {
  const { state, reports } = options;
  const now = options.now ?? Date.now;

  app.get<{ Querystring: FunnelQuery }>('/api/funnel', async (request) => {
    const workspace = await workspaceOfSecretKey(state, request);
    const query = request.query;
    checkParameters(query, funnelParameters);
    let period: { by: 'created' | 'closed'; from: string; to: string } | undefined;
    if (query.periodBy !== undefined || query.from !== undefined || query.to !== undefined) {
      // The days first: a bad one is named as itself, not as the periodBy it would need.
      for (const key of ['from', 'to'] as const) {
        if (query[key] !== undefined) checkedDay(key, query[key]);
      }
      if (query.periodBy === undefined) {
        throw bad('periodBy: required with from and to (created or closed)');
      }
      if (query.periodBy !== 'created' && query.periodBy !== 'closed') {
        throw bad(`periodBy: expected created or closed, got "${query.periodBy}"`);
      }
      if (query.from !== undefined && query.to !== undefined) {
        checkedSpan({ name: 'from', day: query.from }, { name: 'to', day: query.to });
      }
      period = {
        by: query.periodBy,
        from: query.from ?? '0000-01-01',
        to: query.to ?? '9999-12-31',
      };
    }
    // Given twice, a name would be read as both joined by a comma: refused, as other repeats are.
    for (const key of ['pipeline', 'segment'] as const) {
      if (query[key] !== undefined && typeof query[key] !== 'string') {
        throw bad(`${key}: expected one name, got ${JSON.stringify(query[key])}`);
      }
    }
    return reports.run('funnel', workspace, {
      pipeline: query.pipeline,
      asOf:
        query.asOf === undefined ? undefined : parseAsOf(query.asOf, workspace.timeZone, 'asOf'),
      asOfName: 'asOf',
      period,
      segment: query.segment,
      now: now(),
    });
  });

  const forecastOf = async (request: FastifyRequest<{ Querystring: ForecastQuery }>) => {
    const workspace = await workspaceOfSecretKey(state, request);
    const query = request.query;
    checkParameters(query, forecastParameters);
    const by = query.by ?? 'month';
    if (by !== 'month' && by !== 'quarter' && by !== 'year') {
      throw bad(`by: expected month, quarter or year, got "${by}"`);
    }
    const model = query.model ?? 'linear';
    if (!isForecastModel(model))
      throw bad(`model: expected one of ${forecastModelNames.join(', ')}, got "${model}"`);
    return reports.run('forecast', workspace, {
      asOf:
        query.asOf === undefined ? undefined : parseAsOf(query.asOf, workspace.timeZone, 'asOf'),
      asOfName: 'asOf',
      horizon: wholeNumber('horizon', query.horizon, 1, 60, 6),
      by: by as PeriodKind,
      model,
      now: now(),
    });
  };

  /** The forecast per period, its targets and notes; the per-deal table has a route of its own. */
  app.get<{ Querystring: ForecastQuery }>('/api/forecast', async (request) => {
    const { deals: _deals, ...forecast } = await forecastOf(request);
    return forecast;
  });

  app.get<{ Querystring: ForecastQuery }>('/api/forecast/deals', async (request) => {
    const forecast = await forecastOf(request);
    return { asOf: forecast.asOf, currency: forecast.currency, deals: forecast.deals };
  });

  app.get('/api/targets', async (request) => {
    const workspace = await workspaceOfSecretKey(state, request);
    checkParameters(request.query, []);
    return { currency: workspace.currency, targets: await state.targets(workspace.id) };
  });

  app.put<{ Params: { period: string }; Body: { amountMinor?: unknown } }>(
    '/api/targets/:period',
    async (request) => {
      const workspace = await workspaceOfSecretKey(state, request);
      const body = request.body as Record<string, unknown> | null;
      // A misspelt field would be dropped with its value, as the deals API refuses it.
      const unknown = Object.keys(body ?? {}).find((key) => key !== 'amountMinor');
      if (unknown !== undefined) {
        throw bad(`${unknown}: unknown field (a target has amountMinor only)`);
      }
      const amountMinor = body?.amountMinor;
      if (
        typeof amountMinor !== 'number' ||
        !Number.isSafeInteger(amountMinor) ||
        amountMinor < 0
      ) {
        throw bad(
          `amountMinor: expected a whole, non-negative number of minor units of ${workspace.currency}, got ${JSON.stringify(amountMinor ?? null)}`,
        );
      }
      const target = { period: targetPeriod(request.params.period), amountMinor };
      await state.setTarget(workspace.id, target);
      return target;
    },
  );

  /** The backtest's metrics (no rows): what the dashboard's accuracy panel shows. */
  app.get<{ Querystring: { from?: string; to?: string; every?: string; horizon?: string } }>(
    '/api/backtest',
    async (request) => {
      const workspace = await workspaceOfSecretKey(state, request);
      checkParameters(request.query, backtestParameters);
      const from = checkedDay('from', request.query.from);
      const to = checkedPastDay('to', checkedDay('to', request.query.to));
      checkedSpan({ name: 'from', day: from }, { name: 'to', day: to });
      const report = await reports.run('backtest', workspace, {
        from,
        to,
        every: wholeNumber('every', request.query.every, 1, 24, 1),
        horizon: wholeNumber('horizon', request.query.horizon, 1, 24, 3),
        // Fewer draws than the CLI: the metrics need means more than bands, and a request
        // should not hold the server for long.
        draws: 2_000,
      });
      return {
        asOf: report.asOf,
        horizon: report.horizon,
        currency: report.currency,
        metrics: report.metrics,
        notes: report.notes,
      };
    },
  );
}
