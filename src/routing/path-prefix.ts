// Whether one path is a prefix of another on a segment boundary: shared by matching, rewrites and config checks.

/** Prefix on a segment boundary: /api is a prefix of /api and /api/x, not of /apix. */
export function hasPrefix(path: string, prefix: string, caseSensitive = true): boolean {
  if (prefix === '') return true;
  const head = path.slice(0, prefix.length);
  const same = caseSensitive ? head === prefix : head.toLowerCase() === prefix.toLowerCase();
  return same && (path.length === prefix.length || path[prefix.length] === '/');
}
