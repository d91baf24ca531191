// parseCidr: the address ranges cohorts are written with, IPv4 and IPv6, and every way one can be wrong.
import { describe, expect, it } from 'vitest';
import { parseCidr } from '../../src/config-kit/cidr.js';

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', { address: '10.0.0.0', prefix: 8, family: 'ipv4' }],
    ['192.168.1.0/24', { address: '192.168.1.0', prefix: 24, family: 'ipv4' }],
    ['0.0.0.0/0', { address: '0.0.0.0', prefix: 0, family: 'ipv4' }],
    ['10.1.2.3', { address: '10.1.2.3', prefix: 32, family: 'ipv4' }],
    ['2001:db8::/32', { address: '2001:db8::', prefix: 32, family: 'ipv6' }],
    ['::/0', { address: '::', prefix: 0, family: 'ipv6' }],
    ['::1', { address: '::1', prefix: 128, family: 'ipv6' }],
    ['fe80::1/128', { address: 'fe80::1', prefix: 128, family: 'ipv6' }],
  ])('parses %s', (text, parsed) => {
    expect(parseCidr(text)).toEqual(parsed);
  });

  it.each([
    ['10.0.0.0/33', '"10.0.0.0/33" has a prefix length outside 0..32'],
    ['10.0.0.0/-1', '"10.0.0.0/-1" has a prefix length outside 0..32'],
    ['10.0.0.0/8.5', '"10.0.0.0/8.5" has a prefix length outside 0..32'],
    ['10.0.0.0/', '"10.0.0.0/" has a prefix length outside 0..32'],
    ['10.0.0.0/ 8', '"10.0.0.0/ 8" has a prefix length outside 0..32'],
    ['10.0.0.0/0x8', '"10.0.0.0/0x8" has a prefix length outside 0..32'],
    ['10.0.0.0/abc', '"10.0.0.0/abc" has a prefix length outside 0..32'],
    ['2001:db8::/129', '"2001:db8::/129" has a prefix length outside 0..128'],
  ])('refuses the prefix of %s', (text, message) => {
    expect(parseCidr(text)).toBe(message);
  });

  it.each(['nope', '', '/8', '256.0.0.0/8', '10.0.0/8', '10.0.0.0/8/9', 'example.com/24', '2001:db8:::/32'])('refuses %j', (text) => {
    expect(parseCidr(text)).toBe(`"${text}" is not an address range such as 10.0.0.0/8`);
  });
});
