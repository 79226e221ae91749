import { describe, expect, it } from 'vitest';
import { looksLikeEmail } from './emails.js';

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
