// Public path → service path (stripPrefix, addPrefix), and back again for Location and cookies.
import { hasPrefix } from './path-prefix.js';

/** A route's `rewrite`, with prefixes stored without a trailing slash (done once, at compile time). */
export interface Rewrite {
  readonly stripPrefix: string | undefined;
  readonly addPrefix: string | undefined;
  /** Whether stripPrefix compares case-sensitively (it follows `matching.caseSensitive`). */
  readonly caseSensitive: boolean;
}

/** Compiles a route's `rewrite` section. */
export function compileRewrite(rewrite: { stripPrefix?: string | undefined; addPrefix?: string | undefined } | undefined, caseSensitive = true): Rewrite {
  return { stripPrefix: trimSlash(rewrite?.stripPrefix), addPrefix: trimSlash(rewrite?.addPrefix), caseSensitive };
}

/**
 * The service path of a normalised public path (no query string).
 *
 * @example
 * ```ts
 * toUpstreamPath(compileRewrite({ stripPrefix: '/api' }), '/api/users/7'); // '/users/7'
 * ```
 */
export function toUpstreamPath(rewrite: Rewrite, path: string): string {
  let out = path;
  if (rewrite.stripPrefix !== undefined && hasPrefix(out, rewrite.stripPrefix, rewrite.caseSensitive)) out = out.slice(rewrite.stripPrefix.length) || '/';
  if (rewrite.addPrefix !== undefined) out = rewrite.addPrefix + out;
  return out;
}

/**
 * The public path of a path the service used (in a redirect or a cookie), undoing the service's
 * base path and the rewrite; undefined when the path lies outside what this route maps.
 */
export function toPublicPath(rewrite: Rewrite, basePath: string, path: string): string | undefined {
  let out = path;
  const base = trimSlash(basePath) ?? '';
  if (base !== '') {
    if (!hasPrefix(out, base)) return undefined;
    out = out.slice(base.length) || '/';
  }
  if (rewrite.addPrefix !== undefined) {
    if (!hasPrefix(out, rewrite.addPrefix)) return undefined;
    out = out.slice(rewrite.addPrefix.length) || '/';
  }
  if (rewrite.stripPrefix !== undefined) out = rewrite.stripPrefix + (out === '/' ? '' : out);
  return out;
}

function trimSlash<T extends string | undefined>(prefix: T): T {
  return (prefix !== undefined && prefix.endsWith('/') ? prefix.slice(0, -1) : prefix) as T;
}
