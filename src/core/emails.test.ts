import { describe, expect, it } from 'vitest';
import { looksLikeEmail, normaliseEmail } from './emails.js';

describe('looksLikeEmail', () => {
  it('takes addresses and refuses what only resembles one', () => {
    for (const email of ['ana@acme.com', 'ana.b+news@mail.acme.co.uk', 'x@y.io']) {
      expect(looksLikeEmail(email), email).toBe(true);
    }
    for (const text of [
      '',
      'ana',
      'ana@',
      '@acme.com',
      'ana@acme',
      'ana@acme.',
      'ana@.acme.com',
      'ana@acme..com',
      'ana@@acme.com',
      'ana b@acme.com',
      'ana@acme.com;bo@acme.com',
      '<ana@acme.com>',
      `${'a'.repeat(250)}@acme.com`,
    ]) {
      expect(looksLikeEmail(text), text).toBe(false);
    }
  });

  it('refuses a long near miss at once (the old backtracking pattern took hours on this one)', () => {
    expect(looksLikeEmail(`a@${'b.'.repeat(2_000_000)} x`)).toBe(false);
    expect(looksLikeEmail(`a@${'b.'.repeat(120)}c`)).toBe(true);
  });
});

describe('normaliseEmail', () => {
  it('gives one form to an address however it was typed or pasted', () => {
    for (const email of [
      'josé@acme.example',
      'Jos\u00e9@Acme.example',
      'Jose\u0301@acme.example',
      'jos\u00e9@acme.example\u200b',
      '\ufeffjos\u200d\u00e9@acme\u2060.example',
      '\u00a0JOS\u00c9@ACME.EXAMPLE\u3000',
      'mailto:jos\u00e9@acme.example',
      ' MAILTO:Jos\u00e9@acme.example ',
      // An invisible character between a letter and its accent.
      'jose\u200b\u0301@acme.example',
    ]) {
      expect(normaliseEmail(email), JSON.stringify(email)).toBe('jos\u00e9@acme.example');
    }
  });

  it('composes accents after lower-casing, so a capital with its accent meets the small letter', () => {
    // J + combining caron lower-cases to j + caron, which composes to ǰ (U+01F0).
    expect(normaliseEmail('J\u030Can@acme.example')).toBe(normaliseEmail('\u01F0an@acme.example'));
    expect(normaliseEmail('J\u030Can@acme.example')).toBe('\u01F0an@acme.example');
  });

  it('keeps what tells two addresses apart', () => {
    expect(normaliseEmail('jose+ads@acme.example')).toBe('jose+ads@acme.example');
    expect(normaliseEmail('jose@acme.example')).not.toBe(normaliseEmail('josé@acme.example'));
    expect(normaliseEmail('ana.mailto:x@acme.example')).toBe('ana.mailto:x@acme.example');
  });
});
