// Public path → service path (stripPrefix, addPrefix), and back again for Location and cookies.

/** A route's `rewrite`. */
export interface Rewrite {
  readonly stripPrefix: string | undefined;
  readonly addPrefix: string | undefined;
}

/**
 * The service path of a normalised public path (no query string).
 *
 * @example
 * ```ts
 * toUpstreamPath({ stripPrefix: '/api', addPrefix: undefined }, '/api/users/7', true); // '/users/7'
 * ```
 */
export function toUpstreamPath(rewrite: Rewrite, path: string, caseSensitive: boolean): string {
  let out = path;
  if (rewrite.stripPrefix !== undefined) {
    const prefix = trimSlash(rewrite.stripPrefix);
    if (hasPrefix(out, prefix, caseSensitive)) out = out.slice(prefix.length) || '/';
  }
  if (rewrite.addPrefix !== undefined) out = trimSlash(rewrite.addPrefix) + out;
  return out;
}

/**
 * The public path of a path the service used (in a redirect or a cookie), undoing the service's
 * base path and the rewrite; undefined when the path lies outside what this route maps.
 */
export function toPublicPath(rewrite: Rewrite, basePath: string, path: string): string | undefined {
  let out = path;
  const base = trimSlash(basePath);
  if (base !== '') {
    if (!hasPrefix(out, base, true)) return undefined;
    out = out.slice(base.length) || '/';
  }
  if (rewrite.addPrefix !== undefined) {
    const added = trimSlash(rewrite.addPrefix);
    if (!hasPrefix(out, added, true)) return undefined;
    out = out.slice(added.length) || '/';
  }
  if (rewrite.stripPrefix !== undefined) out = trimSlash(rewrite.stripPrefix) + (out === '/' ? '' : out);
  return out;
}

function trimSlash(prefix: string): string {
  return prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
}

/** Prefix on a segment boundary: /api is a prefix of /api and /api/x, not of /apix. */
export function hasPrefix(path: string, prefix: string, caseSensitive: boolean): boolean {
  if (prefix === '') return true;
  const head = path.slice(0, prefix.length);
  const same = caseSensitive ? head === prefix : head.toLowerCase() === prefix.toLowerCase();
  return same && (path.length === prefix.length || path[prefix.length] === '/');
}
