// The draft-8 fields: their shape, several budgets on one response, and the hashed partition key.
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { appendRateLimitFields, partitionKey } from '../../src/limits/ratelimit-headers.js';
import { partitionKey as expressRateLimitPartitionKey } from './limit-helpers.js';

const response = () => new ServerResponse(new IncomingMessage(new Socket()));
const state = { limit: 100, windowMs: 60_000, remaining: 99, resetSeconds: 42 };

describe('appendRateLimitFields', () => {
  it('writes one entry per budget, in the order the budgets were spent', () => {
    const res = response();
    appendRateLimitFields(res, { ...state, name: 'global', key: 'ip:10.0.0.7' });
    appendRateLimitFields(res, { ...state, name: 'route:orders:0', limit: 5, windowMs: 1500, remaining: 0, resetSeconds: 1, key: 'user:alice' });
    expect(res.getHeader('ratelimit')).toEqual(['"global"; r=99; t=42', '"route:orders:0"; r=0; t=1']);
    expect(res.getHeader('ratelimit-policy')).toEqual([
      `"global"; q=100; w=60; pk=:${expressRateLimitPartitionKey('ip:10.0.0.7')}:`,
      `"route:orders:0"; q=5; w=2; pk=:${expressRateLimitPartitionKey('user:alice')}:`,
    ]);
  });

  it('never sends the raw key', () => {
    const res = response();
    appendRateLimitFields(res, { ...state, name: 'global', key: 'user:alice@example.com' });
    expect(String(res.getHeader('ratelimit-policy'))).not.toContain('alice');
  });
});

describe('partitionKey', () => {
  it('is express-rate-limit\'s key, the same on every call, for more callers than it keeps', () => {
    const keys = Array.from({ length: 10_050 }, (_, i) => `ip:10.0.${i >> 8}.${i & 255}`);
    const first = keys.map(partitionKey);
    expect(keys.map(partitionKey)).toEqual(first);
    for (const at of [0, 9_999, 10_000, 10_049]) expect(first[at]).toBe(expressRateLimitPartitionKey(keys[at] as string));
    expect(new Set(first).size).toBe(keys.length);
  });
});
