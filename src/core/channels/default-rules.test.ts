import { describe, expect, it } from 'vitest';
import { defaultChannelOf, isPaidMedium, type Traffic } from './default-rules.js';

const traffic = (fields: Partial<Traffic>): Traffic => ({
  source: 'acme',
  medium: '',
  campaign: '',
  category: undefined,
  ...fields,
});

describe('default rules', () => {
  // For each rule, an input that the next rule (or a later one) would also take: the earlier wins.
  const pairs: [string, Partial<Traffic>, string][] = [
    ['Direct over Cross-network', { source: '(direct)', campaign: 'cross-network' }, 'Direct'],
    [
      'Cross-network over Paid Shopping',
      { source: 'google', medium: 'cpc', campaign: 'cross-network-shop', category: 'search' },
      'Cross-network',
    ],
    [
      'Paid Shopping over Paid Search',
      { source: 'google', medium: 'cpc', campaign: 'shopping', category: 'search' },
      'Paid Shopping',
    ],
    [
      'Paid Search over Display',
      { source: 'google', medium: 'cpm', category: 'search' },
      'Paid Search',
    ],
    [
      'Paid Social over Display',
      { source: 'facebook', medium: 'cpm', category: 'social' },
      'Paid Social',
    ],
    [
      'Paid Video over Display',
      { source: 'youtube', medium: 'cpm', category: 'video' },
      'Paid Video',
    ],
    ['Display over Paid Other', { medium: 'cpm' }, 'Display'],
    [
      'Paid Other over AI Assistants',
      { source: 'chatgpt.com', medium: 'cpc', category: 'ai' },
      'Paid Other',
    ],
    [
      'AI Assistants over Organic Shopping',
      { source: 'chatgpt.com', campaign: 'shop', category: 'ai' },
      'AI Assistants',
    ],
    [
      'Organic Shopping over Organic Social',
      { source: 'instagram', medium: 'social', campaign: 'ig-shop', category: 'social' },
      'Organic Shopping',
    ],
    [
      'Organic Social over Organic Video',
      { source: 'youtube', medium: 'social', category: 'video' },
      'Organic Social',
    ],
    [
      'Organic Video over Organic Search',
      { source: 'google', medium: 'video', category: 'search' },
      'Organic Video',
    ],
    [
      'Organic Search over Referral',
      { source: 'bing.com', medium: 'referral', category: 'search' },
      'Organic Search',
    ],
    [
      'a webmail site over Referral, as other site categories are',
      { source: 'mail.google.com', medium: 'referral', category: 'email' },
      'Email',
    ],
    ['Referral over Email', { source: 'email', medium: 'referral' }, 'Referral'],
    ['Email over Affiliates', { source: 'email', medium: 'affiliate' }, 'Email'],
    ['Affiliates over SMS', { source: 'sms', medium: 'affiliate' }, 'Affiliates'],
    ['Audio over SMS', { source: 'sms', medium: 'audio' }, 'Audio'],
    ['SMS over Mobile Push Notifications', { source: 'sms', medium: 'push' }, 'SMS'],
    [
      'Mobile Push Notifications over Unassigned',
      { source: 'firebase' },
      'Mobile Push Notifications',
    ],
  ];
  for (const [what, fields, channel] of pairs) {
    it(`try ${what}`, () => {
      expect(defaultChannelOf(traffic(fields))).toBe(channel);
    });
  }

  it("read GA4's shopping-campaign regex exactly: shop after a non-letter or e, or shopping", () => {
    const shopping = (campaign: string) => defaultChannelOf(traffic({ campaign }));
    for (const campaign of [
      'summer-shop-sale',
      'shop',
      'eshop-launch',
      'q3_shop',
      'workshopping',
      'shopping',
    ]) {
      expect(shopping(campaign), campaign).toBe('Organic Shopping');
    }
    // `k` and `o` before "shop" are letters other than e: no match, and no "shopping" either.
    for (const campaign of ['workshop', 'bookshop', 'photoshop-tips', 'shoe-sale']) {
      expect(shopping(campaign), campaign).toBe('Unassigned');
    }
  });

  it("read GA4's paid-medium regex: anything with cp, ppc, retargeting, paid...", () => {
    for (const medium of [
      'cpc',
      'cpm',
      'cpv',
      'cpa',
      'ocpm',
      'ppc',
      'retargeting',
      'paid',
      'paid_social',
      'paidsearch',
    ]) {
      expect(isPaidMedium(medium), medium).toBe(true);
    }
    for (const medium of [
      '',
      'display',
      'social',
      'organic',
      'email',
      'prepaid',
      'retargeting-2',
      'c-p-c',
    ]) {
      expect(isPaidMedium(medium), medium).toBe(false);
    }
  });

  it('match media lists on whole values', () => {
    const channel = (medium: string) => defaultChannelOf(traffic({ medium }));
    expect(channel('app')).toBe('Referral');
    expect(channel('app-notification')).toBe('Mobile Push Notifications');
    expect(channel('link')).toBe('Referral');
    expect(channel('linkedin')).toBe('Unassigned');
    expect(channel('social media')).toBe('Organic Social');
    expect(channel('social ads')).toBe('Unassigned');
    expect(channel('banner')).toBe('Display');
    expect(channel('banners')).toBe('Unassigned');
    expect(channel('e mail')).toBe('Email');
    expect(channel('emails')).toBe('Unassigned');
    expect(channel('affiliate')).toBe('Affiliates');
    expect(channel('affiliates')).toBe('Unassigned');
  });

  it('give Direct for GA4 direct traffic and when nothing is known', () => {
    expect(defaultChannelOf(traffic({ source: '(direct)' }))).toBe('Direct');
    expect(defaultChannelOf(traffic({ source: '' }))).toBe('Direct');
    expect(defaultChannelOf(traffic({ source: '', campaign: 'spring' }))).toBe('Unassigned');
    expect(defaultChannelOf(traffic({ source: '(direct)', medium: 'email' }))).toBe('Email');
  });

  it('find mobile push by suffix, substring or firebase', () => {
    const channel = (fields: Partial<Traffic>) => defaultChannelOf(traffic(fields));
    expect(channel({ medium: 'push' })).toBe('Mobile Push Notifications');
    expect(channel({ medium: 'web-push' })).toBe('Mobile Push Notifications');
    expect(channel({ medium: 'pushed' })).toBe('Unassigned');
    expect(channel({ medium: 'in-app-mobile' })).toBe('Mobile Push Notifications');
    expect(channel({ medium: 'notifications' })).toBe('Mobile Push Notifications');
    expect(channel({ source: 'firebase' })).toBe('Mobile Push Notifications');
  });
});
