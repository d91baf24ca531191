// The match stage: from a request to the route that takes it, on the one normalised path.
import type { IncomingMessage } from 'node:http';
import { normalizePath } from './normalize-path.js';
import type { Matchable, RouteTable } from './route-table.js';

/** A matched request: its route, the normalised path, the raw query string (with its `?`), and the path as received. */
export interface Matched<R> {
  readonly route: R;
  readonly path: string;
  readonly search: string;
  readonly receivedPath: string;
}

/** The request target is ambiguous and one of its readings reaches a route: it must be refused. */
export interface Refused {
  readonly refused: string;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/**
 * Matches a request against the table. The path is the one the client sent (`originalUrl`, so
 * mounting figway under a path changes nothing). An unmatched request returns undefined; a target
 * that servers read differently (ambiguous escapes, a `#`, an unusual absolute form) is refused when
 * any of its readings reaches a route, rather than guessed.
 */
export function matchRequest<R extends Matchable>(table: RouteTable<R>, req: IncomingMessage): Matched<R> | Refused | undefined {
  const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  if (url.charCodeAt(0) === 47 /* / */ && !url.includes('#')) return matchOriginForm(table, req, url);
  return matchUnusualTarget(table, req, url);
}

function matchOriginForm<R extends Matchable>(table: RouteTable<R>, req: IncomingMessage, target: string): Matched<R> | Refused | undefined {
  const query = target.indexOf('?');
  const received = query === -1 ? target : target.slice(0, query);
  const path = normalizePath(received);
  if (typeof path !== 'string') return refuseIfReachable(table, req, path.reason, [path.strict, path.lenient]);
  // Mounted under a path, figway sees only what Express routed there: a path that normalising takes
  // out from under it (/shop/../api/orders) is one Express gave this router and the app's /api
  // handlers (and their auth) never saw, so it must not reach a route of figway's either.
  const base = (req as { baseUrl?: string }).baseUrl;
  if (base && !isUnder(path, base)) return table.find(req, path) === undefined ? undefined : { refused: 'path leaves the mount path' };
  const route = table.find(req, path);
  if (route === undefined) return undefined;
  return { route, path, search: query === -1 ? '' : target.slice(query), receivedPath: received };
}

/**
 * A target with a `#`, or in absolute form. Express routes `/a#b` as `/a` and any `scheme://host/a`
 * as `/a`; only http(s) absolute forms are plain enough to proxy, everything else that could reach
 * a route is refused.
 */
function matchUnusualTarget<R extends Matchable>(table: RouteTable<R>, req: IncomingMessage, url: string): Matched<R> | Refused | undefined {
  const hash = url.indexOf('#');
  if (url.charCodeAt(0) === 47) {
    const query = url.indexOf('?');
    const path = query === -1 || query > hash ? url.slice(0, hash) : url.slice(0, query);
    return refuseIfReachable(table, req, 'fragment in request target', [path, url.slice(0, hash)]);
  }
  const scheme = SCHEME.exec(url);
  if (!scheme) return undefined;
  const rest = url.slice(scheme[0].length);
  const authorityEnd = rest.startsWith('//') ? rest.slice(2).search(/[/?#]/) : -2;
  const afterAuthority =
    authorityEnd === -2 ? rest : authorityEnd === -1 ? '/' : `${rest[authorityEnd + 2] === '/' ? '' : '/'}${rest.slice(authorityEnd + 2)}`;
  if (/^https?$/i.test(scheme[1] as string) && rest.startsWith('//') && hash === -1 && afterAuthority.startsWith('/')) {
    return matchOriginForm(table, req, afterAuthority);
  }
  const end = afterAuthority.search(/[?#]/);
  return refuseIfReachable(table, req, 'unusual request target', [end === -1 ? afterAuthority : afterAuthority.slice(0, end)]);
}

/** `path` is `base` or below it, segment by segment (`/shopping` is not under `/shop`). */
export function isUnder(path: string, base: string): boolean {
  return path.startsWith(base) && (path.length === base.length || path.charCodeAt(base.length) === 47 /* / */);
}

function refuseIfReachable<R extends Matchable>(table: RouteTable<R>, req: IncomingMessage, reason: string, readings: string[]): Refused | undefined {
  for (const reading of readings) {
    const path = normalizePath(reading.startsWith('/') ? reading : `/${reading}`);
    const candidates = typeof path === 'string' ? [path] : [path.strict, path.lenient];
    if (candidates.some((candidate) => table.find(req, candidate) !== undefined)) return { refused: reason };
  }
  return undefined;
}
