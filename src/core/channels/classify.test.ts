import { describe, expect, it } from 'vitest';
import { defaultChannels } from './channel-groups.js';
import { type ChannelInput, classifyChannel, createChannelClassifier } from './classify.js';

const site = 'https://www.acme-analytics.com/pricing?plan=team';

// Every default channel, from inputs as they arrive: UTM tags, referrers, click ids.
const everyChannel: [string, ChannelInput, string][] = [
  ['GA4 direct mark', { source: '(direct)', medium: '(none)' }, 'Direct'],
  ['GA4 direct mark, medium not set', { source: '(direct)', medium: '(not set)' }, 'Direct'],
  ['nothing at all', {}, 'Direct'],
  ['only a landing page', { landingUrl: site }, 'Direct'],
  [
    'a cross-network campaign',
    { source: 'google', medium: 'cpc', campaign: 'PMax_Cross-Network_Q3' },
    'Cross-network',
  ],
  [
    'Google Shopping ads',
    { source: 'google', medium: 'cpc', campaign: 'shopping-brand' },
    'Paid Shopping',
  ],
  ['Amazon ads', { source: 'amazon', medium: 'ppc' }, 'Paid Shopping'],
  ['Google Ads', { source: 'google', medium: 'cpc' }, 'Paid Search'],
  ['Bing Ads', { source: 'bing', medium: 'ppc', campaign: 'brand-exact' }, 'Paid Search'],
  ['LinkedIn ads', { source: 'linkedin', medium: 'paid_social' }, 'Paid Social'],
  ['Facebook retargeting', { source: 'facebook', medium: 'retargeting' }, 'Paid Social'],
  ['YouTube ads', { source: 'youtube', medium: 'cpv' }, 'Paid Video'],
  ['Vimeo paid', { source: 'vimeo.com', medium: 'paid-video' }, 'Paid Video'],
  ['a display banner', { source: 'doubleclick', medium: 'banner' }, 'Display'],
  ['Capterra listing', { source: 'capterra', medium: 'cpc' }, 'Paid Other'],
  ['a paid newsletter slot', { source: 'tldr', medium: 'paid' }, 'Paid Other'],
  [
    'Etsy referrer',
    { referrer: 'https://www.etsy.com/shop/x', landingUrl: site },
    'Organic Shopping',
  ],
  ['a shopping campaign alone', { campaign: 'summer-shop-sale' }, 'Organic Shopping'],
  ['LinkedIn post tag', { source: 'linkedin', medium: 'social' }, 'Organic Social'],
  [
    'Facebook link shim',
    { referrer: 'https://l.facebook.com/l.php?u=https%3A%2F%2Facme' },
    'Organic Social',
  ],
  ['Twitter short link', { referrer: 'https://t.co/AbCd123' }, 'Organic Social'],
  ['LinkedIn short link', { referrer: 'https://lnkd.in/eXyZ' }, 'Organic Social'],
  [
    'a social medium, unknown source',
    { source: 'mastodon-friend', medium: 'social-network' },
    'Organic Social',
  ],
  ['YouTube description link', { referrer: 'https://www.youtube.com/' }, 'Organic Video'],
  ['a video medium', { source: 'webinar-platform', medium: 'video' }, 'Organic Video'],
  ['Google UK', { referrer: 'https://www.google.co.uk/' }, 'Organic Search'],
  ['Google Brazil, bare host', { referrer: 'google.com.br' }, 'Organic Search'],
  ['DuckDuckGo', { referrer: 'https://duckduckgo.com/' }, 'Organic Search'],
  ['an organic medium', { source: 'newsletter-search', medium: 'organic' }, 'Organic Search'],
  [
    'a partner blog',
    { referrer: 'https://blog.partner.io/top-10-tools', landingUrl: site },
    'Referral',
  ],
  ['an app medium', { source: 'zapier', medium: 'app' }, 'Referral'],
  ['a link medium', { source: 'g2', medium: 'link' }, 'Referral'],
  ['a newsletter', { source: 'hubspot', medium: 'email', campaign: 'nurture-3' }, 'Email'],
  ['an email source', { source: 'e-mail', medium: 'newsletter' }, 'Email'],
  ['Gmail in the browser', { referrer: 'https://mail.google.com/', landingUrl: site }, 'Email'],
  ['Gmail on Android', { referrer: 'android-app://com.google.android.gm/' }, 'Email'],
  ['an affiliate', { source: 'partnerstack', medium: 'affiliate' }, 'Affiliates'],
  ['a podcast ad', { source: 'spotify', medium: 'audio' }, 'Audio'],
  ['a text message', { source: 'twilio', medium: 'sms' }, 'SMS'],
  ['an sms source', { source: 'sms', medium: 'text' }, 'SMS'],
  ['a web push', { source: 'onesignal', medium: 'web-push' }, 'Mobile Push Notifications'],
  [
    'an app notification',
    { source: 'acme-app', medium: 'app-notification' },
    'Mobile Push Notifications',
  ],
  ['Firebase', { source: 'firebase', medium: 'inapp' }, 'Mobile Push Notifications'],
  ['ChatGPT tag', { source: 'chatgpt.com' }, 'AI Assistants'],
  ['Perplexity referrer', { referrer: 'https://www.perplexity.ai/search/abc' }, 'AI Assistants'],
  ['Gemini before google.com', { referrer: 'https://gemini.google.com/app/123' }, 'AI Assistants'],
  ['Copilot before microsoft', { referrer: 'https://copilot.microsoft.com/' }, 'AI Assistants'],
  ['Claude', { referrer: 'https://claude.ai/chat/1' }, 'AI Assistants'],
  ['an untagged medium', { source: 'acme', medium: 'qr-code' }, 'Unassigned'],
  ['a source alone', { source: 'newsletter' }, 'Unassigned'],
];

describe('classifyChannel: every channel', () => {
  for (const [what, input, channel] of everyChannel) {
    it(`${what} → ${channel}`, () => {
      expect(classifyChannel(input)).toBe(channel);
    });
  }

  it('covers all twenty channels', () => {
    const covered = new Set(everyChannel.map(([, , channel]) => channel));
    expect([...defaultChannels].filter((channel) => !covered.has(channel))).toEqual([]);
  });
});

describe('classifyChannel: rule order where two rules could match', () => {
  const cases: [string, ChannelInput, string][] = [
    [
      'shopping campaign on Google cpc: Paid Shopping, not Paid Search',
      { source: 'google', medium: 'cpc', campaign: 'Shopping - All Products' },
      'Paid Shopping',
    ],
    [
      'cross-network campaign with cpc: Cross-network, not Paid Search',
      { source: 'google', medium: 'cpc', campaign: 'cross-network-demand' },
      'Cross-network',
    ],
    [
      'display medium, social source: Display (display is not a paid medium)',
      { source: 'facebook', medium: 'display' },
      'Display',
    ],
    [
      'cpm, social source: Paid Social (cpm is also paid, and Paid Social comes first)',
      { source: 'facebook', medium: 'cpm' },
      'Paid Social',
    ],
    [
      'cpm, unknown source: Display before Paid Other',
      { source: 'adnetwork', medium: 'cpm' },
      'Display',
    ],
    [
      'AI source with a paid medium: Paid Other',
      { source: 'chatgpt.com', medium: 'cpc' },
      'Paid Other',
    ],
    [
      'AI source with a social medium: AI Assistants first',
      { source: 'perplexity', medium: 'social' },
      'AI Assistants',
    ],
    [
      'shopping campaign on a social site: Organic Shopping before Organic Social',
      { source: 'instagram', medium: 'social', campaign: 'ig-shop' },
      'Organic Shopping',
    ],
    [
      'YouTube with a social medium: Organic Social before Organic Video',
      { source: 'youtube', medium: 'social' },
      'Organic Social',
    ],
    [
      'video medium on a search source: Organic Video before Organic Search',
      { source: 'google', medium: 'video' },
      'Organic Video',
    ],
    [
      'a search site with a referral medium: Organic Search before Referral',
      { source: 'bing.com', medium: 'referral' },
      'Organic Search',
    ],
    [
      'Gmail as source with a referral medium: Email, as the bare Gmail referrer is',
      { source: 'mail.google.com', medium: 'referral' },
      'Email',
    ],
    [
      'Outlook as source with a referral medium: Email',
      { source: 'outlook.live.com', medium: 'referral' },
      'Email',
    ],
    [
      'email source, referral medium: Referral before Email',
      { source: 'email', medium: 'referral' },
      'Referral',
    ],
    [
      'email medium, affiliate source: Email before Affiliates',
      { source: 'affiliate', medium: 'email' },
      'Email',
    ],
    ['sms medium ending in push... no: sms first', { source: 'sms', medium: 'push' }, 'SMS'],
  ];
  for (const [what, input, channel] of cases) {
    it(what, () => {
      expect(classifyChannel(input)).toBe(channel);
    });
  }
});

describe('classifyChannel: UTM tags, click ids and referrers', () => {
  const cases: [string, ChannelInput, string][] = [
    ['gclid alone: Google Ads', { clickIds: { gclid: 'Cj0KCQiA' } }, 'Paid Search'],
    ['gbraid alone', { clickIds: { gbraid: '0AAAAA' } }, 'Paid Search'],
    ['wbraid alone', { clickIds: { wbraid: 'CjkKEQ' } }, 'Paid Search'],
    [
      'gclid outranks a LinkedIn referrer',
      { clickIds: { gclid: 'x' }, referrer: 'https://www.linkedin.com/' },
      'Paid Search',
    ],
    [
      'an explicit email medium outranks gclid',
      { medium: 'email', clickIds: { gclid: 'x' } },
      'Email',
    ],
    [
      'utm_source youtube + gclid: Paid Video',
      { source: 'youtube', clickIds: { gclid: 'x' } },
      'Paid Video',
    ],
    [
      'utm_source linkedin + gclid: the source says otherwise',
      { source: 'linkedin', clickIds: { gclid: 'x' } },
      'Paid Social',
    ],
    ['msclkid alone: Microsoft Ads', { clickIds: { msclkid: 'abc' } }, 'Paid Search'],
    ['fbclid alone: organic Facebook share', { clickIds: { fbclid: 'IwAR0' } }, 'Organic Social'],
    ['fbclid with a paid medium', { medium: 'paid', clickIds: { fbclid: 'IwAR0' } }, 'Paid Social'],
    [
      'fbclid from an Instagram referrer',
      { clickIds: { fbclid: 'x' }, referrer: 'https://l.instagram.com/' },
      'Organic Social',
    ],
    ['li_fat_id: LinkedIn ads', { clickIds: { li_fat_id: 'f00' } }, 'Paid Social'],
    ['ttclid: TikTok ads', { clickIds: { ttclid: 'E.C.P' } }, 'Paid Social'],
    ['gclid and fbclid: gclid wins', { clickIds: { fbclid: 'x', gclid: 'y' } }, 'Paid Search'],
    ['an empty click id is no click id', { clickIds: { gclid: '  ' } }, 'Direct'],
    [
      'UTM tags outrank a search referrer',
      { source: 'newsletter', medium: 'email', referrer: 'https://www.google.com/' },
      'Email',
    ],
    [
      'a UTM source alone hides the referrer',
      { source: 'linkedin', referrer: 'https://www.bing.com/' },
      'Organic Social',
    ],
    [
      'a campaign alone keeps the referrer',
      { campaign: 'q3-launch', referrer: 'https://www.bing.com/' },
      'Organic Search',
    ],
    [
      '(direct)/(none) with a gclid stays Direct, as GA4 says',
      { source: '(direct)', medium: '(none)', clickIds: { gclid: 'x' } },
      'Direct',
    ],
    [
      'internal referrer and nothing else: Direct',
      { referrer: 'https://acme-analytics.com/blog', landingUrl: site },
      'Direct',
    ],
    [
      'internal referrer from a subdomain: Direct',
      { referrer: 'https://docs.acme-analytics.com/', landingUrl: site },
      'Direct',
    ],
    [
      'internal referrer does not hide a UTM tag',
      { source: 'hubspot', medium: 'email', referrer: site, landingUrl: site },
      'Email',
    ],
    [
      'another shop on the same platform is external',
      { referrer: 'https://shop-b.myshopify.com/', landingUrl: 'https://shop-a.myshopify.com/' },
      'Referral',
    ],
    [
      'no landing URL: every referrer is external',
      { referrer: 'https://acme-analytics.com/' },
      'Referral',
    ],
    [
      'Google Docs is not a search engine',
      { referrer: 'https://docs.google.com/document/d/1x/edit' },
      'Referral',
    ],
    ['Google Shopping host', { referrer: 'https://shopping.google.com/' }, 'Organic Shopping'],
    [
      'LinkedIn Android app referrer',
      { referrer: 'android-app://com.linkedin.android/' },
      'Organic Social',
    ],
  ];
  for (const [what, input, channel] of cases) {
    it(what, () => {
      expect(classifyChannel(input)).toBe(channel);
    });
  }
});

describe('classifyChannel: messy input', () => {
  const cases: [string, ChannelInput, string][] = [
    ['upper case and spaces', { source: '  Google ', medium: 'CPC ' }, 'Paid Search'],
    [
      '(not set) everywhere',
      { source: '(not set)', medium: '(not set)', campaign: '(not set)' },
      'Direct',
    ],
    ['(none) medium on a search source', { source: 'google', medium: '(none)' }, 'Organic Search'],
    [
      'empty strings',
      { source: '', medium: '', campaign: '', referrer: '', landingUrl: '' },
      'Direct',
    ],
    ['nulls', { source: null, medium: null, referrer: null, clickIds: null }, 'Direct'],
    [
      'referrer in capitals with a port and user info',
      { referrer: 'HTTPS://user@WWW.Google.DE:443/search?q=x' },
      'Organic Search',
    ],
    ['referrer with a trailing dot', { referrer: 'https://www.bing.com./' }, 'Organic Search'],
    [
      'protocol-relative referrer',
      { referrer: '//news.ycombinator.com/item?id=1' },
      'Organic Social',
    ],
    ['an unreadable referrer is ignored', { referrer: 'not a url' }, 'Direct'],
    ['a referrer without a dot is ignored', { referrer: 'http://localhost:3000/' }, 'Direct'],
    [
      'a referrer that is an IP address is a site',
      { referrer: 'http://192.168.1.20/wiki' },
      'Referral',
    ],
    [
      'an unreadable referrer does not hide a tag',
      { source: 'bing', medium: 'cpc', referrer: '%%%' },
      'Paid Search',
    ],
    [
      'an unreadable landing URL: the referrer counts',
      { referrer: 'https://www.google.com/', landingUrl: '::::' },
      'Organic Search',
    ],
    ['a source written as a URL', { source: 'https://www.linkedin.com/feed/' }, 'Organic Social'],
    ['an IDN referrer', { referrer: 'https://яндекс.рф/' }, 'Referral'],
    ['a referrer after a tab', { referrer: '\thttps://www.google.com/' }, 'Organic Search'],
    [
      'a referrer after a line break',
      { referrer: '\r\nhttps://www.google.com/' },
      'Organic Search',
    ],
    [
      'a referrer after a no-break space',
      { referrer: '\u00a0https://www.google.com/' },
      'Organic Search',
    ],
    [
      'a landing URL after a tab: the referrer is still internal',
      { referrer: 'https://acme-analytics.com/blog', landingUrl: `\t${site}` },
      'Direct',
    ],
    [
      'a punycode referrer on the Unicode landing site is internal',
      { referrer: 'https://blog.xn--bcher-kva.de/', landingUrl: 'https://www.bücher.de/' },
      'Direct',
    ],
    [
      'a Unicode referrer on the punycode landing site is internal',
      { referrer: 'https://blog.bücher.de/', landingUrl: 'https://www.xn--bcher-kva.de/' },
      'Direct',
    ],
    [
      'a referrer that is an IPv6 address is a site',
      { referrer: 'http://[2001:db8::1]/' },
      'Referral',
    ],
    [
      'an IPv6 referrer with a port, on another site',
      { referrer: 'http://[2001:db8::1]:8080/x', landingUrl: site },
      'Referral',
    ],
    [
      'an IPv6 referrer on the landing address is internal',
      { referrer: 'http://[2001:db8::1]/a', landingUrl: 'http://[2001:DB8:0::1]:8443/b' },
      'Direct',
    ],
  ];
  for (const [what, input, channel] of cases) {
    it(what, () => {
      expect(classifyChannel(input)).toBe(channel);
    });
  }

  it('treats fields that are not strings as absent, and never throws', () => {
    const odd = {
      source: 42,
      medium: {},
      referrer: ['x'],
      clickIds: 'gclid',
    } as unknown as ChannelInput;
    expect(classifyChannel(odd)).toBe('Direct');
    expect(classifyChannel(null as unknown as ChannelInput)).toBe('Direct');
  });
});

describe('createChannelClassifier: the cache', () => {
  it('gives the same answers cached and uncached, whatever the click id values and paths', () => {
    const tiny = createChannelClassifier([], { cacheSize: 1 });
    const inputs: ChannelInput[] = [];
    for (let i = 0; i < 50; i++) {
      inputs.push(
        { referrer: `https://blog${i % 3}.example.org/post/${i}`, landingUrl: `${site}&p=${i}` },
        { source: 'google', clickIds: { gclid: `id-${i}` } },
        {
          referrer: `https://www.google.com/?q=${i}`,
          landingUrl: `https://acme-analytics.com/${i}`,
        },
      );
    }
    for (const input of inputs) expect(tiny(input)).toBe(classifyChannel(input));
  });

  it('does not let a value holding the key separator collide with another key', () => {
    const classify = createChannelClassifier();
    expect(classify({ source: 'google', medium: 'cpc' })).toBe('Paid Search');
    expect(classify({ source: 'google\u0000cpc', medium: '' })).toBe('Unassigned');
    expect(classify({ source: 'google', medium: 'cpc' })).toBe('Paid Search');
  });
});
