import { describe, expect, it } from 'vitest';
import { blankDraft } from '../test-support/deals.js';
import { conversion, session, t0, write } from './conformance/records.js';
import { readDealJourneys } from './deal-journeys.js';
import { unattributedChannel } from './journeys.js';
import type { DealDraft } from './ports.js';
import { openSqliteStore } from './sqlite/open.js';

const day = 86_400_000;

function draft(externalId: string, fields: Partial<DealDraft>): DealDraft {
  return blankDraft(externalId, {
    amountMinor: 500_000,
    currency: 'USD',
    createdAt: { at: t0 + 10 * day, dateOnly: false },
    ...fields,
  });
}

/** Two people at acme.com: Ada, known by a CRM contact id, and Grace, by email only. */
async function world() {
  const store = await openSqliteStore(':memory:');
  const workspace = await store.state.ensureDefaultWorkspace();
  const ws = workspace.id;
  await store.state.identify(ws, { visitorId: 'ada-laptop', userId: 'hs-77' }, t0);
  await store.state.identify(ws, { visitorId: 'grace-phone', email: 'grace@acme.com' }, t0);
  await store.events.append(
    write({
      sessions: [
        session(ws, 's-ada-1', { visitorId: 'ada-laptop', startedAt: t0, channel: 'Paid Search' }),
        session(ws, 's-ada-2', {
          visitorId: 'ada-laptop',
          startedAt: t0 + 2 * day,
          channel: 'Email',
        }),
        session(ws, 's-ada-bot', {
          visitorId: 'ada-laptop',
          startedAt: t0 + 3 * day,
          channel: 'Display',
          bot: true,
        }),
        session(ws, 's-ada-late', {
          visitorId: 'ada-laptop',
          startedAt: t0 + 20 * day,
          channel: 'Direct',
        }),
        session(ws, 's-grace', {
          visitorId: 'grace-phone',
          startedAt: t0 + day,
          channel: 'Organic Social',
        }),
      ],
      conversions: [
        conversion(ws, 'c-ada', { visitorId: 'ada-laptop', at: t0 + 2 * day + 60_000 }),
      ],
    }),
  );
  return { store, workspace };
}

const channelsOf = (journeys: Awaited<ReturnType<typeof readDealJourneys>>, j: number) => {
  const { batch } = journeys;
  const names = batch.dictionaries.channels.names;
  return Array.from(
    batch.touchChannel.subarray(batch.touchOffsets[j], batch.touchOffsets[j + 1]),
    (id) => names[id],
  );
};

describe('readDealJourneys', () => {
  it('ties a deal to its people by CRM contact id, cuts at the milestone, leaves bots out', async () => {
    const { store, workspace } = await world();
    await store.state.mergeDeals(workspace.id, 'test', ['D-1'], () => [
      draft('D-1', {
        contactIds: ['hs-77'],
        status: 'won',
        closedAt: { at: t0 + 30 * day, dateOnly: false },
      }),
    ]);
    const created = await readDealJourneys(store.events, store.state, workspace, {
      milestone: { kind: 'deal' },
    });
    expect(channelsOf(created, 0)).toEqual(['Paid Search', 'Email']);
    expect(created.batch.conversionTime?.[0]).toBe(t0 + 10 * day);
    expect(created.batch.value[0]).toBe(5_000);
    // The lead (after the Email session) and the deal both fall on the Email touch; no win yet.
    expect([
      created.batch.leadTouch[0],
      created.batch.dealTouch[0],
      created.batch.wonTouch[0],
    ]).toEqual([1, 1, -1]);
    expect(created.leadAt).toEqual([t0 + 2 * day + 60_000]);

    const won = await readDealJourneys(store.events, store.state, workspace, {
      milestone: { kind: 'won' },
    });
    expect(channelsOf(won, 0)).toEqual(['Paid Search', 'Email', 'Direct']);
    expect(won.batch.wonTouch[0]).toBe(2);
    await store.close();
  });

  it('reaches everyone at the account domain only in account mode, else reports the deal unattributed', async () => {
    const { store, workspace } = await world();
    await store.state.mergeDeals(workspace.id, 'test', ['D-2'], () => [
      draft('D-2', { accountDomain: 'acme.com', amountMinor: null }),
    ]);
    const plain = await readDealJourneys(store.events, store.state, workspace, {
      milestone: { kind: 'deal' },
    });
    expect(channelsOf(plain, 0)).toEqual([unattributedChannel]);
    expect(plain).toMatchObject({ deals: 1, unattributed: 1, withoutValue: 1 });
    const account = await readDealJourneys(store.events, store.state, workspace, {
      milestone: { kind: 'deal' },
      accountMode: true,
    });
    expect(channelsOf(account, 0)).toEqual(['Organic Social']);
    expect(account.unattributed).toBe(0);
    await store.close();
  });

  it('gives each deal of one account everyone there, with its own people, in time order', async () => {
    const { store, workspace } = await world();
    await store.state.mergeDeals(workspace.id, 'test', ['D-4', 'D-5'], () => [
      draft('D-4', { accountDomain: 'acme.com' }),
      draft('D-5', { accountDomain: 'acme.com', contactIds: ['hs-77'] }),
    ]);
    const account = await readDealJourneys(store.events, store.state, workspace, {
      milestone: { kind: 'deal' },
      accountMode: true,
    });
    const deals = await store.state.deals(workspace.id);
    const channelsOfDeal = (externalId: string) =>
      channelsOf(
        account,
        account.dealIds.indexOf(deals.find((deal) => deal.externalId === externalId)?.id ?? ''),
      );
    expect(account.deals).toBe(2);
    // Grace is at acme.com by email; Ada is known only by her CRM contact id.
    expect(channelsOfDeal('D-4')).toEqual(['Organic Social']);
    expect(channelsOfDeal('D-5')).toEqual(['Paid Search', 'Organic Social', 'Email']);
    await store.close();
  });

  it('counts the visits of the whole day when the CRM dates a milestone without a time', async () => {
    const { store, workspace } = await world();
    // Ada's Email visit falls on day 2; a deal created "on day 2" comes after it, whatever hour.
    const createdOnDay2 = { at: Date.UTC(2026, 0, 7), dateOnly: true };
    expect(createdOnDay2.at).toBeLessThan(t0 + 2 * day);
    await store.state.mergeDeals(workspace.id, 'test', ['D-7'], () => [
      draft('D-7', {
        contactIds: ['hs-77'],
        createdAt: createdOnDay2,
        status: 'won',
        closedAt: createdOnDay2,
      }),
    ]);
    for (const kind of ['deal', 'won'] as const) {
      const journeys = await readDealJourneys(store.events, store.state, workspace, {
        milestone: { kind },
      });
      expect([kind, channelsOf(journeys, 0)]).toEqual([kind, ['Paid Search', 'Email']]);
      expect(journeys.batch.dealTouch[0]).toBe(1);
    }
    await store.close();
  });

  it('leaves out deals that never reached the milestone', async () => {
    const { store, workspace } = await world();
    await store.state.mergeDeals(workspace.id, 'test', ['D-3'], () => [draft('D-3', {})]);
    const journeys = await readDealJourneys(store.events, store.state, workspace, {
      milestone: { kind: 'won' },
    });
    expect(journeys.deals).toBe(0);
    expect(journeys.batch.journeyCount).toBe(0);
    await store.close();
  });
});
