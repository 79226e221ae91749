import { afterEach, describe, expect, it } from 'vitest';
import type { Moment } from '../core/deals.js';
import type { Workspace } from '../store/ports.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/open.js';
import type { DealRow } from './formats/format.js';
import type { IncomingDeal } from './import/merge-deal.js';
import { saveIncomingDeals } from './save-deals.js';

let open: SqliteStore[] = [];
afterEach(async () => {
  for (const store of open) await store.close();
  open = [];
});

async function freshStore(): Promise<{ store: SqliteStore; workspace: Workspace }> {
  const store = await openSqliteStore(':memory:');
  open.push(store);
  const { workspace } = await store.state.createWorkspace('acme');
  return { store, workspace };
}

const at = (iso: string): Moment => ({ at: Date.parse(iso), dateOnly: false });
const now = Date.parse('2030-01-01T00:00:00Z');

function deal(
  externalId: string,
  row: Omit<DealRow, 'externalId'> | undefined,
  history: [string, string][] = [],
): IncomingDeal {
  return {
    externalId,
    row: row === undefined ? undefined : { externalId, ...row },
    history: history.map(([stage, when]) => ({ externalId, stage, enteredAt: at(when) })),
  };
}

describe('saveIncomingDeals', () => {
  it('creates, then updates, and puts a late stage change in its place', async () => {
    const { store, workspace } = await freshStore();
    const first = await saveIncomingDeals(
      store.state,
      workspace,
      [
        deal('W-1', { stage: 'Demo', amount: '100', currency: 'USD' }, [
          ['Intro', '2027-01-01T00:00:00Z'],
          ['Demo', '2027-01-10T00:00:00Z'],
        ]),
      ],
      { source: 'api', now },
    );
    expect([first.created.length, first.updated.length]).toEqual([1, 0]);
    const late = await saveIncomingDeals(
      store.state,
      workspace,
      [deal('W-1', undefined, [['Qualified', '2027-01-05T00:00:00Z']])],
      { source: 'api', now: now + 1 },
    );
    expect([late.created.length, late.updated.length]).toEqual([0, 1]);
    const [stored] = await store.state.deals(workspace.id);
    expect(stored?.history.map((entry) => entry.stage)).toEqual(['Intro', 'Qualified', 'Demo']);
    expect(stored?.stage).toBe('Demo');
    // Replaying the same delivery changes nothing, and says so: the deal is not even written.
    const replay = await saveIncomingDeals(
      store.state,
      workspace,
      [deal('W-1', undefined, [['Qualified', '2027-01-05T00:00:00Z']])],
      { source: 'api', now: now + 2 },
    );
    expect(replay).toMatchObject({ created: [], updated: [], unchanged: [stored?.id] });
    const [replayed] = await store.state.deals(workspace.id);
    expect(replayed).toEqual(stored);
  });

  it('merges a deal named twice in one input in order, the second over the first', async () => {
    const { store, workspace } = await freshStore();
    const saved = await saveIncomingDeals(
      store.state,
      workspace,
      [
        deal('W-2', {
          stage: 'Demo',
          amount: '100',
          currency: 'USD',
          createdAt: at('2027-01-01T00:00:00Z'),
        }),
        deal('W-2', { stage: 'Closed Won', amount: '120', closedAt: at('2027-02-01T00:00:00Z') }),
      ],
      { source: 'api', now },
    );
    expect([saved.created.length, saved.updated.length]).toEqual([1, 0]);
    const [stored] = await store.state.deals(workspace.id);
    expect(stored).toMatchObject({ stage: 'Closed Won', status: 'won', amountMinor: 12_000 });
    expect(stored?.amountHistory.map((entry) => entry.minor)).toEqual([10_000, 12_000]);
  });

  it('counts a deal changed by one row and repeated by the next as updated, not unchanged', async () => {
    const { store, workspace } = await freshStore();
    const proposal = () => deal('W-3', { stage: 'Proposal', amount: '250', currency: 'USD' });
    await saveIncomingDeals(
      store.state,
      workspace,
      [deal('W-3', { stage: 'Demo', amount: '100', currency: 'USD' }), deal('W-4', {})],
      { source: 'api', now },
    );
    const [w3, w4] = await store.state.deals(workspace.id);
    // The store stamps writes with its clock: let it move, so that a rewrite would show.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const saved = await saveIncomingDeals(
      store.state,
      workspace,
      [proposal(), proposal(), deal('W-4', {})],
      { source: 'api', now: now + 1 },
    );
    expect(saved).toMatchObject({ created: [], updated: [w3?.id], unchanged: [w4?.id] });
    expect(await store.state.deals(workspace.id)).toEqual([
      expect.objectContaining({ stage: 'Proposal', amountMinor: 25_000 }),
      w4,
    ]);
  });

  it('counts a re-import of a deal a webhook dated as unchanged, and keeps dated inputs exact', async () => {
    const { store, workspace } = await freshStore();
    const fields = { amount: '100', currency: 'USD', stage: 'Demo' };
    const webhook = {
      ...deal('H-1', fields),
      fieldTimes: { amount: now - 60_000, currency: now - 60_000, stage: now - 60_000 },
    };
    await saveIncomingDeals(store.state, workspace, [webhook], { source: 'pipedrive', now });
    const [stored] = await store.state.deals(workspace.id);
    for (const later of [1, 2]) {
      const again = await saveIncomingDeals(store.state, workspace, [deal('H-1', fields)], {
        source: 'pipedrive',
        now: now + later,
      });
      expect(again).toMatchObject({ updated: [], unchanged: [stored?.id] });
    }
    expect((await store.state.deals(workspace.id))[0]).toEqual(stored);
    // A change is still one, and dates the field it changes.
    const changed = await saveIncomingDeals(
      store.state,
      workspace,
      [deal('H-1', { ...fields, amount: '150' })],
      { source: 'pipedrive', now: now + 3 },
    );
    expect(changed.updated).toEqual([stored?.id]);
    expect((await store.state.deals(workspace.id))[0]?.fieldTimes?.amount).toBe(now + 3);
    // A dated input with the same values but a newer time is kept: it guards against older ones.
    const newer = await saveIncomingDeals(
      store.state,
      workspace,
      [{ ...deal('H-1', { stage: 'Demo' }), fieldTimes: { stage: now + 10 } }],
      { source: 'pipedrive', now: now + 10 },
    );
    expect(newer.updated).toEqual([stored?.id]);
  });

  it('leaves out, and reports, input about a deal that exists nowhere', async () => {
    const { store, workspace } = await freshStore();
    const unknown: string[] = [];
    const saved = await saveIncomingDeals(
      store.state,
      workspace,
      [deal('W-404', undefined, [['Demo', '2027-01-01T00:00:00Z']])],
      { source: 'api', now, onUnknown: (input) => unknown.push(input.externalId) },
    );
    expect(unknown).toEqual(['W-404']);
    expect(saved.created).toEqual([]);
    expect(await store.state.deals(workspace.id)).toEqual([]);
  });

  it('makes a stage the CRM closes as won a won stage, whatever its name', async () => {
    const { store, workspace } = await freshStore();
    const saved = await saveIncomingDeals(
      store.state,
      workspace,
      [
        deal('S-1', { stage: 'Prospecting', status: 'open', stageOutcome: 'open' }),
        deal('S-2', { stage: 'Signed', status: 'won', stageOutcome: 'won' }),
      ],
      { source: 'salesforce', now },
    );
    expect(saved.pipelines[0]?.stages.map((stage) => [stage.name, stage.outcome])).toEqual([
      ['Prospecting', null],
      ['Signed', 'won'],
    ]);
  });

  it("extends the pipeline with new stages, keeping the CRM's probabilities", async () => {
    const { store, workspace } = await freshStore();
    const saved = await saveIncomingDeals(
      store.state,
      workspace,
      [
        deal('S-1', { stage: 'Negotiation/Review', stageProbability: 0.9 }),
        deal('S-2', { stage: 'Prospecting', stageProbability: 0.1 }),
        deal('S-3', { stage: 'Closed Won', stageProbability: 1 }),
      ],
      { source: 'salesforce', now },
    );
    expect(saved.pipelines).toEqual([
      {
        name: 'default',
        stages: [
          { name: 'Prospecting', phase: 'awareness', outcome: null, probability: 0.1 },
          { name: 'Negotiation/Review', phase: 'decision', outcome: null, probability: 0.9 },
          { name: 'Closed Won', phase: 'decision', outcome: 'won', probability: 1 },
        ],
      },
    ]);
    expect(await store.state.pipelines(workspace.id)).toEqual(saved.pipelines);
    const again = await saveIncomingDeals(
      store.state,
      workspace,
      [deal('S-4', { stage: 'Proposal/Price Quote', stageProbability: 0.75 })],
      { source: 'salesforce', now },
    );
    expect(again.pipelines[0]?.stages.map((stage) => stage.name)).toEqual([
      'Prospecting',
      'Proposal/Price Quote',
      'Negotiation/Review',
      'Closed Won',
    ]);
  });

  it("follows the workspace's pipeline over stage names, and lists names read in other languages", async () => {
    const { store, workspace } = await freshStore();
    await store.state.savePipeline(workspace.id, {
      name: 'default',
      stages: [
        { name: 'Verbal yes', phase: 'decision', outcome: null, probability: 0.9 },
        { name: 'Signed', phase: 'decision', outcome: 'won', probability: 1 },
        { name: 'Perdu', phase: 'decision', outcome: 'lost', probability: 0 },
      ],
    });
    const saved = await saveIncomingDeals(
      store.state,
      workspace,
      [
        deal('C-1', { stage: 'Signed' }),
        deal('C-2', { stage: 'Perdu' }),
        deal('C-3', { stage: 'Gewonnen' }),
        deal('C-4', { stage: 'Closed Won' }),
      ],
      { source: 'api', now },
    );
    const deals = new Map((await store.state.deals(workspace.id)).map((d) => [d.externalId, d]));
    expect(deals.get('C-1')?.status).toBe('won');
    expect(deals.get('C-2')?.status).toBe('lost');
    expect(deals.get('C-3')?.status).toBe('won');
    expect(deals.get('C-4')?.status).toBe('won');
    // Only the stage told by its name alone, in another language than English, is listed.
    expect([...saved.quirks.keys()].filter((kind) => kind.includes('read as'))).toEqual([
      'stage "Gewonnen" read as won',
    ]);
    expect(saved.quirks.get('closed without a close date')).toEqual(
      new Set(['C-1', 'C-2', 'C-3', 'C-4']),
    );
    expect(saved.pipelines[0]?.stages.map((stage) => stage.name)).toEqual([
      'Verbal yes',
      'Signed',
      'Gewonnen',
      'Closed Won',
      'Perdu',
    ]);
  });

  it('saves an input of more deals than a call can take arguments', async () => {
    const { store, workspace } = await freshStore();
    // 200,000 overflowed the call stack when the drafts were spread into one call's arguments.
    const count = 200_000;
    const incoming = Array.from({ length: count }, (_, i) => deal(`B-${i}`, { stage: 'Demo' }));
    const saved = await saveIncomingDeals(store.state, workspace, incoming, { source: 'api', now });
    expect(saved.created.length).toBe(count);
    expect(saved.pipelines[0]?.stages.map((stage) => stage.name)).toContain('Demo');
  });
});
