// JSON paths left out of a shadow comparison: `updatedAt`, `items[*].id`, `*.etag`, `$.meta`.

/** A parsed ignore path: its segments, `*` standing for any key or index. */
export type IgnorePattern = readonly string[];

/**
 * Parses `items[*].id` or `$.items.*.id` into `['items', '*', 'id']`.
 *
 * @example
 * ```ts
 * parseIgnore('$.items[*].id'); // ['items', '*', 'id']
 * ```
 */
export function parseIgnore(path: string): IgnorePattern {
  return path
    .replace(/^\$\.?/, '')
    .replace(/\[([^\]]*)\]/g, '.$1')
    .split('.')
    .filter((segment) => segment !== '');
}

/** Whether `path` (as a JSON diff reports it) is at or below an ignored path. */
export function isIgnored(path: readonly (string | number)[], patterns: readonly IgnorePattern[]): boolean {
  return patterns.some((pattern) => pattern.length <= path.length && pattern.every((segment, i) => segment === '*' || segment === String(path[i])));
}
