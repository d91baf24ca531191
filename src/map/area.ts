// An endpoint's area on the map: the first segment of its path.

/**
 * The first path segment; `/` for the root and for a first segment that is a parameter or a
 * wildcard (`/:tenant/...`, `/*`), which names no area.
 *
 * @example
 * ```ts
 * areaOf('/api/orders/:id'); // 'api'
 * ```
 */
export function areaOf(path: string): string {
  const first = path.split('/')[1];
  return first === undefined || first === '' || /^[:*{(]/.test(first) ? '/' : first;
}
