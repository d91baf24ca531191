// The IETF draft-8 RateLimit and RateLimit-Policy fields, written as express-rate-limit writes them.
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** Where a budget stands after a request was counted. */
export interface BudgetState {
  /** The budget's name: the policy name in both fields. */
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
  readonly remaining: number;
  /** Seconds until the window resets. */
  readonly resetSeconds: number;
  /** The caller's key; sent only hashed, as the policy's partition key. */
  readonly key: string;
}

// Hashing the key is most of the cost of these fields, and a caller's key repeats on every request.
// Bounded by clearing: keys are per caller, so an unbounded map would grow with the client count.
const PARTITION_KEYS_KEPT = 10_000;
const partitionKeys = new Map<string, string>();

/**
 * Appends one budget's entries to `RateLimit` and `RateLimit-Policy` (several budgets on one request
 * each add theirs). The partition key is express-rate-limit's: base64 of the first 12 hex digits of
 * the key's SHA-256, so the raw key (an address, a user) is never sent.
 *
 * @example
 * ```ts
 * appendRateLimitFields(res, { name: 'global', limit: 100, windowMs: 60_000, remaining: 99, resetSeconds: 60, key: 'ip:10.0.0.7' });
 * // RateLimit: "global"; r=99; t=60
 * // RateLimit-Policy: "global"; q=100; w=60; pk=:…:
 * ```
 */
export function appendRateLimitFields(res: ServerResponse, state: BudgetState): void {
  if (res.headersSent) return;
  res.appendHeader('RateLimit', `"${state.name}"; r=${state.remaining}; t=${state.resetSeconds}`);
  res.appendHeader('RateLimit-Policy', `"${state.name}"; q=${state.limit}; w=${Math.ceil(state.windowMs / 1000)}; pk=:${partitionKey(state.key)}:`);
}

/** The draft-8 partition key of a caller's key. */
export function partitionKey(key: string): string {
  let pk = partitionKeys.get(key);
  if (pk === undefined) {
    if (partitionKeys.size >= PARTITION_KEYS_KEPT) partitionKeys.clear();
    pk = Buffer.from(createHash('sha256').update(key).digest('hex').slice(0, 12)).toString('base64');
    partitionKeys.set(key, pk);
  }
  return pk;
}
