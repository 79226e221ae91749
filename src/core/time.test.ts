import { describe, expect, it } from 'vitest';
import { parseInstant, parseIsoInstant } from './time.js';

describe('parseIsoInstant', () => {
  it('keeps the milliseconds of a longer fraction, so the last instant of a day stays in it', () => {
    expect(parseIsoInstant('2024-02-29T23:59:59.999700+00:00')).toBe(
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
    );
    expect(parseIsoInstant('2024-12-31T23:59:59.9996Z')).toBe(
      Date.UTC(2024, 11, 31, 23, 59, 59, 999),
    );
    expect(parseIsoInstant('2024-03-01T10:00:00.5+01:00')).toBe(Date.UTC(2024, 2, 1, 9, 0, 0, 500));
  });

  it('reads dates, date-times, zones and offsets as UTC instants', () => {
    expect(parseIsoInstant('2026-03-01')).toBe(Date.UTC(2026, 2, 1));
    expect(parseIsoInstant('2026-03-01T10:20:30Z')).toBe(Date.UTC(2026, 2, 1, 10, 20, 30));
    expect(parseIsoInstant('2026-03-01 10:20')).toBe(Date.UTC(2026, 2, 1, 10, 20));
    expect(parseIsoInstant('2026-03-01T10:20:30.250+02:00')).toBe(
      Date.UTC(2026, 2, 1, 8, 20, 30, 250),
    );
    expect(parseIsoInstant('2026-03-01T00:30:00-0530')).toBe(Date.UTC(2026, 2, 1, 6, 0));
    expect(parseIsoInstant('2026-03-01T14:00:00+14:00')).toBe(Date.UTC(2026, 2, 1, 0, 0));
    expect(new Date(parseIsoInstant('0027-03-01T10:00:00Z')).toISOString()).toBe(
      '0027-03-01T10:00:00.000Z',
    );
    expect(new Date(parseIsoInstant('0004-02-29')).toISOString()).toBe('0004-02-29T00:00:00.000Z');
  });
  it('refuses what is no instant', () => {
    for (const text of [
      '',
      'yesterday',
      '2026-02-30',
      '2026-13-01',
      '2026-03-01T25:00',
      '03/01/2026',
      '2026-03-01T10:00:00+99:99',
      '2026-03-01T10:00:00+15:00',
      '2026-03-01T10:00:00-05:60',
    ]) {
      expect(parseIsoInstant(text), text).toBeNaN();
    }
  });
});

describe('parseInstant', () => {
  it('tells epoch seconds from milliseconds by size', () => {
    expect(parseInstant('1767225600')).toBe(Date.UTC(2026, 0, 1));
    expect(parseInstant('1767225600000')).toBe(Date.UTC(2026, 0, 1));
    expect(parseInstant('1767225600.5')).toBe(Date.UTC(2026, 0, 1) + 500);
  });
});
