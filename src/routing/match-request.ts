// The match stage: from a request to the route that takes it, on the one normalised path.
import type { IncomingMessage } from 'node:http';
import { normalizePath } from './normalize-path.js';
import type { Matchable, RouteTable } from './route-table.js';

/** A matched request: its route, the normalised path, and the raw query string (with its `?`). */
export interface Matched<R> {
  readonly route: R;
  readonly path: string;
  readonly search: string;
}

/** The request path is ambiguous and could reach a route: it must be refused. */
export interface Refused {
  readonly refused: string;
}

/**
 * Matches a request against the table. The path is the one the client sent (`originalUrl`, so
 * mounting figway under a path changes nothing). An unmatched request returns undefined; an
 * ambiguous path that, read strictly or leniently, would reach a route is refused rather than guessed.
 */
export function matchRequest<R extends Matchable>(table: RouteTable<R>, req: IncomingMessage): Matched<R> | Refused | undefined {
  const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  const query = url.indexOf('?');
  let raw = query === -1 ? url : url.slice(0, query);
  const search = query === -1 ? '' : url.slice(query);
  if (raw.charCodeAt(0) !== 47 /* / */) {
    const absolute = absolutePath(raw);
    if (absolute === undefined) return undefined;
    raw = absolute;
  }
  const normalized = normalizePath(raw);
  if (normalized.ok) {
    const route = table.find(req, normalized.path);
    return route === undefined ? undefined : { route, path: normalized.path, search };
  }
  const reachable = table.find(req, normalized.strict) !== undefined || table.find(req, normalized.lenient) !== undefined;
  return reachable ? { refused: normalized.reason } : undefined;
}

/** The path of an absolute-form request target (`GET http://host/path`), as Express would route it. */
function absolutePath(target: string): string | undefined {
  if (!/^https?:\/\//i.test(target)) return undefined;
  const start = target.indexOf('/', target.indexOf('//') + 2);
  return start === -1 ? '/' : target.slice(start);
}
