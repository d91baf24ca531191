// Parses `match.path` into segments: literals, :params and a trailing `*`.

export type Segment = { kind: 'literal'; value: string } | { kind: 'param'; name: string };

/** A parsed `match.path`. `prefix` patterns also take every path below them. */
export interface PathPattern {
  readonly source: string;
  readonly segments: readonly Segment[];
  readonly prefix: boolean;
}

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses a route path. Without params it is a prefix on segment boundaries (unless `exact`);
 * with params it matches exactly that many segments, or anything below when it ends in `/*`.
 *
 * @param share returns an equal segment that may be shared (a large table has many alike), or the one given
 * @returns the pattern, or a message saying what is wrong with it.
 */
export function parsePathPattern(source: string, exact = false, share: (segment: Segment) => Segment = (segment) => segment): PathPattern | string {
  const trimmed = source.length > 1 && source.endsWith('/') ? source.slice(0, -1) : source;
  const parts = trimmed === '/' ? [] : trimmed.slice(1).split('/');
  const segments: Segment[] = [];
  const names = new Set<string>();
  let wildcard = false;
  for (const [index, part] of parts.entries()) {
    if (part === '*') {
      if (index !== parts.length - 1) return '"*" may only be the last segment';
      if (exact) return '"*" cannot be combined with exact: true';
      wildcard = true;
    } else if (part.startsWith(':')) {
      const name = part.slice(1);
      if (!PARAM_NAME.test(name)) return `":${name}" is not a valid parameter name (letters, digits, "_")`;
      if (names.has(name)) return `parameter ":${name}" appears twice`;
      names.add(name);
      segments.push(share({ kind: 'param', name }));
    } else if (part === '' || part === '.' || part === '..') {
      return 'must not contain empty, "." or ".." segments';
    } else if (/[?#%\\*]/.test(part)) {
      return `segment "${part}" contains a character that is not allowed here (?, #, %, \\, *)`;
    } else {
      segments.push(share({ kind: 'literal', value: part }));
    }
  }
  const hasParams = names.size > 0;
  // A copy of its own size: a pushed-to array keeps room for more, and a large table has one per route.
  return { source, segments: segments.slice(), prefix: wildcard || (!hasParams && !exact) };
}

/**
 * The path with each segment matched by a literal spelled as the route spells it, so a
 * case-insensitive match (`/API/Orders/AbC` on `/api/orders`) reaches the service as
 * `/api/orders/AbC`: the route's spelling, the caller's parameters.
 */
export function spellAsRoute(pattern: PathPattern, path: string): string {
  if (!/[A-Z]/.test(path)) return path;
  const parts = path.split('/');
  pattern.segments.forEach((segment, index) => {
    if (segment.kind === 'literal') parts[index + 1] = segment.value;
  });
  return parts.join('/');
}
