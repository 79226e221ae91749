import { describe, expect, it } from 'vitest';
import { normalizeEvent } from './normalize.js';
import { validateEvent } from './validate.js';

const arrival = { receivedAt: Date.parse('2026-05-01T09:00:01Z') };

function normalized(raw: Record<string, unknown>) {
  const validation = validateEvent(raw);
  if (!validation.ok) throw new Error(validation.error);
  return normalizeEvent(validation.event, arrival);
}

describe('normalizeEvent', () => {
  it('reads no email from text longer than an address can be, which also bounds its check', () => {
    const identify = (email: string) =>
      normalized({ type: 'identify', anonymousId: 'v', traits: { email } }).email;
    expect(identify(`${'a'.repeat(250)}@acme.com`)).toBeNull();
    expect(identify(`a@${'b.'.repeat(2_000)} x`)).toBeNull();
    expect(identify(' Ana@Acme.com')).toBe('ana@acme.com');
  });

  it('reads no email from text with a lone surrogate', () => {
    const event = normalized({
      type: 'identify',
      anonymousId: 'v',
      traits: { email: 'a\uD800@b.co' },
    });
    expect(event.email).toBeNull();
  });

  it('makes the id of an event sent without one from its truncated IP, never the raw one', () => {
    const sent = (ip: string) =>
      normalized({
        type: 'page',
        anonymousId: 'v',
        timestamp: '2026-05-01T09:00:00Z',
        context: { ip, page: { url: 'https://www.acme.com/' } },
      });
    const first = sent('203.0.113.77');
    expect(first.messageId).toMatch(/^h-[0-9a-f]{32}$/);
    expect(JSON.parse(first.contextJson).ip).toBe('203.0.113.0');
    // The same event from another address of the same /24: nothing tells the last octet.
    expect(sent('203.0.113.78').messageId).toBe(first.messageId);
    expect(sent('203.0.114.77').messageId).not.toBe(first.messageId);
    // Retried unchanged, it has the same id.
    expect(sent('203.0.113.77').messageId).toBe(first.messageId);
  });
});

describe('validateEvent', () => {
  it('refuses ids with a lone surrogate, naming the field', () => {
    for (const field of ['messageId', 'anonymousId', 'userId'] as const) {
      const result = validateEvent({
        type: 'page',
        anonymousId: 'v',
        userId: 'u',
        [field]: 'x\uDC00',
      });
      expect(result).toEqual({
        ok: false,
        error: `${field}: expected well-formed Unicode text (it has a lone surrogate)`,
      });
    }
    const alias = validateEvent({ type: 'alias', userId: 'u', previousId: '\uD83D' });
    expect(alias).toMatchObject({ ok: false, error: expect.stringMatching(/^previousId: /) });
    // A pair of surrogates is one character, and welcome.
    expect(validateEvent({ type: 'page', anonymousId: 'v', messageId: 'm-😀' }).ok).toBe(true);
  });
});

describe('addresses beside context.ip', () => {
  it('truncates an address under ip, ipAddress or ip_address at the top of properties and traits, and drops one that is no address', () => {
    const page = normalized({
      type: 'page',
      anonymousId: 'v',
      properties: { ip: '203.0.113.77', path: '/' },
      context: { traits: { ipAddress: '2001:db8:abcd:12::1', plan: 'pro' } },
    });
    expect(JSON.parse(page.propertiesJson)).toEqual({ ip: '203.0.113.0', path: '/' });
    expect(JSON.parse(page.contextJson).traits).toEqual({
      ipAddress: '2001:db8:abcd::',
      plan: 'pro',
    });
    const identify = normalized({
      type: 'identify',
      anonymousId: 'v',
      traits: { email: 'ana@acme.com', ip_address: '203.0.113.77, 10.0.0.1' },
    });
    expect(JSON.parse(identify.propertiesJson)).toEqual({ email: 'ana@acme.com' });
    for (const json of [page.propertiesJson, page.contextJson, identify.propertiesJson]) {
      expect(json).not.toMatch(/203\.0\.113\.77|abcd:12/);
    }
  });
});
