import Type, { type Static } from 'typebox';
import {
  decimalToMinor,
  isExactAmount,
  isKnownCurrency,
  maxExactAmount,
  minorDigits,
} from '../core/money.js';
import type { HistoryRow } from './formats/format.js';
import type { IncomingDeal } from './import/merge-deal.js';
import { parseMoment } from './values.js';

const text = (maxLength: number) => Type.String({ maxLength });
const time = Type.String({ maxLength: 64 });

/** One deal in `POST /api/deals`: only `id` is required; stage changes may arrive in any order. */
export const apiDealSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 200 }),
    name: Type.Optional(text(500)),
    amount: Type.Optional(
      Type.Union([Type.Number(), Type.String({ pattern: '^-?\\d+(\\.\\d+)?$', maxLength: 40 })]),
    ),
    /** ISO 4217, in either case (Stripe and others write `usd`); stored upper-case. */
    currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$' })),
    status: Type.Optional(
      Type.Union([Type.Literal('open'), Type.Literal('won'), Type.Literal('lost')]),
    ),
    stage: Type.Optional(text(200)),
    pipeline: Type.Optional(text(200)),
    createdAt: Type.Optional(time),
    closedAt: Type.Optional(time),
    expectedCloseAt: Type.Optional(time),
    owner: Type.Optional(text(200)),
    segment: Type.Optional(text(200)),
    channel: Type.Optional(text(200)),
    account: Type.Optional(text(500)),
    accountDomain: Type.Optional(text(253)),
    emails: Type.Optional(
      Type.Array(Type.String({ maxLength: 320, pattern: '^[^@\\s]+@[^@\\s]+$' }), {
        maxItems: 100,
      }),
    ),
    stageChanges: Type.Optional(
      Type.Array(Type.Object({ stage: text(200), at: time }, { additionalProperties: false }), {
        maxItems: 1000,
      }),
    ),
  },
  { additionalProperties: false },
);

export const apiDealsBodySchema = Type.Object({
  deals: Type.Array(apiDealSchema, { minItems: 1, maxItems: 1000 }),
});

export type ApiDeal = Static<typeof apiDealSchema>;

/**
 * An API deal as what it says about one deal; a date that does not parse, a negative amount or a
 * currency no ISO 4217 code names is an error naming the field (by its index in the body).
 */
export function dealFromApi(
  deal: ApiDeal,
  index: number,
): { deal: IncomingDeal } | { error: string } {
  const field = (name: string) => `deals.${index}.${name}`;
  // Trimmed as the CSV import and the webhooks trim theirs; a blank id names no deal to find again.
  const id = deal.id.trim();
  if (id === '') return { error: `${field('id')}: expected a non-empty id` };
  const moments: Record<string, ReturnType<typeof parseMoment>['value']> = {};
  // ISO 8601 only, a time with its zone: 03/04/2027 or a bare 10:00 would be a guess.
  for (const key of ['createdAt', 'closedAt', 'expectedCloseAt'] as const) {
    const cell = parseMoment(deal[key], field(key), 'iso-zoned');
    if (cell.error !== undefined) return { error: `${cell.error.field}: ${cell.error.message}` };
    moments[key] = cell.value;
  }
  const amount = deal.amount === undefined ? undefined : String(deal.amount);
  // A JSON number may print as 1e+21 or 1e-7: no decimal to store exactly, so no amount at all.
  if (amount !== undefined && !isExactAmount(amount)) {
    return {
      error: `${field('amount')}: expected a decimal amount such as 12000.50, at most ${maxExactAmount}, got ${amount}`,
    };
  }
  // Refused as the Pipedrive webhook refuses it: a negative amount is no deal's value.
  if (amount !== undefined && Number(amount) < 0) {
    return { error: `${field('amount')}: expected an amount of 0 or more, got ${amount}` };
  }
  const currency = deal.currency?.toUpperCase();
  // Three letters are not enough: a code Intl does not know would fail deep in the merge.
  if (currency !== undefined && !isKnownCurrency(currency)) {
    return {
      error: `${field('currency')}: expected an ISO 4217 code such as EUR, got ${JSON.stringify(deal.currency)}`,
    };
  }
  const history: HistoryRow[] = [];
  for (const [i, change] of (deal.stageChanges ?? []).entries()) {
    const cell = parseMoment(change.at, field(`stageChanges.${i}.at`), 'iso-zoned');
    if (cell.error !== undefined) return { error: `${cell.error.field}: ${cell.error.message}` };
    if (cell.value === undefined) return { error: `${field(`stageChanges.${i}.at`)}: is required` };
    history.push({ externalId: id, stage: change.stage, enteredAt: cell.value });
  }
  // A stage the delivery's own changes enter is as old as the latest of them, and so is the status
  // given with it: a late or retried delivery must not take the deal back to it.
  const stageEntries = history.filter((entry) => entry.stage === deal.stage);
  const stageAt =
    stageEntries.length === 0 ? undefined : Math.max(...stageEntries.map((e) => e.enteredAt.at));
  const fieldTimes =
    stageAt === undefined
      ? undefined
      : { stage: stageAt, ...(deal.status === undefined ? {} : { status: stageAt }) };
  const row = Object.fromEntries(
    Object.entries({
      externalId: id,
      name: deal.name,
      amount,
      currency,
      status: deal.status,
      stage: deal.stage,
      pipeline: deal.pipeline,
      createdAt: moments.createdAt,
      closedAt: moments.closedAt,
      expectedCloseAt: moments.expectedCloseAt,
      owner: deal.owner,
      segment: deal.segment,
      channel: deal.channel,
      account: deal.account,
      accountDomain: deal.accountDomain?.toLowerCase(),
      emails: deal.emails,
    }).filter(([, value]) => value !== undefined),
  ) as unknown as IncomingDeal['row'];
  return {
    deal:
      fieldTimes === undefined
        ? { externalId: id, row, history }
        : { externalId: id, row, history, fieldTimes },
  };
}

/** The names a refusal gives the amount and the currency: each source names its own fields. */
export interface AmountFields {
  readonly amount: string;
  readonly currency: string;
}

/**
 * The refusal of an amount its currency cannot hold in minor units (`12.345` USD, `100.5` JPY),
 * which the merge would round: money from the API and from webhooks is exact. The currency is the
 * one in force for the deal, given or stored. When no amount the deal brings is inexact, its
 * currency is what changed.
 */
export function inexactAmountError(
  deal: IncomingDeal,
  currency: string,
  fields: AmountFields,
): string {
  const digits = minorDigits(currency);
  const decimals = digits === 0 ? 'no decimals' : `at most ${digits} decimals`;
  const amounts = [
    deal.row?.amount,
    ...(deal.amountChanges ?? []).map((change) => change.amount),
    ...deal.history.map((entry) => entry.amount),
  ];
  const inexact = amounts.find(
    (amount) => amount !== undefined && decimalToMinor(amount, digits)?.rounded === true,
  );
  return inexact === undefined
    ? `${fields.currency}: expected a currency that holds the deal's amount exactly, got ${currency} (${decimals}); give the amount in ${currency} with it`
    : `${fields.amount}: expected an amount in ${currency} with ${decimals}, got ${inexact}`;
}
