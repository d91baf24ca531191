// Identity tokens: figway signs who the caller is; a service verifies it with a standard JWT library
// against the JWKS figway serves on the app.
import express from 'express';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_SETUPS, startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { keyPair, sign } from '../helpers/tokens.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const SECRET = 'a-very-long-hmac-secret-for-tests-0123456789';

describe.each(GATEWAY_SETUPS)('identity tokens ($label)', ({ mode, engine }) => {
  let service: Upstream;
  let monolith: Monolith;

  beforeAll(async () => {
    const signing = await keyPair('ES256', 'unused');
    service = await startUpstream('orders');
    monolith = await startMonolith(express, {
      config: {
        auth: {
          default: 'required',
          jwt: { secret: SECRET },
          token: { privateKey: signing.privatePem, issuer: 'https://shop.example/figway', audience: 'orders-service', ttl: '60s', claims: ['email'] },
        },
        routes: [
          { id: 'orders', match: { path: '/api/orders' }, upstream: service.url },
          { id: 'public', match: { path: '/api/public' }, upstream: service.url, auth: 'optional' },
        ],
      },
    }, { mode, engine });
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
  });

  it('sends a token the service verifies with the JWKS figway serves', async () => {
    const caller = await sign(SECRET, { sub: 'u-7', roles: ['buyer'], scope: 'orders:read', email: 'u7@example.com' });
    expect((await request(monolith.url, '/api/orders', { headers: { authorization: `Bearer ${caller}` } })).status).toBe(200);
    const token = service.last().headers['x-figway-identity'] as string;
    const jwks = createRemoteJWKSet(new URL(`${monolith.url}/.well-known/figway/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: 'https://shop.example/figway', audience: 'orders-service', algorithms: ['ES256'] });
    expect(payload).toMatchObject({ sub: 'u-7', roles: ['buyer'], scope: 'orders:read', src: 'jwt', email: 'u7@example.com' });
    expect((payload.exp as number) - (payload.iat as number)).toBe(60);
    expect(protectedHeader.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('reuses a fresh token for the same identity instead of signing on every request', async () => {
    const caller = await sign(SECRET, { sub: 'u-8' });
    await request(monolith.url, '/api/orders', { headers: { authorization: `Bearer ${caller}` } });
    const first = service.last().headers['x-figway-identity'];
    await request(monolith.url, '/api/orders', { headers: { authorization: `Bearer ${caller}` } });
    expect(service.last().headers['x-figway-identity']).toBe(first);
  });

  it('publishes only public key material, cacheable', async () => {
    const reply = await request(monolith.url, '/.well-known/figway/jwks.json');
    expect(reply.headers['cache-control']).toBe('public, max-age=300');
    const { keys } = reply.json<{ keys: Record<string, unknown>[] }>();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(keys[0]?.d).toBeUndefined();
  });

  it("does not let a client's own identity token through", async () => {
    const caller = await sign(SECRET, { sub: 'u-9' });
    await request(monolith.url, '/api/orders', { headers: { authorization: `Bearer ${caller}`, 'x-figway-identity': 'forged' } });
    expect(service.last().headers['x-figway-identity']).not.toBe('forged');
  });

  it('sends no identity token for a caller it did not identify', async () => {
    await request(monolith.url, '/api/public', { headers: { 'x-figway-identity': 'forged' } });
    expect(service.last().url).toBe('/api/public');
    expect(service.last().headers['x-figway-identity']).toBeUndefined();
  });
});
