import { createHash } from 'node:crypto';
import Type, { type Static } from 'typebox';
import { normaliseEmail } from '../core/emails.js';
import { e164, isPhoneCountry, phoneUserId } from '../core/phones.js';
import type { ConversionRecord, IdentityClaim } from '../store/ports.js';
import { parseMoment } from './values.js';

/** One offline conversion: a call, a meeting, an event attended, a chat — tied by email or phone. */
export const apiConversionSchema = Type.Object(
  {
    /** Yours, to make retries idempotent; derived from the rest when absent. */
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    type: Type.String({ minLength: 1, maxLength: 100, pattern: '^[a-z0-9_]+$' }),
    at: Type.String({ maxLength: 64 }),
    email: Type.Optional(Type.String({ maxLength: 320, pattern: '^[^@\\s]+@[^@\\s]+$' })),
    phone: Type.Optional(Type.String({ maxLength: 40, pattern: '^\\+?[0-9 ().-]{6,40}$' })),
    /** The country of a phone number written without its country code (ISO 3166-1 alpha-2). */
    country: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })),
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const apiConversionsBodySchema = Type.Object({
  conversions: Type.Array(apiConversionSchema, { minItems: 1, maxItems: 1000 }),
});

export type ApiConversion = Static<typeof apiConversionSchema>;

export interface OfflineConversion {
  /** Who: what the identity graph links the conversion to. */
  readonly claim: IdentityClaim & { readonly visitorId: string };
  readonly record: Omit<ConversionRecord, 'workspaceId'>;
}

/** How far ahead of the server's clock a sender's may run. */
const clockSkewMs = 5 * 60_000;

/**
 * An API conversion as an identity claim and a conversion record. The conversion belongs to a
 * visitor id of its own (`offline:` + the identity), linked to the person like any device, so the
 * person's journey shows it and a first offline conversion is their lead. A phone number is read
 * in E.164, with `country` when it is written without its country code (none is guessed), and
 * ties to whoever gave that number (`tel:+…`), on the site or in an earlier conversion.
 */
export function offlineConversion(
  conversion: ApiConversion,
  index: number,
  now: number,
): OfflineConversion | { error: string } {
  const field = (name: string) => `conversions.${index}.${name}`;
  // ISO 8601 with its zone, as the deals API: a slash date or a bare clock time would be a guess.
  const at = parseMoment(conversion.at, field('at'), 'iso-zoned');
  if (at.error !== undefined) return { error: `${at.error.field}: ${at.error.message}` };
  if (at.value === undefined) return { error: `${field('at')}: is required` };
  // A conversion has happened: one dated later (a 2099 typo) would be every report's newest lead.
  // A sender's clock a little ahead is forgiven.
  if (at.value.at > now + clockSkewMs) {
    return {
      error: `${field('at')}: expected a time that has passed, got ${JSON.stringify(conversion.at)} (now is ${new Date(now).toISOString()})`,
    };
  }
  const email = conversion.email === undefined ? undefined : normaliseEmail(conversion.email);
  const { country } = conversion;
  if (country !== undefined && !isPhoneCountry(country)) {
    return {
      error: `${field('country')}: ${JSON.stringify(country)} is no country code (e.g. US)`,
    };
  }
  const phone = conversion.phone === undefined ? undefined : e164(conversion.phone, country);
  if (conversion.phone !== undefined && phone === undefined) {
    const expected =
      country === undefined
        ? 'a phone number with + and its country code, or a country beside it'
        : `a phone number of ${country.toUpperCase()}`;
    return {
      error: `${field('phone')}: expected ${expected}, got ${JSON.stringify(conversion.phone)}`,
    };
  }
  const userId = conversion.userId?.trim();
  if (userId === '') return { error: `${field('userId')}: expected an id, got a blank one` };
  const identity = email ?? userId ?? (phone === undefined ? undefined : phoneUserId(phone));
  if (identity === undefined) {
    return {
      error: `${field('email')}: expected an email, phone or userId to tie the conversion to`,
    };
  }
  const messageId =
    conversion.id ??
    createHash('sha256')
      .update(`${conversion.type}\u0000${at.value.at}\u0000${identity}`)
      .digest('hex')
      .slice(0, 32);
  const visitorId = `offline:${identity}`;
  return {
    claim: { visitorId, email, userId, phone },
    record: {
      id: `c_offline_${createHash('sha256').update(messageId).digest('hex').slice(0, 24)}`,
      visitorId,
      type: conversion.type,
      at: at.value.at,
      sessionId: null,
      messageId,
    },
  };
}
