// What services learn about the caller: identity headers set from the verified identity only.
import type { ClientRequest, IncomingMessage } from 'node:http';
import { parse as parseCookie, serialize } from 'cookie';
import type { Identity } from './identity.js';

/**
 * Removes every header in the identity namespace from the client's request, as soon as a route
 * matched and whatever the route's auth, so no plugin, service or legacy handler can take a forged
 * X-User-Id for a verified one. Returns what was removed (or undefined): a route may still use such
 * a header as a sticky key or cohort, which are the client's choice by nature.
 */
export function stripIdentityHeaders(req: IncomingMessage, prefix: string): Record<string, string | string[]> | undefined {
  let removed: Record<string, string | string[]> | undefined;
  for (const name of Object.keys(req.headers)) {
    if (!name.startsWith(prefix)) continue;
    (removed ??= {})[name] = req.headers[name] as string | string[];
    delete req.headers[name];
  }
  return removed;
}

/** Sets X-User-Id, -Source, -Roles, -Scopes (with the configured prefix) for the service. */
export function setIdentityHeaders(proxyReq: ClientRequest, identity: Identity, prefix: string): void {
  proxyReq.setHeader(`${prefix}id`, identity.id);
  proxyReq.setHeader(`${prefix}source`, identity.source);
  if (identity.roles.length > 0) proxyReq.setHeader(`${prefix}roles`, identity.roles.join(','));
  if (identity.scopes.length > 0) proxyReq.setHeader(`${prefix}scopes`, identity.scopes.join(' '));
}

/** Drops the monolith's session cookie from what the service receives. */
export function dropCookie(proxyReq: ClientRequest, name: string): void {
  const header = proxyReq.getHeader('cookie');
  if (typeof header !== 'string' || !header.includes(name)) return;
  const cookies = parseCookie(header);
  if (!(name in cookies)) return;
  const kept = Object.entries(cookies)
    .filter(([cookieName, value]) => cookieName !== name && value !== undefined)
    .map(([cookieName, value]) => serialize(cookieName, value as string, { encode: (v) => v }));
  if (kept.length === 0) proxyReq.removeHeader('cookie');
  else proxyReq.setHeader('cookie', kept.join('; '));
}
