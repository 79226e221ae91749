import { describe, expect, it } from 'vitest';
import {
  siteCategories,
  siteCategoryOfHost,
  siteCategoryOfSource,
  siteOfHost,
} from './site-categories.js';
import sites from './sites.json' with { type: 'json' };

describe('site lists (sites.json)', () => {
  const entries = siteCategories.flatMap((category) => sites[category]);

  it('hold several hundred well-known sites in every category', () => {
    expect(entries.length).toBeGreaterThan(900);
    expect(Object.keys(sites).sort()).toEqual([...siteCategories].sort());
    for (const category of siteCategories) expect(sites[category].length).toBeGreaterThan(15);
  });

  it('are lowercase, sorted, without schemes or paths, and list each entry once', () => {
    for (const category of siteCategories) {
      expect(sites[category]).toEqual([...sites[category]].sort());
    }
    for (const entry of entries) {
      expect(entry, entry).toBe(entry.trim().toLowerCase());
      expect(entry, entry).not.toMatch(/[/:?#@]/);
    }
    expect(new Set(entries).size).toBe(entries.length);
  });

  it('put YouTube and Vimeo among video sites, not social ones', () => {
    for (const name of ['youtube', 'youtube.com', 'vimeo', 'vimeo.com']) {
      expect(sites.video).toContain(name);
      expect(sites.social).not.toContain(name);
    }
  });
});

describe('siteCategoryOfHost', () => {
  const cases: [string, string | undefined][] = [
    ['www.google.com', 'search'],
    ['www.google.co.uk', 'search'],
    ['google.com.br', 'search'],
    ['gemini.google.com', 'ai'],
    ['mail.google.com', 'email'],
    ['docs.google.com', 'referral'],
    ['news.google.com', 'search'],
    ['groups.google.com', 'social'],
    ['m.facebook.com', 'social'],
    ['l.facebook.com', 'social'],
    ['facebook.de', 'social'],
    ['t.co', 'social'],
    ['lnkd.in', 'social'],
    ['uk.linkedin.com', 'social'],
    ['m.youtube.com', 'video'],
    ['youtu.be', 'video'],
    ['player.vimeo.com', 'video'],
    ['www.amazon.de', 'shopping'],
    ['chatgpt.com', 'ai'],
    ['chat.openai.com', 'ai'],
    ['www.perplexity.ai', 'ai'],
    ['copilot.microsoft.com', 'ai'],
    ['search.yahoo.com', 'search'],
    ['mail.yahoo.com', 'email'],
    ['answers.yahoo.com', 'social'],
    ['outlook.live.com', 'email'],
    ['foo.blogspot.com', 'social'],
    // Brands of two letters match bare sources only, not hosts.
    ['ig.com.br', undefined],
    ['x.ai', undefined],
    ['x.com', 'social'],
    ['acme-analytics.com', undefined],
    ['192.168.1.1', undefined],
    ['googleadservices.com', undefined],
  ];
  for (const [host, category] of cases) {
    it(`${host} → ${category ?? 'none'}`, () => {
      expect(siteCategoryOfHost(host)).toBe(category);
    });
  }
});

describe('siteCategoryOfSource', () => {
  it('reads bare names as brands and dotted names as hosts', () => {
    expect(siteCategoryOfSource('google')).toBe('search');
    expect(siteCategoryOfSource('ig')).toBe('social');
    expect(siteCategoryOfSource('fb')).toBe('social');
    expect(siteCategoryOfSource('yt')).toBe('video');
    expect(siteCategoryOfSource('chatgpt.com')).toBe('ai');
    expect(siteCategoryOfSource('google shopping')).toBe('shopping');
    expect(siteCategoryOfSource('newsletter')).toBeUndefined();
    expect(siteCategoryOfSource('')).toBeUndefined();
  });
});

describe('siteOfHost', () => {
  it('is the registrable domain, private suffixes counted', () => {
    expect(siteOfHost('www.acme.co.uk')).toBe('acme.co.uk');
    expect(siteOfHost('shop-a.myshopify.com')).toBe('shop-a.myshopify.com');
    expect(siteOfHost('docs.acme.github.io')).toBe('acme.github.io');
    expect(siteOfHost('10.0.0.1')).toBe('10.0.0.1');
  });
});
