import { describe, expect, it } from 'vitest';
import { ClosedloopError } from '../errors.js';
import { createChannelClassifier } from './classify.js';
import { type ChannelRule, parseChannelRules } from './custom-rules.js';

const rules: ChannelRule[] = [
  {
    channel: 'Partners',
    when: [{ field: 'referrerHost', op: 'regex', value: '(^|\\.)(g2|capterra)\\.com$' }],
  },
  {
    channel: 'Brand Search',
    when: [
      { field: 'source', op: 'equals', value: 'Google' },
      { field: 'campaign', op: 'contains', value: 'BRAND' },
    ],
  },
  { channel: 'Google Ads clicks', when: [{ field: 'clickId', op: 'equals', value: 'gclid' }] },
  { channel: 'Events', when: [{ field: 'medium', op: 'equals', value: 'event' }] },
];

describe('custom channel rules', () => {
  const classify = createChannelClassifier(rules);

  it('run before the defaults and may name new channels', () => {
    expect(classify({ referrer: 'https://www.g2.com/products/acme' })).toBe('Partners');
    expect(classify({ source: 'google', medium: 'cpc', campaign: 'us-brand-exact' })).toBe(
      'Brand Search',
    );
    expect(classify({ source: 'trade-show', medium: 'Event' })).toBe('Events');
  });

  it('fall through to the defaults when no rule holds', () => {
    expect(classify({ source: 'google', medium: 'cpc', campaign: 'competitors' })).toBe(
      'Paid Search',
    );
    expect(classify({ referrer: 'https://notg2.com/' })).toBe('Referral');
  });

  it('hold only when every condition holds', () => {
    expect(classify({ source: 'bing', medium: 'cpc', campaign: 'brand' })).toBe('Paid Search');
  });

  it('are tried in order: the first rule that holds wins', () => {
    // Both "Brand Search" and "Google Ads clicks" hold; the first listed wins, either way round.
    const input = { source: 'google', campaign: 'brand', clickIds: { gclid: 'x' } };
    expect(classify(input)).toBe('Brand Search');
    const swapped = createChannelClassifier([rules[2] as ChannelRule, rules[1] as ChannelRule]);
    expect(swapped(input)).toBe('Google Ads clicks');
  });

  it('test the fields as given, not the source a referrer implies', () => {
    const bySource = createChannelClassifier([
      { channel: 'LinkedIn', when: [{ field: 'source', op: 'contains', value: 'linkedin' }] },
    ]);
    expect(bySource({ source: 'LinkedIn', medium: 'paid' })).toBe('LinkedIn');
    expect(bySource({ referrer: 'https://www.linkedin.com/' })).toBe('Organic Social');
  });

  it('can read whole URLs, on every call', () => {
    const byUrl = createChannelClassifier([
      { channel: 'Docs', when: [{ field: 'landingUrl', op: 'contains', value: '/docs/' }] },
      { channel: 'HN thread', when: [{ field: 'referrer', op: 'regex', value: 'item\\?id=\\d+' }] },
      { channel: 'Own site', when: [{ field: 'landingHost', op: 'equals', value: 'acme.com' }] },
    ]);
    expect(byUrl({ landingUrl: 'https://acme.com/docs/start' })).toBe('Docs');
    expect(byUrl({ landingUrl: 'https://acme.com/pricing' })).toBe('Own site');
    expect(
      byUrl({ referrer: 'https://news.ycombinator.com/item?id=1', landingUrl: 'https://x.io/' }),
    ).toBe('HN thread');
    expect(byUrl({ referrer: 'https://news.ycombinator.com/', landingUrl: 'https://x.io/' })).toBe(
      'Organic Social',
    );
  });

  it('can test the landing host without a referrer', () => {
    const byHost = createChannelClassifier([
      { channel: 'App', when: [{ field: 'landingHost', op: 'equals', value: 'app.acme.com' }] },
    ]);
    expect(byHost({ landingUrl: 'https://APP.acme.com/login' })).toBe('App');
    expect(byHost({ landingUrl: 'https://www.acme.com/' })).toBe('Direct');
  });

  it('test hosts in their ASCII form, whichever form the rule and the URL are written in', () => {
    const byHost = createChannelClassifier([
      {
        channel: 'Books',
        when: [{ field: 'referrerHost', op: 'equals', value: 'blog.bücher.de' }],
      },
      { channel: 'Shop', when: [{ field: 'landingHost', op: 'contains', value: 'bücher.de' }] },
    ]);
    expect(byHost({ referrer: 'https://blog.bücher.de/' })).toBe('Books');
    expect(byHost({ referrer: 'https://blog.xn--bcher-kva.de/' })).toBe('Books');
    expect(byHost({ landingUrl: 'https://shop.bücher.de/' })).toBe('Shop');
    expect(byHost({ landingUrl: 'https://shop.xn--bcher-kva.de/' })).toBe('Shop');
    expect(byHost({ referrer: 'https://blog.buecher.de/' })).toBe('Referral');
  });
});

describe('parseChannelRules', () => {
  const problems: [string, unknown, string][] = [
    ['not an array', { channel: 'x' }, 'rules: expected an array of rules, got an object'],
    [
      'a rule that is not an object',
      ['x'],
      'rules[0]: expected {"channel": ..., "when": [...]}, got string "x"',
    ],
    [
      'no channel',
      [{ when: [{ field: 'source', op: 'equals', value: 'a' }] }],
      'rules[0].channel: expected a channel name, got nothing',
    ],
    [
      'a blank channel',
      [{ channel: ' ', when: [] }],
      'rules[0].channel: expected a channel name, got string " "',
    ],
    [
      'no conditions',
      [{ channel: 'A', when: [] }],
      'rules[0].when: expected a non-empty array of conditions, got an array',
    ],
    [
      'an unknown field',
      [
        { channel: 'A', when: [{ field: 'source', op: 'equals', value: 'a' }] },
        { channel: 'B', when: [{ field: 'sorce', op: 'equals', value: 'b' }] },
      ],
      'rules[1].when[0].field: unknown field "sorce"; expected one of source, medium, campaign, referrer, referrerHost, landingUrl, landingHost, clickId',
    ],
    [
      'an unknown op',
      [{ channel: 'A', when: [{ field: 'source', op: 'startsWith', value: 'a' }] }],
      'rules[0].when[0].op: unknown op "startsWith"; expected one of equals, contains, regex',
    ],
    [
      'an empty value',
      [{ channel: 'A', when: [{ field: 'medium', op: 'equals', value: '' }] }],
      'rules[0].when[0].value: expected a non-empty string, got string ""',
    ],
    [
      'a value that is not a string',
      [{ channel: 'A', when: [{ field: 'medium', op: 'equals', value: 3 }] }],
      'rules[0].when[0].value: expected a non-empty string, got number 3',
    ],
    [
      'an invalid regex',
      [{ channel: 'A', when: [{ field: 'campaign', op: 'regex', value: '(brand' }] }],
      'rules[0].when[0].value: invalid regex "(brand" (Invalid regular expression: /(brand/i: Unterminated group)',
    ],
    [
      'a misspelt key',
      [{ channel: 'A', when: [{ field: 'medium', op: 'equals', valeu: 'x' }] }],
      'rules[0].when[0].valeu: unknown key; expected field, op, value',
    ],
  ];
  for (const [what, value, message] of problems) {
    it(`rejects ${what}, naming the rule and field`, () => {
      let thrown: unknown;
      try {
        parseChannelRules(value);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ClosedloopError);
      expect((thrown as ClosedloopError).code).toBe('CL_ERR_CHANNEL_RULE');
      expect((thrown as ClosedloopError).message).toBe(message);
    });
  }

  it('checks rules handed to createChannelClassifier too', () => {
    const bad = [{ channel: 'A', when: [{ field: 'campaign', op: 'regex', value: '[' }] }];
    expect(() => createChannelClassifier(bad as ChannelRule[])).toThrow(
      /rules\[0\]\.when\[0\]\.value: invalid regex/,
    );
  });

  it('returns the rules trimmed', () => {
    expect(
      parseChannelRules([
        { channel: ' Events ', when: [{ field: 'medium', op: 'equals', value: ' event ' }] },
      ]),
    ).toEqual([{ channel: 'Events', when: [{ field: 'medium', op: 'equals', value: 'event' }] }]);
  });
});
