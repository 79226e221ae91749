import type { FastifyInstance } from 'fastify';
import { collectorEvents, simulate } from '../sim/simulate.js';
import { createWorld } from '../sim/world.js';
import type { EventStore, StateStore, Workspace } from '../store/ports.js';

export const demoWorkspaceName = 'demo';

export interface DemoWorkspace {
  readonly workspace: Workspace;
  readonly writeKey: string;
  /** Events sent through the collector now (0 when the workspace was filled before). */
  readonly sent: number;
}

/**
 * The demo workspace, filled on first start with a simulated year through the collector's own
 * HTTP routes (Segment's batch API, in-process): the same validation, sessions and identity code
 * that real traffic goes through.
 */
export async function ensureDemoWorkspace(
  app: FastifyInstance,
  state: StateStore,
  events: EventStore,
  options: { visitors?: number; signal?: AbortSignal } = {},
): Promise<DemoWorkspace> {
  const existing = await state.findWorkspace(demoWorkspaceName);
  const workspace = existing ?? (await state.createWorkspace(demoWorkspaceName)).workspace;
  const writeKey = await state.writeKeyOf(workspace.id);
  // The deals go in last: without them a fill was cut short, and is sent again (the collector
  // keeps each event once, by message id).
  if (
    (await events.countEvents(workspace.id)) > 0 &&
    (await state.deals(workspace.id)).length > 0
  ) {
    return { workspace, writeKey, sent: 0 };
  }
  // The year before the workspace's creation, not before today: a fill cut short and finished in
  // a later month sends the same simulated year again, instead of a shifted one beside it.
  const end = new Date(workspace.createdAt);
  const start = Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - 12, 1);
  const simulated = simulate(
    createWorld({ seed: 1, visitors: options.visitors ?? 5_000, months: 12, start }),
  );
  const authorization = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
  let batch: unknown[] = [];
  let sent = 0;
  const send = async () => {
    options.signal?.throwIfAborted();
    if (batch.length === 0) return;
    const response = await app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization },
      payload: { batch },
    });
    if (response.statusCode !== 200)
      throw new Error(`demo fill: the collector answered ${response.statusCode}: ${response.body}`);
    sent += batch.length;
    batch = [];
  };
  for (const event of collectorEvents(simulated)) {
    batch.push(event);
    if (batch.length === 500) await send();
  }
  await send();
  options.signal?.throwIfAborted();
  await sendDeals(app, await state.issueSecretKey(workspace.id), simulated);
  return { workspace, writeKey, sent };
}

/** The simulated company's CRM: every deal with its stage history, through `POST /api/deals`. */
async function sendDeals(
  app: FastifyInstance,
  secretKey: string,
  simulated: ReturnType<typeof simulate>,
): Promise<void> {
  const iso = (at: number) => new Date(at).toISOString();
  const deals = simulated.visitors.flatMap(({ deal, person }) =>
    deal === undefined || person === undefined
      ? []
      : [
          {
            id: deal.id,
            name: deal.name,
            amount: (deal.amount / 100).toFixed(2),
            currency: simulated.world.currency,
            status: deal.status,
            createdAt: iso(deal.createdAt),
            ...(deal.closedAt === undefined ? {} : { closedAt: iso(deal.closedAt) }),
            owner: deal.owner,
            segment: deal.segment,
            account: person.account,
            accountDomain: person.accountDomain,
            emails: [person.email],
            stageChanges: deal.history.map((entry) => ({
              stage: entry.stage,
              at: iso(entry.enteredAt),
            })),
          },
        ],
  );
  for (let start = 0; start < deals.length; start += 500) {
    const response = await app.inject({
      method: 'POST',
      url: '/api/deals',
      headers: { authorization: `Bearer ${secretKey}` },
      payload: { deals: deals.slice(start, start + 500) },
    });
    if (response.statusCode !== 200) {
      throw new Error(`demo fill: the deals API answered ${response.statusCode}: ${response.body}`);
    }
  }
}
