import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pipeline } from '../../core/deals.js';
import type { DealDraft, StateStore } from '../ports.js';
import { failure } from './failure.js';
import type { OpenedStateStore } from './state-store.conformance.js';

const day = 86_400_000;
const t0 = Date.UTC(2026, 0, 5);

function draft(externalId: string, changes: Partial<DealDraft> = {}): DealDraft {
  return {
    externalId,
    source: 'hubspot',
    name: `Deal ${externalId}`,
    amountMinor: 1_250_000,
    currency: 'EUR',
    pipeline: 'default',
    stage: 'Demo',
    status: 'open',
    createdAt: { at: t0, dateOnly: true },
    closedAt: null,
    expectedCloseAt: { at: t0 + 30 * day, dateOnly: true },
    owner: 'Mei Tan',
    segment: 'Mid-market',
    channel: 'Paid Search',
    account: 'Société Générale',
    accountDomain: 'societegenerale.com',
    emails: ['ada@example.com', 'grace@example.com'],
    contactIds: ['501'],
    recurringInterval: 'year',
    termMonths: 12,
    history: [
      { stage: 'Discovery', enteredAt: { at: t0, dateOnly: true } },
      { stage: 'Demo', enteredAt: { at: t0 + 3 * day + 3_600_000, dateOnly: false } },
    ],
    amountHistory: [{ at: { at: t0, dateOnly: true }, minor: 1_250_000, currency: 'EUR' }],
    ...changes,
  };
}

/** Deals, pipelines and exchange rates: the part of the StateStore the CRM side writes. */
export function describeDealConformance(
  engine: string,
  open: () => Promise<OpenedStateStore>,
): void {
  describe(`StateStore conformance, deals: ${engine}`, () => {
    let opened: OpenedStateStore;
    let store: StateStore;
    let ws: string;
    beforeEach(async () => {
      opened = await open();
      store = opened.state;
      ws = (await store.ensureDefaultWorkspace()).id;
    });
    afterEach(async () => {
      await opened.close();
    });

    it('stores a deal whole and reads it back, moments and histories included', async () => {
      const result = await store.mergeDeals(ws, 'hubspot', ['42'], (stored) => {
        expect(stored.size).toBe(0);
        return [draft('42')];
      });
      expect(result.updated).toEqual([]);
      expect(result.created).toHaveLength(1);
      const [deal] = await store.deals(ws);
      expect(deal).toEqual({
        ...draft('42'),
        id: result.created[0],
        workspaceId: ws,
        updatedAt: expect.any(Number),
      });
      expect(deal?.id).toMatch(/^d_[0-9A-Za-z]{16}$/);
    });

    it('keeps revenue targets at their number when the workspace currency changes', async () => {
      await store.setTarget(ws, { period: '2027', amountMinor: 25_000_050 });
      await store.setTarget(ws, { period: '2027-Q1', amountMinor: 100 });
      // USD to JPY: $250,000.50 is ¥250,001 (rounded half up), not ¥25,000,050.
      await store.updateWorkspaceSettings(ws, { currency: 'JPY' });
      expect(await store.targets(ws)).toEqual([
        { period: '2027', amountMinor: 250_001 },
        { period: '2027-Q1', amountMinor: 1 },
      ]);
      await store.updateWorkspaceSettings(ws, { currency: 'KWD' });
      expect((await store.targets(ws))[0]).toEqual({ period: '2027', amountMinor: 250_001_000 });
      // Other settings leave them alone.
      await store.updateWorkspaceSettings(ws, { timeZone: 'Asia/Kuwait' });
      expect((await store.targets(ws))[0]).toEqual({ period: '2027', amountMinor: 250_001_000 });
    });

    it('keeps the times a source gave its fields, and leaves them out when none did', async () => {
      const fieldTimes = { amount: t0 + day, status: t0 + 2 * day };
      await store.mergeDeals(ws, 'hubspot', ['43', '44'], () => [
        draft('43', { fieldTimes }),
        draft('44'),
      ]);
      const deals = await store.deals(ws);
      expect(deals.map((deal) => deal.fieldTimes)).toEqual([fieldTimes, undefined]);
      expect(deals[1]).not.toHaveProperty('fieldTimes');
    });

    it('hands the merge what is stored, keeps the id, and counts updates apart', async () => {
      const { created } = await store.mergeDeals(ws, 'hubspot', ['1', '2'], () => [
        draft('1'),
        draft('2', { status: 'won', stage: 'Closed Won' }),
      ]);
      const second = await store.mergeDeals(ws, 'hubspot', ['2', '3'], (stored) => {
        expect([...stored.keys()]).toEqual(['2']);
        const two = stored.get('2');
        expect(two?.status).toBe('won');
        return [draft('2', { amountMinor: 99 }), draft('3')];
      });
      expect(second.updated).toEqual([created[1]]);
      expect(second.created).toHaveLength(1);
      const deals = await store.deals(ws);
      expect(deals.map((deal) => [deal.externalId, deal.amountMinor])).toEqual([
        ['1', 1_250_000],
        ['2', 99],
        ['3', 1_250_000],
      ]);
    });

    it('keeps sources apart: the same external id in two CRMs is two deals', async () => {
      await store.mergeDeals(ws, 'hubspot', ['7'], () => [draft('7')]);
      await store.mergeDeals(ws, 'salesforce', ['7'], (stored) => {
        expect(stored.size).toBe(0);
        return [draft('7', { source: 'salesforce' })];
      });
      expect((await store.deals(ws)).map((deal) => deal.source)).toEqual(['hubspot', 'salesforce']);
    });

    it('keeps deals with missing fields, and filters by pipeline', async () => {
      await store.mergeDeals(ws, 'maven', ['a', 'b'], () => [
        draft('a', {
          name: null,
          amountMinor: null,
          currency: null,
          stage: null,
          createdAt: null,
          expectedCloseAt: null,
          emails: [],
          history: [],
          amountHistory: [],
          recurringInterval: null,
          termMonths: null,
        }),
        draft('b', { pipeline: 'Renewals' }),
      ]);
      expect((await store.deals(ws, { pipeline: 'Renewals' })).map((d) => d.externalId)).toEqual([
        'b',
      ]);
      const [bare] = await store.deals(ws, { pipeline: 'default' });
      expect(bare).toMatchObject({ amountMinor: null, createdAt: null, history: [] });
    });

    it('writes nothing when the merge throws', async () => {
      await expect(
        store.mergeDeals(ws, 'hubspot', ['1'], () => {
          throw new Error('no');
        }),
      ).rejects.toThrow();
      expect(await store.deals(ws)).toEqual([]);
    });

    it('saves pipelines by name and rates by currency and date', async () => {
      const pipeline: Pipeline = {
        name: 'default',
        stages: [
          { name: 'Discovery', phase: 'awareness', outcome: null, probability: 0.1 },
          { name: 'Closed Won', phase: 'decision', outcome: 'won', probability: 1 },
        ],
      };
      await store.savePipeline(ws, pipeline);
      await store.savePipeline(ws, { ...pipeline, stages: pipeline.stages.slice(1) });
      expect(await store.pipelines(ws)).toEqual([
        { ...pipeline, stages: pipeline.stages.slice(1) },
      ]);

      const date = { at: t0, dateOnly: true };
      await store.saveRates(ws, [
        { date, currency: 'EUR', rate: 1.1 },
        { date, currency: 'GBP', rate: 1.27 },
      ]);
      await store.saveRates(ws, [{ date, currency: 'EUR', rate: 1.08 }]);
      expect(await store.rates(ws)).toEqual([
        { date, currency: 'EUR', rate: 1.08 },
        { date, currency: 'GBP', rate: 1.27 },
      ]);
    });

    it('issues further secret keys, and keeps integration secrets per provider', async () => {
      const secret = await store.issueSecretKey(ws);
      expect(secret).toMatch(/^sk_[0-9A-Za-z]{40}$/);
      expect((await store.workspaceBySecretKey(secret))?.id).toBe(ws);
      expect((await failure(store.issueSecretKey('ws_nope'))).code).toBe(
        'CL_ERR_UNKNOWN_WORKSPACE',
      );

      expect(await store.integrationSecret(ws, 'hubspot')).toBeUndefined();
      await store.setIntegrationSecret(ws, 'hubspot', 'first');
      await store.setIntegrationSecret(ws, 'hubspot', 'second');
      await store.setIntegrationSecret(ws, 'pipedrive', 'other');
      expect(await store.integrationSecret(ws, 'hubspot')).toBe('second');
      expect(await store.integrationSecret(ws, 'pipedrive')).toBe('other');
      expect((await failure(store.setIntegrationSecret(ws, 'hubspot', ' '))).code).toBe(
        'CL_ERR_CONFIG',
      );
      const other = (await store.createWorkspace('Initech')).workspace.id;
      expect(await store.integrationSecret(other, 'hubspot')).toBeUndefined();
    });

    it('keeps the names a CRM gives its ids, per workspace and provider, replaced whole', async () => {
      expect(await store.integrationNames(ws, 'pipedrive')).toBeUndefined();
      const first = { pipelines: { '1': 'Sales' }, stages: { '3': 'Qualified', '4': 'Demo' } };
      await store.setIntegrationNames(ws, 'pipedrive', first);
      expect(await store.integrationNames(ws, 'pipedrive')).toEqual(first);
      const second = { pipelines: { '2': 'Renewals' }, stages: { '9': 'Signed' } };
      await store.setIntegrationNames(ws, 'pipedrive', second);
      expect(await store.integrationNames(ws, 'pipedrive')).toEqual(second);
      expect(await store.integrationNames(ws, 'hubspot')).toBeUndefined();
      const other = (await store.createWorkspace('Names elsewhere')).workspace.id;
      expect(await store.integrationNames(other, 'pipedrive')).toBeUndefined();
      expect((await failure(store.setIntegrationNames('ws_nope', 'pipedrive', first))).code).toBe(
        'CL_ERR_UNKNOWN_WORKSPACE',
      );
    });

    it('sets revenue targets by period, replacing, and refuses malformed ones', async () => {
      await store.setTarget(ws, { period: '2027-Q1', amountMinor: 50_000_000 });
      await store.setTarget(ws, { period: '2027', amountMinor: 200_000_000 });
      await store.setTarget(ws, { period: '2027-03', amountMinor: 20_000_000 });
      await store.setTarget(ws, { period: '2027-Q1', amountMinor: 60_000_000 });
      expect(await store.targets(ws)).toEqual([
        { period: '2027', amountMinor: 200_000_000 },
        { period: '2027-03', amountMinor: 20_000_000 },
        { period: '2027-Q1', amountMinor: 60_000_000 },
      ]);
      for (const target of [
        { period: '2027-13', amountMinor: 1 },
        { period: 'Q1', amountMinor: 1 },
        { period: '2027-Q5', amountMinor: 1 },
        { period: '0000', amountMinor: 1 },
        { period: '3000-01', amountMinor: 1 },
        { period: '2027', amountMinor: -1 },
        { period: '2027', amountMinor: 1.5 },
      ]) {
        expect((await failure(store.setTarget(ws, target))).code, target.period).toBe(
          'CL_ERR_CONFIG',
        );
      }
      const other = (await store.createWorkspace('Hooli')).workspace.id;
      expect(await store.targets(other)).toEqual([]);
    });

    it('never shows one workspace the deals, pipelines or rates of another', async () => {
      const other = (await store.createWorkspace('Globex')).workspace.id;
      await store.mergeDeals(ws, 'hubspot', ['1'], () => [draft('1')]);
      await store.savePipeline(ws, { name: 'default', stages: [] });
      await store.saveRates(ws, [{ date: { at: t0, dateOnly: true }, currency: 'EUR', rate: 1 }]);
      await store.mergeDeals(other, 'hubspot', ['1'], (stored) => {
        expect(stored.size).toBe(0);
        return [];
      });
      expect(await store.deals(other)).toEqual([]);
      expect(await store.pipelines(other)).toEqual([]);
      expect(await store.rates(other)).toEqual([]);
    });
  });
}
