import { describe, expect, it } from 'vitest';
import { classifyChannel } from './classify.js';
import { readLandingParams, withLandingParams } from './landing-params.js';

describe('readLandingParams', () => {
  it('reads UTM tags and click ids from the query, decoded', () => {
    expect(
      readLandingParams(
        'https://acme.com/p?utm_source=Google&utm_medium=cpc&utm_campaign=brand%20US+2&gclid=Cj0&x=1#utm_source=no',
      ),
    ).toEqual({
      source: 'Google',
      medium: 'cpc',
      campaign: 'brand US 2',
      clickIds: { gclid: 'Cj0' },
    });
  });

  it('matches names in any case, keeps the first non-empty value, and skips empty ones', () => {
    expect(
      readLandingParams('/x?UTM_SOURCE=&utm_source=bing&utm_source=yahoo&FBCLID=IwAR'),
    ).toEqual({
      source: 'bing',
      clickIds: { fbclid: 'IwAR' },
    });
  });

  it('never throws on a malformed query', () => {
    const read = readLandingParams('https://acme.com/?utm_source=%E0%A4%A&gclid');
    expect(read.source).toMatch(/%A$/);
    expect(read.clickIds).toEqual({});
    expect(readLandingParams('no query')).toEqual({ clickIds: {} });
  });
});

describe('withLandingParams', () => {
  it('fills only the empty fields; explicit ones win', () => {
    const input = withLandingParams({
      source: 'linkedin',
      medium: ' ',
      landingUrl: 'https://acme.com/?utm_source=google&utm_medium=paid_social&li_fat_id=9',
    });
    expect(input.source).toBe('linkedin');
    expect(input.medium).toBe('paid_social');
    expect(input.clickIds).toEqual({ li_fat_id: '9' });
    expect(classifyChannel(input)).toBe('Paid Social');
  });

  it("treats GA's placeholders as empty fields, which the URL's tags fill", () => {
    const url = 'https://example.com/?utm_source=google&utm_medium=cpc&utm_campaign=brand';
    const input = withLandingParams({
      source: '(not set)',
      medium: ' (NONE) ',
      campaign: '(not provided)',
      landingUrl: url,
    });
    expect(input.source).toBe('google');
    expect(input.medium).toBe('cpc');
    expect(input.campaign).toBe('brand');
    expect(classifyChannel(input)).toBe('Paid Search');
    expect(
      classifyChannel(
        withLandingParams({ source: '(not set)', medium: '(not set)', landingUrl: url }),
      ),
    ).toBe(classifyChannel(withLandingParams({ source: '', medium: '', landingUrl: url })));
    // `(direct)` is a source of its own (GA4's mark of direct traffic), not a placeholder.
    expect(withLandingParams({ source: '(direct)', landingUrl: url }).source).toBe('(direct)');
  });

  it('keeps explicit click ids and leaves inputs without a query as they are', () => {
    const input = { landingUrl: 'https://acme.com/?gclid=a', clickIds: { gclid: 'b' } };
    expect(withLandingParams(input).clickIds).toEqual({ gclid: 'b' });
    const plain = { source: 'x', landingUrl: 'https://acme.com/' };
    expect(withLandingParams(plain)).toBe(plain);
  });
});
