// Whose budget a request spends: the first present of a limit's keys, prefixed with its kind.
import { ipKeyGenerator } from 'express-rate-limit';
import type { FigwayContext } from '../types.js';
import { FigwayError } from '../errors.js';
import { DEFAULT_LIMIT_KEYS } from './limits-schema.js';

/** IPv6 callers are counted by /64: one host usually holds a whole /64 and could rotate through it. */
const IPV6_SUBNET = 64;

type KeyReader = (ctx: FigwayContext) => string | undefined;

/**
 * Compiles a key list (`user`, `apikey`, `ip`, `header:<name>`) into a function that gives a
 * request's budget key. The kind is part of the key (`user:alice`, `apikey:k1`,
 * `ip:2001:db8:1:2::/64`, `header:x-tenant:acme`), so a user named like an address never shares
 * that address's budget. A request that has none of the keys is counted by its address: leaving
 * out a header or a login must not be a way around a limit.
 *
 * @example
 * ```ts
 * const keyOf = compileLimitKey(['header:x-tenant', 'ip']);
 * keyOf(ctx); // 'header:x-tenant:acme', or 'ip:203.0.113.7' when the header is missing
 * ```
 */
export function compileLimitKey(kinds: readonly string[] = DEFAULT_LIMIT_KEYS): (ctx: FigwayContext) => string {
  const readers = kinds.map(readerOf);
  return (ctx) => {
    for (const read of readers) {
      const key = read(ctx);
      if (key !== undefined) return key;
    }
    return readIp(ctx) ?? 'ip:unknown';
  };
}

function readerOf(kind: string): KeyReader {
  if (kind === 'user') return readUser;
  if (kind === 'apikey') return readApiKey;
  if (kind === 'ip') return readIp;
  if (kind.startsWith('header:')) {
    const name = kind.slice('header:'.length).toLowerCase();
    const prefix = `header:${name}:`;
    return (ctx) => present(ctx.view.header(name), prefix);
  }
  // The config schema admits only the kinds above.
  throw new FigwayError('FIGWAY_INTERNAL', `unknown rate-limit key "${kind}"`);
}

/** The user: the identity figway established, else the monolith's req.user. An API key is not a user. */
function readUser(ctx: FigwayContext): string | undefined {
  const { identity } = ctx;
  if (identity) return identity.source === 'apiKey' ? undefined : present(identity.id, 'user:');
  return present(ctx.view.userId, 'user:');
}

function readApiKey(ctx: FigwayContext): string | undefined {
  return ctx.identity?.source === 'apiKey' ? present(ctx.identity.id, 'apikey:') : undefined;
}

/** The address as Express's trust proxy resolves it, so a forged X-Forwarded-For counts only behind a trusted proxy. */
function readIp(ctx: FigwayContext): string | undefined {
  const ip = ctx.view.ip;
  return ip ? `ip:${ipKeyGenerator(ip, IPV6_SUBNET)}` : undefined;
}

function present(value: string | undefined, prefix: string): string | undefined {
  return value === undefined || value === '' ? undefined : prefix + value;
}
