// Keeps limiters (and so their counters) and connections across config reloads while their settings stay the same.

interface Kept {
  readonly value: unknown;
  readonly dispose: () => void | Promise<void>;
}

/**
 * Things a plugin builds per config but must not rebuild on every reload. Each setup takes what it
 * needs by id (the id says everything the thing depends on); once that config serves, whatever it
 * did not take is disposed. A config that is set up but never serves (a rejected reload) disposes
 * only what it created, so the serving config keeps its own.
 *
 * @example
 * ```ts
 * const kept = new KeptAcrossReloads();
 * // in setup:
 * kept.begin();
 * const limiter = kept.take(`memory|global|100|60000`, () => createLimiter(...), (l) => l.shutdown());
 * // in onConfig: event.kind === 'rejected' ? kept.abandon() : kept.commit();
 * ```
 */
export class KeptAcrossReloads {
  private serving = new Map<string, Kept>();
  private pending: Map<string, Kept> | undefined;

  /** Starts the set of a config being set up. */
  begin(): void {
    // A config set up earlier that never served nor was rejected (a failed runtime change).
    this.abandon();
    this.pending = new Map();
  }

  /** The thing with this id: the one already kept, or a new one. */
  take<T>(id: string, create: () => T, dispose: (value: T) => void | Promise<void>): T {
    const pending = (this.pending ??= new Map());
    let kept = pending.get(id) ?? this.serving.get(id);
    if (!kept) {
      const value = create();
      kept = { value, dispose: () => dispose(value) };
    }
    pending.set(id, kept);
    return kept.value as T;
  }

  /** The config last set up now serves: dispose what only older configs used. */
  commit(): void {
    const next = this.pending;
    if (!next) return;
    this.pending = undefined;
    for (const [id, kept] of this.serving) if (next.get(id) !== kept) void settle(kept);
    this.serving = next;
  }

  /** The config last set up will never serve: dispose what it alone created. */
  abandon(): void {
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return;
    for (const [id, kept] of pending) if (this.serving.get(id) !== kept) void settle(kept);
  }

  /** Disposes everything (the gateway is closing). */
  async close(): Promise<void> {
    this.abandon();
    const all = [...this.serving.values()];
    this.serving = new Map();
    await Promise.all(all.map(settle));
  }
}

async function settle(kept: Kept): Promise<void> {
  try {
    await kept.dispose();
  } catch {
    // Releasing a timer or a connection that is already gone; nothing is left to do.
  }
}
