// Keeps web pages the operator happens to open from driving the admin API through their browser.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { isLoopback } from '../config/check-config.js';
import { FigwayError } from '../errors.js';

/** Which names the admin listener answers to, besides loopback and IP addresses. */
export interface HostPolicy {
  /** The address it binds to (admin.host). */
  readonly bindHost: string;
  /** admin.allowedHosts: exact names, or `.example.com` for that domain and every name under it. */
  readonly allowedHosts: readonly string[];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses what a browser can be made to send on a hostile page's behalf, whatever the token:
 * - a `Host` that is not the listener's (DNS rebinding: evil.example resolved to 127.0.0.1 makes
 *   the browser treat the admin API as evil.example's own, responses included) — only a loopback
 *   name or address, an IP address (a rebinding attack needs a name), the bound host and the names
 *   in `admin.allowedHosts` are answered;
 * - a state-changing request whose `Origin` is another site's, or `null` (a sandboxed frame);
 * - a body that is not `application/json` (a form or a `text/plain` fetch needs no CORS preflight;
 *   JSON does, and the API answers no preflight).
 *
 * @returns undefined when the request may proceed, else the error to answer with.
 * @example
 * ```ts
 * const refused = refuseBrowserAttack(req, { bindHost: '127.0.0.1', allowedHosts: ['figway-admin.internal'] });
 * if (refused) throw refused;
 * ```
 */
export function refuseBrowserAttack(req: IncomingMessage, policy: HostPolicy): FigwayError | undefined {
  const host = req.headers.host;
  const name = host === undefined ? undefined : hostName(host);
  if (name === undefined || !answersTo(name, policy)) {
    return new FigwayError(
      'FIGWAY_ADMIN_HOST_REFUSED',
      `the admin API does not answer to Host ${JSON.stringify(host ?? '')}: only loopback, IP addresses, the address it listens on and admin.allowedHosts`,
    );
  }
  if (SAFE_METHODS.has(req.method ?? 'GET')) return undefined;
  const origin = req.headers.origin;
  if (origin !== undefined && !sameOrigin(origin, host as string)) {
    return new FigwayError('FIGWAY_ADMIN_ORIGIN_REFUSED', `a change from the page of another origin (${origin}) is refused; use the CLI, or the admin page itself`);
  }
  const type = req.headers['content-type'];
  if (type !== undefined ? !isJson(type) : announcesBody(req)) {
    return new FigwayError('FIGWAY_ADMIN_UNSUPPORTED_MEDIA_TYPE', `request bodies must be application/json (got ${type ?? 'no Content-Type'})`);
  }
  return undefined;
}

/** The name or address in a Host header, lower-cased, without port or trailing dot; undefined when malformed. */
function hostName(host: string): string | undefined {
  const value = host.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end > 1 ? value.slice(1, end) : undefined;
  }
  const name = value.split(':')[0] as string;
  if (name === '' || value.split(':').length > 2) return undefined;
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

function answersTo(name: string, policy: HostPolicy): boolean {
  if (isLoopback(name) || isIP(name) !== 0 || name === policy.bindHost.toLowerCase()) return true;
  return policy.allowedHosts.some((allowed) => {
    const entry = allowed.toLowerCase();
    return entry.startsWith('.') ? name === entry.slice(1) || name.endsWith(entry) : name === entry;
  });
}

function sameOrigin(origin: string, host: string): boolean {
  if (origin === 'null') return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === new URL(`http://${host}`).host;
  } catch {
    return false;
  }
}

function isJson(type: string): boolean {
  return (type.split(';')[0] as string).trim().toLowerCase() === 'application/json';
}

function announcesBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
