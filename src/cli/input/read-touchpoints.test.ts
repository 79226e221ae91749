import { describe, expect, it } from 'vitest';
import { tempFiles } from '../../test-support/temp-files.js';
import { readTouchpointsFile } from './read-touchpoints.js';

const file = tempFiles();

function pathsOf(input: ReturnType<typeof readTouchpointsFile>) {
  const { batch } = input;
  const names = batch.dictionaries.channels.names;
  return Array.from({ length: batch.journeyCount }, (_, j) => ({
    channels: Array.from(
      batch.touchChannel.subarray(batch.touchOffsets[j], batch.touchOffsets[j + 1]),
    ).map((id) => names[id]),
    conversions: batch.conversions[j],
    value: batch.value[j],
    nulls: batch.nulls[j],
    lead: batch.leadTouch[j],
  }));
}

describe('readTouchpointsFile', () => {
  it('orders touches by time, closes a path at each conversion, keeps the tail as a null path', () => {
    const path = file(
      'touches.csv',
      [
        'journey_id,timestamp,channel,conversion,conversion_value,milestone',
        'u1,2026-01-03T00:00:00Z,Email,1,50,lead',
        'u2,1767225600,Display,0,,',
        'u1,2026-01-01,Paid Search,0,,',
        'u1,2026-01-05T00:00:00+01:00,Referral,0,,',
        'u1,1767830400000,Direct,true,20,',
        'u1,2026-01-09,Email,0,,',
      ].join('\n'),
    );
    const input = readTouchpointsFile(path);
    expect(pathsOf(input)).toEqual([
      { channels: ['Paid Search', 'Email'], conversions: 1, value: 50, nulls: 0, lead: 1 },
      { channels: ['Referral', 'Direct'], conversions: 1, value: 20, nulls: 0, lead: -1 },
      { channels: ['Email'], conversions: 0, value: 0, nulls: 1, lead: -1 },
      { channels: ['Display'], conversions: 0, value: 0, nulls: 1, lead: -1 },
    ]);
    expect(input.batch.conversionTime?.[0]).toBe(Date.UTC(2026, 0, 3));
    expect(input.rows).toBe(6);
  });

  it('reads renamed columns through the map', () => {
    const path = file(
      'renamed.csv',
      'cookie;time;source_channel;converted\nx;2026-01-01;Email;1\n',
    );
    const input = readTouchpointsFile(path, {
      journey_id: 'cookie',
      timestamp: 'time',
      channel: 'source_channel',
      conversion: 'converted',
    });
    expect(pathsOf(input)).toEqual([
      { channels: ['Email'], conversions: 1, value: 0, nulls: 0, lead: -1 },
    ]);
  });

  it('names file, line and field for bad input', () => {
    const header = 'journey_id,timestamp,channel,conversion\n';
    const cases: [string, RegExp][] = [
      [
        'u,someday,Email,0',
        /:2: timestamp: expected ISO 8601 or epoch seconds\/milliseconds, got "someday"/,
      ],
      ['u,2026-01-01,,0', /:2: channel: expected a channel name, got an empty field/],
      [',2026-01-01,Email,0', /:2: journey_id: expected an id/],
      ['u,2026-01-01,Email,maybe', /:2: conversion: expected a number ≥ 0, got "maybe"/],
    ];
    cases.forEach(([row, message], i) => {
      expect(() => readTouchpointsFile(file(`bad-${i}.csv`, header + row))).toThrowError(message);
    });
    // A value on a touch that converts nothing would be credited to nobody.
    expect(() =>
      readTouchpointsFile(
        file('value.csv', `${header.trim()},conversion_value\nu,2026-01-01,Email,0,500\n`),
      ),
    ).toThrowError(
      /value\.csv:2: conversion_value: "500" on a touch with no conversion; put the value on the converting touch$/,
    );
    expect(() =>
      readTouchpointsFile(
        file('negative.csv', `${header.trim()},conversion_value\nu,2026-01-01,Email,1,-10\n`),
      ),
    ).toThrowError(/negative\.csv:2: conversion_value: expected a number ≥ 0, got "-10"$/);
    expect(
      readTouchpointsFile(
        file('novalue.csv', `${header.trim()},conversion_value\nu,2026-01-01,Email,0,0\n`),
      ).rows,
    ).toBe(1);
    expect(() =>
      readTouchpointsFile(file('nocol.csv', 'cookie,timestamp,channel,conversion\n')),
    ).toThrowError(/:1: missing column "journey_id"/);
    expect(() =>
      readTouchpointsFile(file('nomap.csv', 'a,timestamp,channel,conversion\n'), {
        journey_id: 'cookie',
      }),
    ).toThrowError(/missing column "cookie" \(for journey_id\)/);
    // An optional column named in --map must be there too: a typo would credit nothing.
    expect(() =>
      readTouchpointsFile(
        file('t7.csv', 'cookie,time,channel,conversion,revenue\nj1,2027-01-01,Email,1,500\n'),
        { journey_id: 'cookie', timestamp: 'time', conversion_value: 'revnue' },
      ),
    ).toThrowError(
      expect.objectContaining({
        code: 'CL_ERR_CSV_HEADER',
        message: expect.stringMatching(
          /t7\.csv:1: missing column "revnue" \(for conversion_value\); /,
        ),
      }),
    );
    // Two "channel" columns: which one is the touch's? The file is refused, not guessed at.
    expect(() =>
      readTouchpointsFile(
        file('dupcol.csv', 'journey_id,timestamp,channel,conversion,Channel\nu,2026-01-01,a,0,b\n'),
      ),
    ).toThrowError(/dupcol\.csv:1: column "channel" appears twice$/);
    expect(
      readTouchpointsFile(
        file(
          'dupnotes.csv',
          'journey_id,timestamp,channel,conversion,notes,notes\nu,2026-01-01,a,0,,\n',
        ),
      ).rows,
    ).toBe(1);
    expect(() =>
      readTouchpointsFile(
        file(
          'badmilestone.csv',
          'journey_id,timestamp,channel,conversion,milestone\nu,2026-01-01,Email,1,signup\n',
        ),
      ),
    ).toThrowError(/:2: milestone: expected lead, deal, won or empty, got "signup"/);
    const latin1 = Buffer.concat([
      Buffer.from(`${header}u,2026-01-01,Email,0\nu,2026-01-02,R`),
      Buffer.from([0xe9]),
      Buffer.from('f\u00e9rence,1\n'),
    ]);
    expect(() => readTouchpointsFile(file('latin1.csv', latin1))).toThrowError(
      /latin1\.csv:3: not UTF-8 text; save the file as UTF-8/,
    );
  });
});
