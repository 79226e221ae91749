import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExchangeRate, Moment } from '../../core/deals.js';
import { ClosedloopError } from '../../core/errors.js';
import { amountInCurrency, rateFor } from '../../core/exchange.js';
import { minorDigits } from '../../core/money.js';
import { blankDraft } from '../../test-support/deals.js';
import type { StateStore } from '../ports.js';
import { openSqliteStore } from './open.js';

const day = 86_400_000;
const on = (iso: string): Moment => ({ at: Date.parse(`${iso}T00:00:00Z`), dateOnly: true });
const instant = (iso: string): Moment => ({ at: Date.parse(iso), dateOnly: false });

function wonDeal(externalId: string, amountMinor: number, currency: string, closed: Moment) {
  return blankDraft(externalId, {
    source: 'closedloop',
    name: externalId,
    amountMinor,
    currency,
    pipeline: 'Sales',
    stage: 'Closed Won',
    status: 'won',
    createdAt: { at: closed.at - 30 * day, dateOnly: closed.dateOnly },
    closedAt: closed,
  });
}

describe('changing the workspace currency', () => {
  let close: () => Promise<void>;
  let state: StateStore;
  let ws: string;
  beforeEach(async () => {
    const store = await openSqliteStore(':memory:');
    close = () => store.close();
    state = store.state;
    ws = (await state.ensureDefaultWorkspace()).id;
  });
  afterEach(async () => {
    await close();
  });

  /** Each deal's amount in the workspace currency, read as the reports read it. */
  async function figures(): Promise<Map<string, number | null>> {
    const workspace = await state.findWorkspace(ws);
    if (workspace === undefined) throw new Error('no workspace');
    const rates = await state.rates(ws);
    return new Map(
      (await state.deals(ws)).map((deal) => [
        deal.externalId,
        amountInCurrency(deal, rates, workspace.currency, workspace.timeZone),
      ]),
    );
  }

  /**
   * Changes the currency to `to` and checks every deal converts as it did before, then through
   * the old rate of `to` on its day: the re-based rates give the same money up to rounding.
   */
  async function changeAndCompare(to: string): Promise<void> {
    const before = await state.findWorkspace(ws);
    if (before === undefined) throw new Error('no workspace');
    const oldRates = await state.rates(ws);
    const deals = await state.deals(ws);
    await state.updateWorkspaceSettings(ws, { currency: to });
    const after = await figures();
    for (const deal of deals) {
      const moment = deal.closedAt ?? deal.createdAt;
      const rateOf = (currency: string) =>
        currency === before.currency ? 1 : rateFor(oldRates, currency, moment, before.timeZone);
      const rateX = rateOf(deal.currency ?? before.currency);
      const rateN = rateOf(to);
      if (rateX === undefined || rateN === undefined || deal.amountMinor === null) {
        throw new Error(`deal ${deal.externalId} has no old figure`);
      }
      const exact =
        ((deal.amountMinor * rateX) / rateN) *
        10 ** (minorDigits(to) - minorDigits(deal.currency ?? before.currency));
      const figure = after.get(deal.externalId);
      expect(figure, deal.externalId).not.toBeNull();
      expect(Math.abs((figure ?? Number.NaN) - exact), deal.externalId).toBeLessThanOrEqual(
        0.5 + 1e-6,
      );
    }
  }

  it("re-bases the rates into the new currency, so won revenue is the same money (the reviewer's case)", async () => {
    await state.mergeDeals(ws, 'closedloop', ['D-1', 'D-2'], () => [
      wonDeal('D-1', 100_000, 'GBP', on('2025-02-01')),
      wonDeal('D-2', 100_000, 'EUR', on('2025-02-01')),
    ]);
    await state.saveRates(ws, [
      { date: on('2025-01-01'), currency: 'GBP', rate: 1.25 },
      { date: on('2025-01-01'), currency: 'EUR', rate: 1.05 },
    ]);
    const total = (map: Map<string, number | null>) =>
      [...map.values()].reduce<number>((sum, minor) => sum + (minor ?? 0), 0);
    expect(total(await figures())).toBe(230_000); // 2300.00 USD

    await state.updateWorkspaceSettings(ws, { currency: 'EUR' });
    // 1000 EUR + 1000 GBP × 1.25 / 1.05 = 2190.48 EUR, not 2250 (GBP's USD rate read as EUR).
    expect(total(await figures())).toBe(219_048);
    const rates = await state.rates(ws);
    expect(rates.map((rate) => rate.currency)).toEqual(['GBP', 'USD']);
    expect(rates[0]?.date).toEqual(on('2025-01-01'));
    expect(rates[0]?.rate).toBeCloseTo(1.25 / 1.05, 14);
    expect(rates[1]?.date).toEqual(on('2025-01-01'));
    expect(rates[1]?.rate).toBeCloseTo(1 / 1.05, 14);
  });

  it('re-bases on every day either rate changes, including before the first and across digits', async () => {
    // GBP and EUR change on different days; JPY has one rate; deals fall before, between and
    // after them, in every currency including the old and the new workspace currency.
    await state.saveRates(ws, [
      { date: on('2025-01-01'), currency: 'GBP', rate: 1.25 },
      { date: on('2025-03-01'), currency: 'GBP', rate: 1.3 },
      { date: on('2025-02-01'), currency: 'EUR', rate: 1.05 },
      { date: on('2025-04-01'), currency: 'EUR', rate: 1.1 },
      { date: on('2025-02-15'), currency: 'JPY', rate: 0.0067 },
    ]);
    const closings = ['2024-12-01', '2025-01-15', '2025-02-01', '2025-02-20', '2025-03-01'];
    const more = ['2025-03-20', '2025-04-01', '2025-06-30'];
    const drafts = [...closings, ...more].flatMap((date, i) => [
      wonDeal(`G${i}`, 123_457, 'GBP', on(date)),
      wonDeal(`E${i}`, 99_999, 'EUR', on(date)),
      wonDeal(`J${i}`, 1_234_567, 'JPY', on(date)),
      wonDeal(`U${i}`, 50_001, 'USD', on(date)),
    ]);
    await state.mergeDeals(
      ws,
      'closedloop',
      drafts.map((deal) => deal.externalId),
      () => drafts,
    );
    await changeAndCompare('EUR');

    // GBP gets a row on each day GBP or EUR changes; USD one on each day EUR changes.
    const rates = await state.rates(ws);
    const days = (currency: string) =>
      rates.filter((rate) => rate.currency === currency).map((rate) => rate.date);
    expect(days('EUR')).toEqual([]);
    expect(days('GBP')).toEqual(['2025-01-01', '2025-02-01', '2025-03-01', '2025-04-01'].map(on));
    expect(days('USD')).toEqual(['2025-02-01', '2025-04-01'].map(on));
    expect(days('JPY')).toEqual(['2025-02-01', '2025-02-15', '2025-04-01'].map(on));
    const gbp = rates.filter((rate) => rate.currency === 'GBP').map((rate) => rate.rate);
    for (const [actual, expected] of gbp.map((rate, i) => [
      rate,
      [1.25 / 1.05, 1.25 / 1.05, 1.3 / 1.05, 1.3 / 1.1][i] ?? Number.NaN,
    ])) {
      expect(actual).toBeCloseTo(expected ?? Number.NaN, 14);
    }

    // To a currency of other minor digits, and back: the figures still agree.
    await changeAndCompare('JPY');
    await changeAndCompare('USD');
    const back = await state.rates(ws);
    for (const [currency, date, rate] of [
      ['GBP', '2025-01-01', 1.25],
      ['GBP', '2025-03-01', 1.3],
      ['EUR', '2025-02-01', 1.05],
      ['EUR', '2025-04-01', 1.1],
      ['JPY', '2025-02-15', 0.0067],
    ] as const) {
      expect(rateFor(back, currency, on(date), 'UTC') ?? Number.NaN).toBeCloseTo(rate, 12);
    }
  });

  it("reads a rate's day in the workspace's zone, as the reports do, timed rates included", async () => {
    await state.updateWorkspaceSettings(ws, { timeZone: 'Asia/Tokyo' });
    const rates: ExchangeRate[] = [
      { date: on('2025-01-01'), currency: 'GBP', rate: 1.25 },
      { date: instant('2025-02-27T16:00:00Z'), currency: 'GBP', rate: 1.28 }, // 28 Feb in Tokyo
      // 1 March in Tokyo, though 28 February in UTC; the second one that day is not read.
      { date: instant('2025-02-28T20:00:00Z'), currency: 'EUR', rate: 1.05 },
      { date: instant('2025-02-28T23:00:00Z'), currency: 'EUR', rate: 1.5 },
      { date: on('2025-03-10'), currency: 'EUR', rate: 1.07 },
    ];
    await state.saveRates(ws, rates);
    const moments = [
      on('2025-02-20'),
      instant('2025-02-27T15:30:00Z'),
      instant('2025-02-28T15:30:00Z'), // 1 March 00:30 in Tokyo
      on('2025-03-01'),
      instant('2025-03-09T16:00:00Z'), // 10 March in Tokyo
      on('2025-05-01'),
    ];
    const drafts = moments.flatMap((moment, i) => [
      wonDeal(`G${i}`, 100_000, 'GBP', moment),
      wonDeal(`E${i}`, 100_000, 'EUR', moment),
      wonDeal(`U${i}`, 100_000, 'USD', moment),
    ]);
    await state.mergeDeals(
      ws,
      'closedloop',
      drafts.map((deal) => deal.externalId),
      () => drafts,
    );
    await changeAndCompare('EUR');
    await changeAndCompare('GBP');
  });

  it('keeps one rate per currency and instant when a date and a time share one', async () => {
    // In New York the GBP rate timed at midnight UTC on 1 March is 28 February's; EUR's dated
    // 1 March starts at that same instant, and GBP needs a re-based rate on that day too.
    await state.updateWorkspaceSettings(ws, { timeZone: 'America/New_York' });
    await state.saveRates(ws, [
      { date: on('2025-01-01'), currency: 'GBP', rate: 1.25 },
      { date: instant('2025-03-01T00:00:00Z'), currency: 'GBP', rate: 1.3 },
      { date: on('2025-01-01'), currency: 'EUR', rate: 1.05 },
      { date: on('2025-03-01'), currency: 'EUR', rate: 1.1 },
    ]);
    const moments = ['2025-02-27', '2025-02-28', '2025-03-01', '2025-03-02'].map(on);
    const drafts = moments.flatMap((moment, i) => [
      wonDeal(`G${i}`, 100_000, 'GBP', moment),
      wonDeal(`U${i}`, 100_000, 'USD', moment),
    ]);
    await state.mergeDeals(
      ws,
      'closedloop',
      drafts.map((deal) => deal.externalId),
      () => drafts,
    );
    await changeAndCompare('EUR');
    expect((await state.rates(ws)).filter((rate) => rate.currency === 'GBP')).toHaveLength(3);
  });

  it('refuses the change, naming the currency, when no rate gives the new one', async () => {
    const rates = [{ date: on('2025-01-01'), currency: 'GBP', rate: 1.25 }];
    await state.saveRates(ws, rates);
    await state.setTarget(ws, { period: '2025', amountMinor: 100_000 });
    const error = await state.updateWorkspaceSettings(ws, { currency: 'EUR' }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ClosedloopError);
    expect((error as ClosedloopError).code).toBe('CL_ERR_CONFIG');
    expect((error as ClosedloopError).message).toMatch(/^currency: .*EUR.*rate/);
    expect((error as ClosedloopError).message).not.toContain('\n');
    // Nothing changed: the refusal rolls back the whole change.
    expect((await state.findWorkspace(ws))?.currency).toBe('USD');
    expect(await state.rates(ws)).toEqual(rates);
    expect(await state.targets(ws)).toEqual([{ period: '2025', amountMinor: 100_000 }]);
  });

  it('drops a rate for the old workspace currency itself, which would then be read as one', async () => {
    await state.saveRates(ws, [{ date: on('2025-01-01'), currency: 'USD', rate: 1 }]);
    await state.updateWorkspaceSettings(ws, { currency: 'EUR' });
    expect(await state.rates(ws)).toEqual([]);
  });

  it('changes as before when there are no rates', async () => {
    await state.updateWorkspaceSettings(ws, { currency: 'EUR' });
    expect((await state.findWorkspace(ws))?.currency).toBe('EUR');
    expect(await state.rates(ws)).toEqual([]);
  });

  it('leaves the rates alone when only other settings change', async () => {
    const rates = [{ date: on('2025-01-01'), currency: 'GBP', rate: 1.25 }];
    await state.saveRates(ws, rates);
    await state.updateWorkspaceSettings(ws, { lookbackDays: 30, currency: 'USD' });
    expect(await state.rates(ws)).toEqual(rates);
  });
});
