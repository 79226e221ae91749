import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Compile } from 'typebox/compile';
import { basicAuthCredentials } from '../collect/basic-auth.js';
import { ClosedloopError } from '../core/errors.js';
import { describeSchemaError } from '../core/schema-errors.js';
import { apiConversionsBodySchema, offlineConversion } from '../crm/api-conversions.js';
import {
  type AmountFields,
  apiDealsBodySchema,
  dealFromApi,
  inexactAmountError,
} from '../crm/api-deals.js';
import type { IncomingDeal, QuirkKind } from '../crm/import/merge-deal.js';
import { checkedPipeline } from '../crm/pipeline-config.js';
import { type SaveResult, saveIncomingDeals } from '../crm/save-deals.js';
import {
  dealsFromHubspot,
  type HubspotEvent,
  hubspotSignatureProblem,
} from '../crm/webhooks/hubspot.js';
import { dealFromPipedrive } from '../crm/webhooks/pipedrive.js';
import type { EventStore, StateStore, Workspace } from '../store/ports.js';
import { workspaceOfSecretKey } from './auth.js';

export interface CrmRoutesOptions {
  readonly state: StateStore;
  readonly events: EventStore;
  /** The clock webhooks' replay windows are judged by (tests move it). */
  readonly now?: () => number;
}

const checkDealsBody = Compile(apiDealsBodySchema);
const checkConversionsBody = Compile(apiConversionsBodySchema);

/**
 * Deals coming back from the CRM: the generic `POST /api/deals` (secret key), HubSpot's signed
 * webhooks and Pipedrive's basic-auth webhooks (per-workspace secrets), and pipeline editing. All
 * of them merge through `saveIncomingDeals`, so a replayed delivery changes nothing.
 */
export async function registerCrmRoutes(
  app: FastifyInstance,
  options: CrmRoutesOptions,
): Promise<void> {
  const { state, events } = options;
  const now = options.now ?? Date.now;

  app.post('/api/deals', async (request) => {
    const workspace = await workspaceOfSecretKey(state, request);
    if (!checkDealsBody.Check(request.body)) {
      const errors = checkDealsBody.Errors(request.body);
      throw new ClosedloopError(
        'CL_ERR_DEAL_INVALID',
        describeSchemaError(errors, 'body', { value: request.body }),
      );
    }
    const incoming: IncomingDeal[] = [];
    for (const [index, deal] of request.body.deals.entries()) {
      const result = dealFromApi(deal, index);
      if ('error' in result) throw new ClosedloopError('CL_ERR_DEAL_INVALID', result.error);
      incoming.push(result.deal);
    }
    return summary(
      await saveIncomingDeals(state, workspace, incoming, {
        source: 'api',
        now: now(),
        onQuirks: (deal, quirks, currency) => {
          const index = incoming.indexOf(deal);
          refuseInexactAmount(quirks, deal, currency, {
            amount: `deals.${index}.amount`,
            currency: `deals.${index}.currency`,
          });
          // Refused, not dropped: the client meant the deal to be closed, or sent the wrong field.
          if (quirks.includes('close date on an open deal, left out')) {
            throw new ClosedloopError(
              'CL_ERR_DEAL_INVALID',
              `deals.${index}.closedAt: expected with "status":"won" or "lost" (the deal is open); an expected close date is expectedCloseAt`,
            );
          }
        },
      }),
    );
  });

  app.post('/api/conversions', async (request) => {
    const workspace = await workspaceOfSecretKey(state, request);
    if (!checkConversionsBody.Check(request.body)) {
      const errors = checkConversionsBody.Errors(request.body);
      throw new ClosedloopError(
        'CL_ERR_DEAL_INVALID',
        describeSchemaError(errors, 'body', { value: request.body }),
      );
    }
    const offline = request.body.conversions.map((conversion, index) => {
      const result = offlineConversion(conversion, index, now());
      if ('error' in result) throw new ClosedloopError('CL_ERR_DEAL_INVALID', result.error);
      return result;
    });
    for (const { claim, record } of offline) {
      await state.identify(workspace.id, claim, record.at);
    }
    const { conversionsInserted } = await events.append({
      events: [],
      sessions: [],
      conversions: offline.map(({ record }) => ({ ...record, workspaceId: workspace.id })),
    });
    await events.durable();
    // As the collector answers: a conversion whose id was stored before (a retry) is a duplicate.
    return { accepted: conversionsInserted, duplicates: offline.length - conversionsInserted };
  });

  app.get('/api/pipelines', async (request) => {
    const workspace = await workspaceOfSecretKey(state, request);
    return { pipelines: await state.pipelines(workspace.id) };
  });

  app.put<{ Params: { name: string } }>('/api/pipelines/:name', async (request) => {
    const workspace = await workspaceOfSecretKey(state, request);
    const body = request.body as Record<string, unknown> | null;
    const pipeline = checkedPipeline({ ...body, name: request.params.name });
    await state.savePipeline(workspace.id, pipeline);
    return pipeline;
  });

  await app.register(async (webhooks) => {
    // A signature covers the body's exact bytes: keep them as received.
    webhooks.addContentTypeParser(
      'application/json',
      { parseAs: 'string' },
      (_request, body, done) => {
        done(null, body);
      },
    );

    webhooks.post<{ Params: { workspace: string } }>(
      '/webhooks/hubspot/:workspace',
      async (request) => {
        const raw = typeof request.body === 'string' ? request.body : '';
        const workspace = await webhookWorkspace(state, request.params.workspace);
        const secret =
          workspace === undefined
            ? undefined
            : await state.integrationSecret(workspace.id, 'hubspot');
        // A workspace that does not exist, or has no HubSpot secret, is checked against a secret
        // nobody has: the answer is the same as for a wrong signature, and tells nothing.
        const problem = hubspotSignatureProblem(
          secret ?? unknowableSecret,
          {
            method: request.method,
            uri: `${request.protocol}://${request.host}${request.url}`,
            body: raw,
            timestamp: header(request, 'x-hubspot-request-timestamp'),
            signature: header(request, 'x-hubspot-signature-v3'),
          },
          now(),
        );
        if (problem !== undefined || workspace === undefined || secret === undefined) {
          throw new ClosedloopError(
            'CL_ERR_AUTH',
            `webhook: ${problem ?? 'the signature does not match'}`,
          );
        }
        const events = parseJsonBody(raw);
        if (!Array.isArray(events)) {
          throw new ClosedloopError(
            'CL_ERR_DEAL_INVALID',
            'body: expected a JSON array of HubSpot events',
          );
        }
        const { deals, ignored } = dealsFromHubspot(events as HubspotEvent[]);
        const saved = await saveIncomingDeals(state, workspace, deals, {
          source: 'hubspot',
          now: now(),
          onQuirks: (deal, quirks, currency) =>
            refuseInexactAmount(quirks, deal, currency, {
              amount: `amount of deal ${deal.externalId}`,
              currency: `deal_currency_code of deal ${deal.externalId}`,
            }),
        });
        return { ...summary(saved), ignored };
      },
    );

    webhooks.post<{ Params: { workspace: string } }>(
      '/webhooks/pipedrive/:workspace',
      async (request) => {
        const workspace = await webhookWorkspace(state, request.params.workspace);
        const secret =
          workspace === undefined
            ? undefined
            : await state.integrationSecret(workspace.id, 'pipedrive');
        const given = basicAuthCredentials(request)?.password;
        if (
          workspace === undefined ||
          secret === undefined ||
          given === undefined ||
          !sameText(given, secret)
        ) {
          throw new ClosedloopError(
            'CL_ERR_AUTH',
            'webhook: basic auth password does not match the Pipedrive secret of this workspace',
          );
        }
        const deal = dealFromPipedrive(
          parseJsonBody(typeof request.body === 'string' ? request.body : ''),
          await state.integrationNames(workspace.id, 'pipedrive'),
        );
        if (deal === undefined) {
          return { created: 0, updated: 0, unchanged: 0, deals: [], ignored: 1 };
        }
        const saved = await saveIncomingDeals(state, workspace, [deal], {
          source: 'pipedrive',
          now: now(),
          onQuirks: (_deal, quirks, currency) =>
            refuseInexactAmount(quirks, deal, currency, { amount: 'value', currency: 'currency' }),
        });
        return { ...summary(saved), ignored: 0 };
      },
    );
  });
}

/**
 * Money from the API and from CRM webhooks is exact: an amount the deal's currency cannot hold
 * (`12.345` USD, or 99.99 USD whose currency alone becomes JPY) refuses the request, as a
 * malformed value does, instead of being rounded where no one sees it.
 */
function refuseInexactAmount(
  quirks: readonly QuirkKind[],
  deal: IncomingDeal,
  currency: string,
  fields: AmountFields,
): void {
  if (quirks.includes('amount rounded to minor units')) {
    throw new ClosedloopError('CL_ERR_DEAL_INVALID', inexactAmountError(deal, currency, fields));
  }
}

function summary(saved: SaveResult) {
  return {
    created: saved.created.length,
    updated: saved.updated.length,
    unchanged: saved.unchanged.length,
    deals: [...saved.created, ...saved.updated, ...saved.unchanged],
  };
}

const unknowableSecret = randomBytes(32).toString('hex');

/** The workspace a webhook URL names, by id; undefined (never an error that tells) when unknown. */
async function webhookWorkspace(state: StateStore, id: string): Promise<Workspace | undefined> {
  return id.startsWith('ws_') ? state.findWorkspace(id) : undefined;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJsonBody(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new ClosedloopError('CL_ERR_DEAL_INVALID', 'body: expected JSON');
  }
}

/** Compared as digests of equal length: comparing the texts would tell the secret's length by time. */
function sameText(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(a), digest(b));
}
