// What the rate-limit tests share: a tiny identify plugin, the draft-8 partition key, monoliths closed after each test.
import { createHash } from 'node:crypto';
import express from 'express';
import { afterEach } from 'vitest';
import type { FigwayConfig, FigwayOptions, FigwayPlugin } from '../../src/types.js';
import { startMonolith, type GatewayMode, type Monolith, type MonolithOptions } from '../helpers/monolith.js';

/** Sets the identity from `x-test-user` (a session user) or `x-test-key` (an API key), as an auth plugin would. */
export const testIdentity: FigwayPlugin = {
  name: 'test-identity',
  setup: () => ({
    onIdentify(ctx) {
      const user = ctx.req.headers['x-test-user'];
      const key = ctx.req.headers['x-test-key'];
      if (typeof user === 'string') ctx.setIdentity({ id: user, source: 'session', roles: [], scopes: [], claims: { id: user } });
      else if (typeof key === 'string') ctx.setIdentity({ id: key, source: 'apiKey', roles: [], scopes: [], claims: {} });
    },
  }),
};

/**
 * The `pk` parameter express-rate-limit puts in draft-8 RateLimit-Policy for a key: lets a test see
 * which key a request was counted under without the key itself being sent.
 */
export function partitionKey(key: string): string {
  return Buffer.from(createHash('sha256').update(key).digest('hex').slice(0, 12)).toString('base64');
}

/** Starts monoliths with figway (and the test identity plugin) in `mode` and closes them after each test. */
export function monolithsClosedAfterEach(mode: GatewayMode = 'middleware'): (config: FigwayConfig, options?: Partial<FigwayOptions>, extra?: MonolithOptions) => Promise<Monolith> {
  const started: Monolith[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((monolith) => monolith.close()));
  });
  return async (config, options = {}, extra = {}) => {
    const monolith = await startMonolith(express, { config, plugins: [testIdentity], ...options }, { mode, ...extra });
    started.push(monolith);
    return monolith;
  };
}
