import { describe, expect, it } from 'vitest';
import { hostOf, hostSlice, normalizeHost } from './hosts.js';

describe('hostSlice', () => {
  it('cuts the authority out of a URL or a bare host', () => {
    expect(hostSlice('https://www.Google.com/search?q=1')).toBe('www.Google.com');
    expect(hostSlice('http://user:pw@example.org:8080/x')).toBe('user:pw@example.org:8080');
    expect(hostSlice('android-app://com.google.android.gm/')).toBe('com.google.android.gm');
    expect(hostSlice('//cdn.example.org/a.js')).toBe('cdn.example.org');
    expect(hostSlice('example.org/a//b')).toBe('example.org');
    expect(hostSlice('example.org?q=https://x.y')).toBe('example.org');
    expect(hostSlice('example.org')).toBe('example.org');
    expect(hostSlice('')).toBe('');
  });

  it('skips whitespace before the URL, no-break spaces included', () => {
    expect(hostSlice('\thttps://www.google.com/')).toBe('www.google.com');
    expect(hostSlice('\r\n https://www.google.com/')).toBe('www.google.com');
    expect(hostSlice('\u00a0https://www.google.com/x')).toBe('www.google.com');
    expect(hostSlice('\ufeff\u2003example.org/a')).toBe('example.org');
  });
});

describe('normalizeHost and hostOf', () => {
  it('lowercase and strip user info, port and a trailing dot', () => {
    expect(hostOf('HTTPS://User@WWW.Example.COM.:443/')).toBe('www.example.com');
    expect(hostOf('  https://t.co/abc  ')).toBe('t.co');
    expect(normalizeHost(' Example.org ')).toBe('example.org');
  });

  it('give nothing for what is not a host with a dot', () => {
    for (const text of [
      '',
      'not a url',
      'http://localhost:3000/',
      '::::',
      '%%%',
      'https://',
      'a..b',
      '.com',
      'http://[::1]/',
    ]) {
      expect(hostOf(text), text).toBe('');
    }
  });

  it('keep IP addresses, and international names in their ASCII (punycode) form', () => {
    expect(hostOf('http://10.0.0.1/x')).toBe('10.0.0.1');
    expect(hostOf('https://яндекс.рф/')).toBe('xn--d1acpjx3f.xn--p1ai');
    expect(normalizeHost('WWW.BÜCHER.DE')).toBe('www.xn--bcher-kva.de');
    expect(normalizeHost('www.xn--bcher-kva.de')).toBe('www.xn--bcher-kva.de');
  });

  it('keep IPv6 literals in brackets, in their canonical form, without the port', () => {
    expect(hostOf('http://[2001:db8::1]/')).toBe('[2001:db8::1]');
    expect(hostOf('http://user@[2001:DB8:0:0::1]:8080/x')).toBe('[2001:db8::1]');
    expect(hostOf('http://[2001:db8::zz]/')).toBe('');
  });
});
