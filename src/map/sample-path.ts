// A path a request to an Express endpoint could have, so figway's own table can say which route takes it.

/**
 * A concrete path for an Express path pattern: parameters and wildcards become `:name` segments
 * (any figway route matching a segment there matches this one; no figway literal starts with `:`),
 * optional groups are taken, regular-expression constraints dropped. Undefined for a RegExp path,
 * which names no path figway could try.
 *
 * @example
 * ```ts
 * samplePath('/users/:id(\\d+)/files/*'); // '/users/:id/files/:wild'
 * samplePath('/docs{/:page}');            // '/docs/:page'
 * ```
 */
export function samplePath(pattern: string): string | undefined {
  if (!pattern.startsWith('/')) return undefined;
  const path = pattern
    .replace(/[{}]/g, '')
    .replace(/\((?:[^()\\]|\\.)*\)/g, '')
    .replace(/\*([A-Za-z_$][\w$]*)?/g, (_all, name: string | undefined) => `:${name ?? 'wild'}`)
    .replace(/\?/g, '')
    .replace(/\/{2,}/g, '/');
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
