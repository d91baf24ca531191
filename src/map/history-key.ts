// The key a route's time at 100% is kept under: its id and what it matches, so a route that comes to match more starts over.
import { createHash } from 'node:crypto';
import type { RouteInfo } from '../types.js';

const keys = new WeakMap<object, string>();

/**
 * `<id>@<hash of match>`. Widening a route's `match` (a shorter path, a condition dropped) brings
 * it endpoints whose requests legacy served unseen until then, as unmatched requests: under a new
 * key their time at 100% starts from the change, not from when the old match got there.
 *
 * @example
 * ```ts
 * historyKey(route.info); // 'cart@3q2+7w_A'
 * ```
 */
export function historyKey(info: Pick<RouteInfo, 'id' | 'config'>): string {
  const match = info.config.match as object;
  let hash = keys.get(match);
  if (hash === undefined) {
    hash = createHash('sha256').update(JSON.stringify(match)).digest('base64url').slice(0, 8);
    keys.set(match, hash);
  }
  return `${info.id}@${hash}`;
}
