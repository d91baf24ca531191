// Random ids for request ids and trace context, cut from a pooled buffer: one system call per 256 requests.
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 8192;
let pool = Buffer.allocUnsafe(0);
let offset = 0;

function take(bytes: number): Buffer {
  if (offset + bytes > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_SIZE));
    offset = 0;
  }
  const slice = pool.subarray(offset, offset + bytes);
  offset += bytes;
  return slice;
}

/** `bytes` random bytes as lower-case hex (W3C trace ids: 16 bytes, span ids: 8). */
export function randomHex(bytes: number): string {
  return take(bytes).toString('hex');
}

/** A random (version 4) UUID. */
export function randomUuid(): string {
  const b = take(16);
  const hex = b.toString('hex');
  const variant = ((parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
