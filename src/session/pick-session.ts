// The part of req.session a route shares: its listed key paths, copied out, nothing else.

/** What a route's share list picks out of a session: a fresh object holding only the listed paths. */
export type SessionPicker = (session: object) => Record<string, unknown>;

/**
 * Compiles a share list (`cart`, `prefs.locale`, `flags.*`) once per route. The result keeps the
 * session's nesting (`prefs.locale` gives `{ prefs: { locale } }`); a path the session does not
 * have is left out (with the levels above it, unless something else is under them), as are
 * functions and undefined values, which JSON cannot carry, and a stored `__proto__` key, which an
 * object cannot hold as a plain key (plain objects are built: JSON writes them fastest).
 *
 * @example
 * ```ts
 * const pick = compileShare(['cart', 'flags.*']);
 * pick({ cart: [1], flags: { beta: true }, secret: 'x' }); // { cart: [1], flags: { beta: true } }
 * ```
 */
export function compileShare(paths: readonly string[]): SessionPicker {
  const split = paths.map((path) => path.split('.'));
  return (session) => {
    const picked: Record<string, unknown> = {};
    for (const path of split) copyPath(session as Record<string, unknown>, picked, path, 0);
    return picked;
  };
}

function copyPath(from: Record<string, unknown>, to: Record<string, unknown>, path: readonly string[], at: number): void {
  const name = path[at] as string;
  const names = name === '*' ? Object.keys(from) : Object.hasOwn(from, name) ? [name] : [];
  const last = at === path.length - 1;
  for (const key of names) {
    const value = from[key];
    if (value === undefined || typeof value === 'function' || key === '__proto__') continue;
    if (last) {
      to[key] = value;
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    const existing = to[key];
    // Already copied whole by a shorter path: nothing to add, and the session's own object must not be written to.
    if (existing === value) continue;
    const into = (existing ?? {}) as Record<string, unknown>;
    copyPath(value as Record<string, unknown>, into, path, at + 1);
    // A level is sent only when something under it is.
    if (existing === undefined && Object.keys(into).length > 0) to[key] = into;
  }
}
