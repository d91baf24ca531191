// A promise that settles within a bound, so a hung store or shadow side can never hold anything up.
import { FigwayError, type FigwayErrorCode } from './errors.js';

/**
 * Resolves or rejects as `promise` does, or rejects after `ms` with a FigwayError of `code` (what
 * the caller's answer is when that thing does not answer). The timer does not keep the process alive.
 *
 * @example
 * ```ts
 * const reply = await withTimeout(client.sendCommand(['PING']), 1000, 'FIGWAY_STATE_UNAVAILABLE');
 * ```
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, code: FigwayErrorCode): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FigwayError(code, `no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
