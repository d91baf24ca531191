// Bearer JWTs end to end: real tokens signed with jose, pinned algorithms, issuer, audience, clock,
// JWKS rotation, and 401/403 in the configured shape.
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_MODES, startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { keyPair, sign, startJwksServer, type JwksServer, type KeyPair } from '../helpers/tokens.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const SECRET = 'a-very-long-hmac-secret-for-tests-0123456789';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe.each(GATEWAY_MODES)('JWT with an HMAC secret (%s mode)', (mode) => {
  let service: Upstream;
  let monolith: Monolith;
  const get = (path: string, headers: Record<string, string> = {}) => request(monolith.url, path, { headers });

  beforeAll(async () => {
    service = await startUpstream('orders');
    monolith = await startMonolith(express, {
      config: {
        auth: { jwt: { secret: SECRET, issuer: 'https://id.example', audience: 'shop', clockTolerance: 0 } },
        routes: [
          { id: 'orders', match: { path: '/api/orders' }, upstream: service.url, auth: 'required' },
          { id: 'admin', match: { path: '/api/admin' }, upstream: service.url, auth: { mode: 'required', roles: ['admin'], scopes: ['orders:write'], claims: { tenant: 'acme' } } },
          { id: 'open', match: { path: '/api/open' }, upstream: service.url },
        ],
      },
    }, { mode });
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
  });

  const valid = (extra: Record<string, unknown> = {}) => sign(SECRET, { sub: 'u-42', iss: 'https://id.example', aud: 'shop', roles: ['admin'], scope: 'orders:read orders:write', tenant: 'acme', ...extra });

  it('lets a valid token through and tells the service who it is', async () => {
    const reply = await get('/api/orders', bearer(await valid()));
    expect(reply.status).toBe(200);
    expect(service.last().headers).toMatchObject({ 'x-user-id': 'u-42', 'x-user-source': 'jwt', 'x-user-roles': 'admin', 'x-user-scopes': 'orders:read orders:write' });
  });

  it('asks for credentials with 401 FIGWAY_AUTH_REQUIRED and WWW-Authenticate', async () => {
    const reply = await get('/api/orders');
    expect(reply.status).toBe(401);
    expect(reply.headers['www-authenticate']).toBe('Bearer realm="figway"');
    expect(reply.json()).toMatchObject({ error: { code: 'FIGWAY_AUTH_REQUIRED', status: 401 } });
  });

  it.each([
    ['expired', { exp: Math.floor(Date.now() / 1000) - 60 }, 'the token has expired'],
    ['not yet valid', { nbf: Math.floor(Date.now() / 1000) + 600 }, 'nbf'],
    ['from another issuer', { iss: 'https://evil.example' }, 'iss'],
    ['for another audience', { aud: 'billing' }, 'aud'],
  ])('refuses a token %s with 401 FIGWAY_AUTH_INVALID', async (_label, claims, reason) => {
    const reply = await get('/api/orders', bearer(await valid(claims)));
    expect(reply.status).toBe(401);
    expect(reply.json()).toMatchObject({ error: { code: 'FIGWAY_AUTH_INVALID', message: expect.stringContaining(reason) } });
    expect(reply.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('refuses a token signed with another secret, a malformed one, and alg none', async () => {
    expect((await get('/api/orders', bearer(await sign('another-secret-that-is-also-long-enough', { sub: 'x', iss: 'https://id.example', aud: 'shop' })))).status).toBe(401);
    expect((await get('/api/orders', bearer('not.a.token'))).status).toBe(401);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'u-42', iss: 'https://id.example', aud: 'shop', exp: Math.floor(Date.now() / 1000) + 300 })).toString('base64url')}.`;
    const reply = await get('/api/orders', bearer(none));
    expect(reply.status).toBe(401);
    expect(reply.json()).toMatchObject({ error: { code: 'FIGWAY_AUTH_INVALID' } });
  });

  it('refuses with 403 a valid caller without the role, scope or claim', async () => {
    expect((await get('/api/admin', bearer(await valid()))).status).toBe(200);
    for (const claims of [{ roles: ['clerk'] }, { scope: 'orders:read' }, { tenant: 'globex' }]) {
      const reply = await get('/api/admin', bearer(await valid(claims)));
      expect(reply.status, JSON.stringify(claims)).toBe(403);
      expect(reply.json()).toMatchObject({ error: { code: 'FIGWAY_AUTH_FORBIDDEN' } });
    }
  });

  it('on an optional route: anonymous without a token, but a bad token is still refused', async () => {
    expect((await get('/api/open')).status).toBe(200);
    expect(service.last().headers['x-user-id']).toBeUndefined();
    expect((await get('/api/open', bearer(await valid({ exp: 1 })))).status).toBe(401);
  });

  it('never takes identity headers from the client, on any route', async () => {
    const forged = { 'x-user-id': 'root', 'x-user-roles': 'admin', 'x-user-source': 'session' };
    await get('/api/open', forged);
    expect(service.last().headers['x-user-id']).toBeUndefined();
    expect(service.last().headers['x-user-roles']).toBeUndefined();
    expect((await get('/api/admin', forged)).status).toBe(401);
    await get('/api/orders', { ...forged, ...bearer(await valid()) });
    expect(service.last().headers).toMatchObject({ 'x-user-id': 'u-42', 'x-user-source': 'jwt' });
    const legacy = await get('/elsewhere/x', forged);
    expect(legacy.json().service).toBe('legacy');
  });

  it('serves a token seen again from its cache, but never past its exp', async () => {
    const shortLived = await valid({ exp: Math.floor(Date.now() / 1000) + 2 });
    expect((await get('/api/orders', bearer(shortLived))).status).toBe(200);
    expect((await get('/api/orders', bearer(shortLived))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await get('/api/orders', bearer(shortLived))).status).toBe(401);
  });
});

describe.each(GATEWAY_MODES)('JWT with a public key: no algorithm confusion (%s mode)', (mode) => {
  let service: Upstream;
  let monolith: Monolith;
  let rsa: KeyPair;

  beforeAll(async () => {
    rsa = await keyPair('RS256', 'rsa-1');
    service = await startUpstream('orders');
    monolith = await startMonolith(express, {
      config: { auth: { default: 'required', jwt: { publicKey: rsa.publicPem, algorithms: ['RS256'] } }, routes: [{ id: 'orders', match: { path: '/api/orders' }, upstream: service.url }] },
    }, { mode });
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
  });

  it('accepts RS256 signed with the private key', async () => {
    expect((await request(monolith.url, '/api/orders', { headers: bearer(await sign(rsa, { sub: 'u-1' })) })).status).toBe(200);
  });

  it('refuses an HS256 token whose "secret" is the public key (RS/HS confusion)', async () => {
    const forged = await sign(rsa.publicPem, { sub: 'attacker' });
    const reply = await request(monolith.url, '/api/orders', { headers: bearer(forged) });
    expect(reply.status).toBe(401);
    expect(reply.json()).toMatchObject({ error: { code: 'FIGWAY_AUTH_INVALID', message: expect.stringContaining('algorithm that is not accepted') } });
  });

  it('refuses a token signed with another key of the same type', async () => {
    const other = await keyPair('RS256', 'rsa-1');
    expect((await request(monolith.url, '/api/orders', { headers: bearer(await sign(other, { sub: 'u-1' })) })).status).toBe(401);
  });
});

describe.each(GATEWAY_MODES)('JWT with a JWKS that rotates (%s mode)', (mode) => {
  let service: Upstream;
  let jwks: JwksServer;
  let monolith: Monolith;
  let first: KeyPair;
  let second: KeyPair;

  beforeAll(async () => {
    first = await keyPair('ES256', 'key-2026-01');
    second = await keyPair('RS256', 'key-2026-02');
    jwks = await startJwksServer([first]);
    service = await startUpstream('orders');
    monolith = await startMonolith(express, {
      config: {
        auth: { default: 'required', jwt: { jwksUrl: `${jwks.url}/jwks.json`, jwksCooldown: '100ms' } },
        routes: [{ id: 'orders', match: { path: '/api/orders' }, upstream: service.url }],
      },
    }, { mode });
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
    await jwks.close();
  });

  it('verifies with the published key, then follows a rotation on an unknown kid', async () => {
    expect((await request(monolith.url, '/api/orders', { headers: bearer(await sign(first, { sub: 'u-1' })) })).status).toBe(200);
    const fetchesBefore = jwks.fetches;
    jwks.serve([second]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await request(monolith.url, '/api/orders', { headers: bearer(await sign(second, { sub: 'u-2' })) })).status).toBe(200);
    expect(jwks.fetches).toBe(fetchesBefore + 1);
    expect(service.last().headers['x-user-id']).toBe('u-2');
  });

  it('refuses a token whose kid the issuer no longer publishes', async () => {
    await new Promise((resolve) => setTimeout(resolve, 150));
    const retired = await sign(first, { sub: 'u-1' }, { kid: 'key-2026-00' });
    expect((await request(monolith.url, '/api/orders', { headers: bearer(retired) })).status).toBe(401);
  });
});
