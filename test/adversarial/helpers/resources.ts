// Counting what a test leaves behind (TCP handles, heap) and bounding how long anything may take.
import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** TCP handles (sockets and servers) alive in this process right now. */
export function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap' || name === 'TCPServerWrap').length;
}

/** Waits until the TCP handle count is at most `limit` (sockets close asynchronously), or the time is up; returns the last count. */
export async function settleTcpHandles(limit: number, timeoutMs = 3000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let count = tcpHandles();
  while (count > limit && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    count = tcpHandles();
  }
  return count;
}

let gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  try {
    // Lets the test force a collection without --expose-gc on the command line.
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  } catch {
    gc = undefined;
  }
}

/** Whether heap figures are taken after a forced full collection (else they are noisy and bounds must be generous). */
export const canForceGc = gc !== undefined;

/** heapUsed in bytes, after a forced full collection when possible. */
export async function heapAfterGc(): Promise<number> {
  if (gc) {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return process.memoryUsage().heapUsed;
}

/** Rejects when `promise` has not settled within `ms`: no request may hang. */
export function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The `pk` parameter express-rate-limit puts in a draft-8 RateLimit-Policy header for a key, so a
 * test sees which key a request was counted under without the key being sent.
 */
export function partitionKey(key: string): string {
  return Buffer.from(createHash('sha256').update(key).digest('hex').slice(0, 12)).toString('base64');
}

/** The key (as `pk`) of the named policy in a RateLimit-Policy header, e.g. policyKey(header, 'route:orders:0'). */
export function policyKey(header: string | string[] | undefined, policy: string): string | undefined {
  const text = Array.isArray(header) ? header.join(', ') : (header ?? '');
  const match = new RegExp(`"${policy.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}";[^,]*?pk=:([^:]+):`).exec(text);
  return match?.[1];
}
