import type { FastifyInstance } from 'fastify';
import { parseAsOf } from '../core/as-of.js';
import { ClosedloopError } from '../core/errors.js';
import type { EventStore, StateStore } from '../store/ports.js';
import { workspaceOfSecretKey } from './auth.js';
import { funnelReport } from './reports/funnel.js';

export interface ReportRoutesOptions {
  readonly state: StateStore;
  readonly events: EventStore;
}

interface FunnelQuery {
  pipeline?: string;
  asOf?: string;
  periodBy?: string;
  from?: string;
  to?: string;
  segment?: string;
}

const day = /^\d{4}-\d{2}-\d{2}$/;

/** Read-only reports for the dashboard and scripts; every route needs a secret key. */
export async function registerReportRoutes(
  app: FastifyInstance,
  options: ReportRoutesOptions,
): Promise<void> {
  const { state, events } = options;

  app.get<{ Querystring: FunnelQuery }>('/api/funnel', async (request) => {
    const workspace = await workspaceOfSecretKey(state, request);
    const query = request.query;
    const bad = (message: string) => new ClosedloopError('CL_ERR_USAGE', message);
    let period: { by: 'created' | 'closed'; from: string; to: string } | undefined;
    if (query.periodBy !== undefined || query.from !== undefined || query.to !== undefined) {
      if (query.periodBy !== 'created' && query.periodBy !== 'closed') {
        throw bad(`periodBy: expected created or closed, got "${query.periodBy ?? ''}"`);
      }
      for (const key of ['from', 'to'] as const) {
        const value = query[key];
        if (value !== undefined && !day.test(value)) {
          throw bad(`${key}: expected a day such as 2027-03-01, got "${value}"`);
        }
      }
      period = {
        by: query.periodBy,
        from: query.from ?? '0000-01-01',
        to: query.to ?? '9999-12-31',
      };
    }
    return funnelReport(events, state, workspace, {
      pipeline: query.pipeline,
      asOf:
        query.asOf === undefined ? undefined : parseAsOf(query.asOf, workspace.timeZone, 'asOf'),
      period,
      segment: query.segment,
    });
  });
}
