import { describe, expect, it } from 'vitest';
import { e164, isPhoneCountry, phoneUserId } from './phones.js';

describe('e164', () => {
  it('writes one number the same however it was typed', () => {
    const spellings: [string, string | undefined][] = [
      ['+1 (415) 555-0100', undefined],
      ['+14155550100', undefined],
      ['(415) 555-0100', 'US'],
      ['415.555.0100', 'us'],
      ['011 1 415 555 0100', 'US'],
    ];
    for (const [text, country] of spellings) {
      expect(e164(text, country), `${text} ${country}`).toBe('+14155550100');
    }
    expect(e164('020 7946 0958', 'GB')).toBe('+442079460958');
    expect(e164('00 44 20 7946 0958', 'FR')).toBe('+442079460958');
    expect(e164('06 12 34 56 78', 'FR')).toBe('+33612345678');
  });

  it('refuses what is no number: national ones without a country, wrong lengths, unknown countries', () => {
    expect(e164('(415) 555-0100')).toBeUndefined();
    expect(e164('+1 415 555 01000')).toBeUndefined();
    expect(e164('12345', 'US')).toBeUndefined();
    expect(e164('(415) 555-0100', 'XX')).toBeUndefined();
    expect(e164('call me')).toBeUndefined();
  });

  it('knows country codes and names a number as a user id', () => {
    expect(isPhoneCountry('tw')).toBe(true);
    expect(isPhoneCountry('USA')).toBe(false);
    expect(phoneUserId('+14155550100')).toBe('tel:+14155550100');
  });
});
