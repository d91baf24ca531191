// bucketOf / murmur3: the documented sticky bucket (MurmurHash3 x86_32, seed 0, UTF-8 bytes of
// `routeId + "\n" + key`, modulo 10000), and how the buckets spread over 10,000 keys.
import { describe, expect, it } from 'vitest';
import { BUCKETS, bucketOf, murmur3 } from '../../src/rollout/bucket.js';

describe('murmur3', () => {
  it.each([
    ['', 0],
    ['a', 0x3c2569b2],
    ['hello', 0x248bfa47],
    ['The quick brown fox jumps over the lazy dog', 0x2e4ff723],
  ])('hashes %j to the published MurmurHash3 x86_32 (seed 0) value', (text, hash) => {
    expect(murmur3(text)).toBe(hash);
  });

  it('hashes each tail length (1 to 3 bytes after the 4-byte blocks)', () => {
    // Computed with an independent byte-level implementation checked against the published vectors.
    expect(murmur3('ab')).toBe(0x9bbfd75f);
    expect(murmur3('abc')).toBe(0xb3dd93fa);
    expect(murmur3('abcd')).toBe(0x43ed676a);
  });

  it('hashes non-ASCII text as its UTF-8 bytes', () => {
    expect(murmur3('héllo')).not.toBe(murmur3('hello'));
    expect(murmur3('héllo')).toBe(murmur3('héllo'));
    // Computed with an independent byte-level implementation over the UTF-8 encoding; the same
    // implementation gives the published 0xd58063c1 for 'ππππππππ' with seed 0x9747b28c.
    expect(murmur3('héllo')).toBe(0xbc9fa068);
    expect(murmur3('ππππππππ')).toBe(0xec72b6e8);
    expect(murmur3('日本語')).toBe(0xa5a47297);
  });

  it('returns an unsigned 32-bit integer', () => {
    for (const text of ['hello', 'héllo', 'The quick brown fox jumps over the lazy dog', 'x'.repeat(1000)]) {
      const hash = murmur3(text);
      expect(Number.isInteger(hash)).toBe(true);
      expect(hash).toBeGreaterThanOrEqual(0);
      expect(hash).toBeLessThanOrEqual(0xffffffff);
    }
    expect(murmur3('hello')).toBeGreaterThan(0);
    expect(murmur3('héllo')).toBeGreaterThan(0x7fffffff);
  });
});

describe('bucketOf', () => {
  it('is the hash of routeId, a newline and the key, modulo 10000', () => {
    expect(BUCKETS).toBe(10_000);
    expect(bucketOf('orders', 'alice')).toBe(murmur3('orders\nalice') % 10_000);
    expect(bucketOf('orders', 'alice')).toBe(1609);
    expect(bucketOf('orders', 'bob')).toBe(7982);
  });

  it('depends on the route as well as the key', () => {
    expect(bucketOf('orders', 'alice')).not.toBe(bucketOf('users', 'alice'));
  });

  it('is deterministic', () => {
    for (let i = 0; i < 100; i++) expect(bucketOf('orders', 'alice')).toBe(1609);
  });

  it('is always an integer in 0..9999', () => {
    const seen = new Set<number>();
    const outOfRange: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      const bucket = bucketOf('orders', `user-${i}`);
      if (!Number.isInteger(bucket) || bucket < 0 || bucket >= 10_000) outOfRange.push(bucket);
      seen.add(bucket);
    }
    expect(outOfRange).toEqual([]);
    // A fair hash over 10,000 keys fills about 63% of 10,000 buckets.
    expect(seen.size).toBeGreaterThan(6000);
  });
});
