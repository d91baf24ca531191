// The URL the monolith's handler gets after a legacy decision or a fallback: one rule for both.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { legacyUrl } from '../src/legacy-url.js';

const mountedAt = (baseUrl?: string) => ({ baseUrl }) as unknown as IncomingMessage;

describe('legacyUrl', () => {
  it('is the matched path with the query, relative to where figway is mounted', () => {
    expect(legacyUrl({ req: mountedAt(), path: '/api/orders/7', search: '?x=1' })).toBe('/api/orders/7?x=1');
    expect(legacyUrl({ req: mountedAt('/api'), path: '/api/orders/7', search: '' })).toBe('/orders/7');
    expect(legacyUrl({ req: mountedAt('/api'), path: '/api', search: '?a' })).toBe('/?a');
  });
});
