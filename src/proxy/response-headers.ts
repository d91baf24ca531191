// Headers of the service's response: hop-by-hop removed, Location and Set-Cookie pointed at the public host.
import type { IncomingMessage } from 'node:http';
import { HOP_BY_HOP } from './request-headers.js';
import { toPublicPath, type Rewrite } from './upstream-path.js';

/** What the rewrite needs to know about where the response came from and where it goes. */
export interface ResponseMapping {
  readonly upstreamUrl: URL;
  readonly rewrite: Rewrite;
  /** e.g. https://shop.example.com */
  readonly publicOrigin: string;
  readonly rewriteLocation: boolean;
  readonly rewriteCookies: boolean;
}

/** Rewrites the service's response headers in place, before they are copied to the client. */
export function prepareResponseHeaders(proxyRes: IncomingMessage, mapping: ResponseMapping): void {
  const headers = proxyRes.headers;
  const connection = headers.connection;
  if (connection) for (const token of connection.split(',')) delete headers[token.trim().toLowerCase()];
  for (const name of HOP_BY_HOP) delete headers[name];
  if (mapping.rewriteLocation && headers.location) headers.location = mapLocation(headers.location, mapping);
  if (mapping.rewriteCookies && headers['set-cookie']) headers['set-cookie'] = headers['set-cookie'].map((c) => mapCookie(c, mapping));
}

/**
 * A Location pointing at the service (absolute, or a path) is mapped to the public origin and
 * path; one pointing elsewhere, or a relative reference, is left alone.
 */
export function mapLocation(location: string, mapping: ResponseMapping): string {
  const isAbsolute = /^[a-z][a-z0-9+.-]*:/i.test(location) || location.startsWith('//');
  if (!isAbsolute && !location.startsWith('/')) return location;
  let target: URL;
  try {
    target = new URL(location, mapping.upstreamUrl);
  } catch {
    return location;
  }
  if (isAbsolute && target.host !== mapping.upstreamUrl.host) return location;
  const path = toPublicPath(mapping.rewrite, mapping.upstreamUrl.pathname, target.pathname);
  if (path === undefined) return location;
  const tail = `${path}${target.search}${target.hash}`;
  return isAbsolute ? `${mapping.publicOrigin}${tail}` : tail;
}

/**
 * A cookie scoped to the service's host loses its Domain (so it belongs to the public host); a
 * Path inside the service is mapped to the public path. Path=/ stays /.
 */
export function mapCookie(cookie: string, mapping: ResponseMapping): string {
  const upstreamHost = mapping.upstreamUrl.hostname.toLowerCase();
  const parts = cookie.split(';');
  const kept: string[] = [parts[0] as string];
  for (const part of parts.slice(1)) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    const value = eq === -1 ? '' : part.slice(eq + 1).trim();
    if (name === 'domain' && value.replace(/^\./, '').toLowerCase() === upstreamHost) continue;
    if (name === 'path' && value !== '/' && value.startsWith('/')) {
      const path = toPublicPath(mapping.rewrite, mapping.upstreamUrl.pathname, value);
      kept.push(path === undefined ? part : ` Path=${path}`);
      continue;
    }
    kept.push(part);
  }
  return kept.join(';');
}
