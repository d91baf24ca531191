// Budget keys: the first present of the configured kinds, prefixed with the kind, IPv6 by /64.
import { describe, expect, it } from 'vitest';
import { compileLimitKey } from '../../src/limits/limit-key.js';
import type { FigwayContext, Identity } from '../../src/types.js';
import { view, type ViewParts } from '../helpers/request-view.js';

const identity = (id: string, source: string): Identity => ({ id, source, roles: [], scopes: [], claims: {} });
const ctx = (parts: ViewParts & { identity?: Identity } = {}) => ({ identity: parts.identity, view: view(parts) }) as unknown as FigwayContext;

describe('rate-limit keys', () => {
  const keyOf = compileLimitKey();

  it('counts a user by the identity figway established, else by req.user', () => {
    expect(keyOf(ctx({ identity: identity('alice', 'session'), ip: '10.0.0.1' }))).toBe('user:alice');
    expect(keyOf(ctx({ userId: 'bob', ip: '10.0.0.1' }))).toBe('user:bob');
  });

  it('counts an API key as an API key, never as a user of the same name', () => {
    expect(keyOf(ctx({ identity: identity('alice', 'apiKey'), ip: '10.0.0.1' }))).toBe('apikey:alice');
    expect(compileLimitKey(['user'])(ctx({ identity: identity('k1', 'apiKey'), ip: '10.0.0.1' }))).toBe('ip:10.0.0.1');
  });

  it('counts IPv6 callers by /64 and IPv4-mapped addresses as IPv4', () => {
    expect(keyOf(ctx({ ip: '2001:db8:1:2::1' }))).toBe('ip:2001:db8:1:2::/64');
    expect(keyOf(ctx({ ip: '2001:db8:1:2:ffff:ffff:ffff:ffff' }))).toBe('ip:2001:db8:1:2::/64');
    expect(keyOf(ctx({ ip: '2001:db8:1:3::1' }))).toBe('ip:2001:db8:1:3::/64');
    expect(keyOf(ctx({ ip: '::ffff:192.0.2.7' }))).toBe('ip:192.0.2.7');
  });

  it('reads a header by its name, whatever its case in the config', () => {
    const byTenant = compileLimitKey(['header:X-Tenant', 'ip']);
    expect(byTenant(ctx({ headers: { 'x-tenant': 'acme' }, ip: '10.0.0.1' }))).toBe('header:x-tenant:acme');
    expect(byTenant(ctx({ headers: { 'x-tenant': '' }, ip: '10.0.0.1' }))).toBe('ip:10.0.0.1');
  });

  it('falls back to the address when none of the keys is present, so leaving one out is no way around a limit', () => {
    expect(compileLimitKey(['header:x-tenant'])(ctx({ ip: '10.0.0.9' }))).toBe('ip:10.0.0.9');
    expect(compileLimitKey(['user'])(ctx({}))).toBe('ip:unknown');
  });
});
