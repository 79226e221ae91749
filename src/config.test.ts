import { describe, expect, it } from 'vitest';
import {
  parseAttributeConfig,
  parseDemoConfig,
  parseServeConfig,
  parseStoreConfig,
} from './config.js';

describe('numeric flags', () => {
  it('read decimal notation only, naming the flag for anything else', () => {
    for (const port of ['1e3', '0x1F90', '0b11', '80.5', '']) {
      expect(() => parseServeConfig({ port }, {})).toThrow(
        expect.objectContaining({
          code: 'CL_ERR_USAGE',
          message: expect.stringMatching(/^--port: /),
        }),
      );
    }
    expect(() => parseServeConfig({}, { PORT: '1e3' })).toThrow(/^PORT: /);
    expect(parseServeConfig({ port: ' 8080 ' }, {}).port).toBe(8080);
    for (const visitors of ['1e3', '0b111110100', '0x10']) {
      expect(() => parseDemoConfig({ visitors })).toThrow(/^--visitors: expected a whole number/);
    }
    expect(parseDemoConfig({ visitors: '1000', months: '2' })).toMatchObject({
      visitors: 1000,
      months: 2,
    });
    expect(parseAttributeConfig({ paths: 'p.csv', halfLife: '.5' }).halfLifeDays).toBe(0.5);
    expect(() => parseAttributeConfig({ paths: 'p.csv', halfLife: '1e1' })).toThrow(
      /^--half-life: expected a number > 0, got "1e1"/,
    );
    for (const weight of ['0x1', '1e1', '0b1', '-0.5', '']) {
      expect(() =>
        parseAttributeConfig({ paths: 'p.csv', positionWeights: `first=${weight},last=0.4` }),
      ).toThrow(`--position-weights: weight of first must be a number ≥ 0, got "${weight}"`);
    }
    expect(
      parseAttributeConfig({ paths: 'p.csv', positionWeights: 'first=.4,last=0.40' }),
    ).toMatchObject({ positionFirst: 0.4, positionLast: 0.4 });
  });
});

describe('--db', () => {
  it('refuses ":memory:" for a command, whose store would vanish as it ends', () => {
    expect(() => parseStoreConfig({ db: ':memory:' }, {})).toThrow(
      expect.objectContaining({
        code: 'CL_ERR_USAGE',
        message: '--db: expected a file path; ":memory:" keeps nothing after the command ends',
      }),
    );
    expect(() => parseStoreConfig({}, { CLOSEDLOOP_DB: ':memory:' })).toThrow(
      'CLOSEDLOOP_DB: expected a file path; ":memory:" keeps nothing after the command ends',
    );
    expect(() => parseAttributeConfig({ db: ':memory:' })).toThrow(/^--db: expected a file path/);
    expect(parseStoreConfig({ db: 'data/:memory:' }, {}).dbPath).toBe('data/:memory:');
    // A server keeps it while it runs: serve.ts runs on it without its file-only threads.
    expect(parseServeConfig({ db: ':memory:' }, {}).dbPath).toBe(':memory:');
  });
});

describe('--trust-proxy', () => {
  it('believes no proxy by default, and reads addresses, CIDR ranges and proxy-addr names', () => {
    expect(parseServeConfig({}, {}).trustProxy).toBeUndefined();
    expect(
      parseServeConfig({ trustProxy: '10.0.0.0/8, 192.0.2.7,::1,loopback' }, {}).trustProxy,
    ).toEqual(['10.0.0.0/8', '192.0.2.7', '::1', 'loopback']);
  });

  it('refuses anything else, naming the flag and the entry', () => {
    for (const entry of ['2', 'true', '10.0.0.0/33', '10.0.0/8', '::1/129', '10.0.0.0/8/1', '']) {
      expect(() => parseServeConfig({ trustProxy: `127.0.0.1,${entry}` }, {})).toThrow(
        `--trust-proxy: expected addresses or CIDR ranges separated by commas (or loopback, linklocal, uniquelocal), got "${entry}"`,
      );
    }
  });
});
