// An address range as the config writes it (cohorts' cidr): parsed where the config is checked and where cohorts compile.
import { isIP } from 'node:net';

/** Parses `10.0.0.0/8` or `2001:db8::/32`; a bare address is a /32 or /128. Returns a message when invalid. */
export function parseCidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | string {
  const [address = '', prefixText, extra] = text.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return `"${text}" is not an address range such as 10.0.0.0/8`;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (prefixText !== undefined && !/^\d+$/.test(prefixText))) {
    return `"${text}" has a prefix length outside 0..${max}`;
  }
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}
