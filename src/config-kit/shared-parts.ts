// Parts of compiled routes that many routes have alike, built once per compile and shared (they are immutable).

/**
 * A large table then holds a few objects per route instead of dozens, so building one allocates
 * less, and the garbage collector's pauses while a reload compiles stay short.
 *
 * @example
 * ```ts
 * const parts = new SharedParts();
 * const sticky = parts.get(`sticky ${entries.join(' ')}`, () => compileSticky(entries));
 * ```
 */
export class SharedParts {
  private readonly parts = new Map<string, unknown>();

  /** The part for `key` (its kind and everything it is made from), made on first use. */
  get<T>(key: string, make: () => T): T {
    if (this.parts.has(key)) return this.parts.get(key) as T;
    const part = make();
    this.parts.set(key, part);
    return part;
  }
}
