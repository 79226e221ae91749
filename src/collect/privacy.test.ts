import { describe, expect, it } from 'vitest';
import { truncateIp } from './privacy.js';

describe('truncateIp', () => {
  it('keeps an IPv4 address to its /24, however it is written', () => {
    for (const ip of [
      '203.0.113.79',
      ' 203.0.113.79 ',
      '203.0.113.79:8080',
      '::ffff:203.0.113.79',
      '::FFFF:203.0.113.79',
      '0:0:0:0:0:ffff:203.0.113.79',
      '::ffff:cb00:714f',
      '[::ffff:203.0.113.79]:443',
    ]) {
      expect(truncateIp(ip), ip).toBe('203.0.113.0');
    }
  });

  it('keeps an IPv6 address to its /48, in its canonical form', () => {
    expect(truncateIp('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::');
    expect(truncateIp('2001:0DB8:0000:0000::1')).toBe('2001:db8::');
    expect(truncateIp('fe80::1%eth0')).toBe('fe80::');
    expect(truncateIp('[2001:db8:1:2:3:4:5:6]:443')).toBe('2001:db8:1::');
    expect(truncateIp('0:0:5:6::1')).toBe('0:0:5::');
    expect(truncateIp('::1')).toBe('::');
  });

  it('drops what is no address', () => {
    for (const ip of ['', 'localhost', '1.2.3', '300.1.1.1', '[1.2.3.4]', '1.2.3.4:port', '::g']) {
      expect(truncateIp(ip), ip).toBeUndefined();
    }
    expect(truncateIp(undefined)).toBeUndefined();
  });
});
