// The sticky bucket: the same route and key give the same bucket on every replica, in any language.

/** Buckets per route: one bucket is 0.01% of traffic. */
export const BUCKETS = 10_000;

/**
 * The bucket (0 to 9999) of a key on a route: MurmurHash3 (x86, 32-bit, seed 0) of the UTF-8 bytes
 * of `routeId + "\n" + key`, modulo 10000. A request goes to the service when its bucket is below
 * percent × 100, so a key admitted at 10% stays admitted at 50%. Documented so other systems (a data
 * pipeline, a service) can reproduce the assignment.
 *
 * @example
 * ```ts
 * bucketOf('orders', 'alice'); // always the same number in 0..9999
 * ```
 */
export function bucketOf(routeId: string, key: string): number {
  return murmur3(`${routeId}\n${key}`) % BUCKETS;
}

/** MurmurHash3 x86 32-bit with seed 0 over the UTF-8 bytes of `text`. */
export function murmur3(text: string): number {
  const source: string | Buffer = isAscii(text) ? text : Buffer.from(text, 'utf8');
  const length = source.length;
  const at = (i: number): number => (typeof source === 'string' ? source.charCodeAt(i) : (source[i] as number));
  let h = 0;
  const blocks = length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = at(i) | (at(i + 1) << 8) | (at(i + 2) << 16) | (at(i + 3) << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = length & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= at(blocks + 2) << 16;
    if (tail >= 2) k ^= at(blocks + 1) << 8;
    k ^= at(blocks);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
