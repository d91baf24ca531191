// What services learn about the caller: identity headers set from the verified identity only.
import type { IncomingMessage } from 'node:http';
import { parse as parseCookie, serialize } from 'cookie';
import type { ProxyRequest } from '../types.js';
import type { Identity } from '../types.js';
import type { AuthConfig } from './auth-schema.js';
import { fillToken } from './identity-token.js';
import { sessionHeader } from '../session/shared-session.js';
import type { SessionConfig } from '../session/session-schema.js';

/**
 * The request headers figway's signed tokens travel in, when `auth.token` is configured: the
 * identity token's, and the session token's (session/): a client must not send either.
 */
export function signedTokenHeaders(auth: AuthConfig | undefined, session: SessionConfig | undefined): readonly string[] {
  const token = auth?.token;
  // Compared with the client's names spelled with dashes: `_` and `-` are one to CGI-style servers.
  return token ? [fillToken(token).header, sessionHeader(session)].map((name) => dashed(name.toLowerCase())) : [];
}

/**
 * Removes every header in the identity namespace (names under `prefix`, and the headers of
 * figway's signed tokens) from the client's request, as soon as a route matched and whatever the
 * route's auth and plugins, so no plugin, service or legacy handler can take a forged X-User-Id
 * or token for a verified one — from `req.headers` and `req.rawHeaders` alike. `_` counts as `-`: CGI-style
 * servers (PHP, Rack, WSGI) read X_User_Id and X-User-Id as the same variable. Returns what was
 * removed (or undefined): a route may still use such a header as a sticky key or cohort, which
 * are the client's choice by nature.
 */
export function stripIdentityHeaders(req: IncomingMessage, prefix: string, tokenHeaders: readonly string[]): Record<string, string | string[]> | undefined {
  let removed: Record<string, string | string[]> | undefined;
  const namespace = dashed(prefix);
  for (const name of Object.keys(req.headers)) {
    const spelled = dashed(name);
    if (!spelled.startsWith(namespace) && !tokenHeaders.includes(spelled)) continue;
    (removed ??= {})[name] = req.headers[name] as string | string[];
    delete req.headers[name];
  }
  // Legacy code and proxies may read the raw lines too (Express's own req.get does not).
  if (removed) req.rawHeaders = withoutRemoved(req.rawHeaders, removed);
  return removed;
}

function withoutRemoved(raw: string[], removed: Record<string, unknown>): string[] {
  const kept: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!Object.hasOwn(removed, (raw[i] as string).toLowerCase())) kept.push(raw[i] as string, raw[i + 1] as string);
  }
  return kept;
}

function dashed(name: string): string {
  return name.includes('_') ? name.replaceAll('_', '-') : name;
}

/** Sets X-User-Id, -Source, -Roles, -Scopes (with the configured prefix) for the service. */
export function setIdentityHeaders(proxyReq: ProxyRequest, identity: Identity, prefix: string): void {
  proxyReq.setHeader(`${prefix}id`, identity.id);
  proxyReq.setHeader(`${prefix}source`, identity.source);
  if (identity.roles.length > 0) proxyReq.setHeader(`${prefix}roles`, identity.roles.join(','));
  if (identity.scopes.length > 0) proxyReq.setHeader(`${prefix}scopes`, identity.scopes.join(' '));
}

/** Drops the monolith's session cookie from what the service receives. */
export function dropCookie(proxyReq: ProxyRequest, name: string): void {
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
