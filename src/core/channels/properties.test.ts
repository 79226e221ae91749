import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultChannels } from './channel-groups.js';
import { type ChannelInput, classifyChannel, createChannelClassifier } from './classify.js';
import { clickIdNames } from './click-ids.js';
import { withLandingParams } from './landing-params.js';

const known: ReadonlySet<string> = new Set(defaultChannels);

// Strings of every kind, plus values that look like the real thing, so both paths get exercised.
const field = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom('google', 'CPC', '(not set)', '(direct)', 'https://www.google.com/', 'email'),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.constant(undefined),
);
const input: fc.Arbitrary<ChannelInput> = fc.record(
  {
    source: field,
    medium: field,
    campaign: field,
    referrer: field,
    landingUrl: field,
    clickIds: fc.dictionary(fc.constantFrom(...clickIdNames, 'other'), fc.string()),
  },
  { requiredKeys: [] },
);

describe('classifyChannel properties', () => {
  it('never throws and always names a default channel', () => {
    fc.assert(
      fc.property(input, (session) => {
        expect(known.has(classifyChannel(session))).toBe(true);
        expect(known.has(classifyChannel(withLandingParams(session)))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('answers the same with a cache of one entry as with the shared cache', () => {
    const uncached = createChannelClassifier([], { cacheSize: 1 });
    fc.assert(
      fc.property(fc.array(input, { maxLength: 8 }), (sessions) => {
        for (const session of sessions) expect(uncached(session)).toBe(classifyChannel(session));
      }),
      { numRuns: 500 },
    );
  });

  it('ignores case and surrounding spaces of UTM values', () => {
    // ASCII only: some other letters do not come back from upper case (ß → SS → ss).
    const shout = (text: string | null | undefined) =>
      typeof text === 'string' ? ` ${text.replace(/[a-z]/g, (c) => c.toUpperCase())}\t` : text;
    fc.assert(
      fc.property(input, (session) => {
        const shouted = {
          ...session,
          source: shout(session.source),
          medium: shout(session.medium),
          campaign: shout(session.campaign),
          referrer: shout(session.referrer),
        };
        expect(classifyChannel(shouted)).toBe(classifyChannel(session));
      }),
      { numRuns: 1000 },
    );
  });
});
