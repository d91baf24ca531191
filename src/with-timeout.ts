// A promise that settles within a bound, so a hung store or shadow side can never hold anything up.

/**
 * Resolves or rejects as `promise` does, or rejects after `ms`. The timer does not keep the process alive.
 *
 * @example
 * ```ts
 * const reply = await withTimeout(client.sendCommand(['PING']), 1000);
 * ```
 */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
