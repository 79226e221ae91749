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

  it('keeps an IPv4 address embedded in IPv6 to no more than its /24', () => {
    // 6to4 (2002::/16): 203.0.113.79 is cb00:714f, in the second and third groups.
    expect(truncateIp('2002:cb00:714f::1')).toBe('2002:cb00:7100::');
    expect(truncateIp('2002:c633:6417::5')).toBe('2002:c633:6400::');
    expect(truncateIp('[2002:CB00:714F:12:34:56:78:9a]:443')).toBe('2002:cb00:7100::');
    // Teredo (2001::/32, the client's address obfuscated in the last 32 bits, after the Teredo
    // server's) and NAT64 (64:ff9b::/96): the /48 keeps nothing of the client's address.
    expect(truncateIp('2001:0:4136:e378:8000:63bf:34ff:8eb0')).toBe('2001:0:4136::');
    expect(truncateIp('64:ff9b::203.0.113.79')).toBe('64:ff9b::');
  });

  it('drops what is no address', () => {
    for (const ip of ['', 'localhost', '1.2.3', '300.1.1.1', '[1.2.3.4]', '1.2.3.4:port', '::g']) {
      expect(truncateIp(ip), ip).toBeUndefined();
    }
    expect(truncateIp(undefined)).toBeUndefined();
  });
});
