// Headers of the service's response: hop-by-hop removed, Location and Set-Cookie pointed at the public path.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { HOP_BY_HOP } from './request-headers.js';
import { toPublicPath, type Rewrite } from '../routing/upstream-path.js';
import type { Upstream } from './upstream-pool.js';

const HOP = new Set(HOP_BY_HOP);

// Fields that hold one value: sent twice, the first counts, as Node's client keeps it (joined, a
// repeated Location would be a URL nobody meant).
const SINGLE_VALUED = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

/** What the rewrite needs to know about where a response came from. */
export interface ResponseMapping {
  readonly upstream: Pick<Upstream, 'url' | 'config'>;
  readonly rewrite: Rewrite;
}

/**
 * Rewrites the service's response headers in place, before they are copied to the client. The
 * response's Connection is figway's own choice, from the client's request only (the proxy library
 * would otherwise echo the client's Connection tokens back). An HTTP/1.0 client gets no chunked
 * framing: its body ends with the connection.
 */
export function prepareResponseHeaders(headers: IncomingHttpHeaders, req: IncomingMessage, mapping: ResponseMapping): void {
  const connection = headers.connection;
  if (connection) for (const token of connection.split(',')) delete headers[token.trim().toLowerCase()];
  for (const name of HOP_BY_HOP) delete headers[name];
  const http10 = req.httpVersion === '1.0';
  if (http10) delete headers['transfer-encoding'];
  headers.connection = connectionFor(req);
  const { config } = mapping.upstream;
  if (headers.location && config.rewriteLocation !== false) headers.location = mapLocation(headers.location, mapping);
  if (headers['set-cookie'] && config.rewriteCookies !== false) headers['set-cookie'] = headers['set-cookie'].map((c) => mapCookie(c, mapping));
}

/**
 * The same rules, from the raw head undici gives ([name, value, ...] as bytes) straight to the
 * [name, value, ...] list res.writeHead takes, with no object in between. A repeated field is
 * merged into one entry as Node's client merges it (Set-Cookie as a list, a single-valued field's
 * first value, others joined with ", "), because a response that already has a header set keeps
 * only one value per name.
 */
export function responseFields(raw: readonly Buffer[], req: IncomingMessage, mapping: ResponseMapping): (string | string[])[] {
  const fields: (string | string[])[] = [];
  const { config } = mapping.upstream;
  const http10 = req.httpVersion === '1.0';
  let listed: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString('latin1').toLowerCase();
    let value = (raw[i + 1] as Buffer).toString('latin1');
    if (HOP.has(name)) {
      if (name === 'connection') listed = listed === undefined ? value : `${listed}, ${value}`;
      continue;
    }
    if (http10 && name === 'transfer-encoding') continue;
    if (name === 'location' && config.rewriteLocation !== false) value = mapLocation(value, mapping);
    else if (name === 'set-cookie' && config.rewriteCookies !== false) value = mapCookie(value, mapping);
    let at = -1;
    for (let j = 0; j < fields.length; j += 2) {
      if (fields[j] === name) {
        at = j;
        break;
      }
    }
    if (at === -1) fields.push(name, name === 'set-cookie' ? [value] : value);
    else if (!SINGLE_VALUED.has(name)) {
      const seen = fields[at + 1] as string | string[];
      if (typeof seen === 'string') fields[at + 1] = `${seen}, ${value}`;
      else seen.push(value);
    }
  }
  if (listed) {
    for (const token of listed.split(',')) {
      const name = token.trim().toLowerCase();
      for (let j = 0; j < fields.length; j += 2) {
        if (fields[j] === name) {
          fields.splice(j, 2);
          break;
        }
      }
    }
  }
  fields.push('connection', connectionFor(req));
  return fields;
}

/** The response's Connection: close when the client asked for it or speaks HTTP/1.0, else keep-alive. */
function connectionFor(req: IncomingMessage): string {
  return req.httpVersion === '1.0' || /(?:^|,)\s*close\s*(?:,|$)/i.test(req.headers.connection ?? '') ? 'close' : 'keep-alive';
}

/**
 * A Location pointing at the service (absolute, or a path) becomes the matching public path, as a
 * path-absolute reference: the client resolves it against the URL it asked for, so figway never
 * has to trust a Host header to build an absolute URL. Other Locations are left alone.
 */
export function mapLocation(location: string, mapping: ResponseMapping): string {
  const isAbsolute = /^[a-z][a-z0-9+.-]*:/i.test(location) || location.startsWith('//');
  if (!isAbsolute && !location.startsWith('/')) return location;
  const { url } = mapping.upstream;
  let target: URL;
  try {
    target = new URL(location, url);
  } catch {
    return location;
  }
  if (isAbsolute && target.host !== url.host) return location;
  const path = toPublicPath(mapping.rewrite, url.pathname, target.pathname);
  return path === undefined ? location : `${path}${target.search}${target.hash}`;
}

/**
 * A cookie scoped to the service's host loses its Domain (so it belongs to the public host); a
 * Path inside the service is mapped to the public path. Path=/ stays /.
 */
export function mapCookie(cookie: string, mapping: ResponseMapping): string {
  const { url } = mapping.upstream;
  const upstreamHost = url.hostname.toLowerCase();
  const parts = cookie.split(';');
  const kept: string[] = [parts[0] as string];
  for (const part of parts.slice(1)) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    const value = eq === -1 ? '' : part.slice(eq + 1).trim();
    if (name === 'domain' && value.replace(/^\./, '').toLowerCase() === upstreamHost) continue;
    if (name === 'path' && value !== '/' && value.startsWith('/')) {
      const path = toPublicPath(mapping.rewrite, url.pathname, value);
      kept.push(path === undefined ? part : ` Path=${path}`);
      continue;
    }
    kept.push(part);
  }
  return kept.join(';');
}

/**
 * The response head as Node's client gives it, from undici's raw fields: lower-case names,
 * Set-Cookie as a list, a single-valued field's first value, other repeated fields joined with ", ".
 */
export function headersOf(raw: readonly Buffer[]): IncomingHttpHeaders {
  const headers: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString('latin1').toLowerCase();
    const value = (raw[i + 1] as Buffer).toString('latin1');
    const seen = headers[name];
    if (seen === undefined) headers[name] = name === 'set-cookie' ? [value] : value;
    else if (typeof seen !== 'string') seen.push(value);
    else if (!SINGLE_VALUED.has(name)) headers[name] = `${seen}, ${value}`;
  }
  return headers;
}

// Fields that describe the connection or a body, never a hint about the final response.
const NOT_HINTS = new Set([...HOP_BY_HOP, 'content-length', 'transfer-encoding']);

/**
 * Passes a service's `103 Early Hints` on to the client (Node sends only hints with a Link), unless
 * the client speaks HTTP/1.0 (which has no 1xx) or the final response has begun. A hint Node
 * refuses (a malformed Link) is dropped: it is only ever a hint.
 */
export function passEarlyHints(res: ServerResponse, req: IncomingMessage, headers: IncomingHttpHeaders): void {
  if (req.httpVersion === '1.0' || res.headersSent || res.writableEnded) return;
  const hints: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !NOT_HINTS.has(name)) hints[name] = value;
  try {
    res.writeEarlyHints(hints);
  } catch {
    // Not worth failing the request for.
  }
}

/**
 * Passes the service's response trailers (`[name, value, name, value, ...]`) on to a client that
 * asked for them with `TE: trailers`; a trailer Node refuses (a malformed field) drops them all.
 */
export function passTrailers(res: ServerResponse, rawTrailers: readonly string[]): void {
  if (rawTrailers.length === 0) return;
  const trailers: [string, string][] = [];
  for (let i = 0; i + 1 < rawTrailers.length; i += 2) trailers.push([rawTrailers[i] as string, rawTrailers[i + 1] as string]);
  try {
    res.addTrailers(trailers);
  } catch {
    // The body is complete; only its trailers are lost.
  }
}
