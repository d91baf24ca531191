import { describe, expect, it } from 'vitest';
import { inlineSource } from '../../src/config-kit/config-source.js';
import { LIMITS_CHECKS } from '../../src/limits/check-limits.js';
import { problemLines } from '../helpers/problems.js';

const source = inlineSource();

describe('rate-limit checks', () => {
  it('wants the Redis settings and an outage policy with store: redis', () => {
    expect(problemLines(LIMITS_CHECKS.limitsStoreIsComplete({ limits: { store: 'redis' }, routes: [] }, source))).toEqual([
      'limits.redis is required when store is redis',
      'limits.onStoreError is required when store is redis: say what happens when Redis is down (open or closed)',
    ]);
  });

  it('refuses windows the in-memory store cannot time, globally and per route', () => {
    const config = { limits: { global: { limit: 1, window: 0 } }, routes: [{ limits: [{ limit: 1, window: '1s' }, { limit: 1, window: '720h' }] }, { limits: false as const }] };
    expect(problemLines(LIMITS_CHECKS.limitWindowsFitTimers(config, source))).toEqual(['limits.global.window must be at least 1ms', 'routes[0].limits[1].window must be at most 24 days']);
  });
});
