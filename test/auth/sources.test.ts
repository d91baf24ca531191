// The other identity sources — the monolith's session, API keys, the app's own passport strategies —
// what services receive, and what they must not (forged headers, the session cookie).
import express, { type RequestHandler } from 'express';
import passport from 'passport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketOf } from '../../src/index.js';
import { GATEWAY_MODES, startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const PARTNER_KEY = 'partner-key-0123456789abcdef';
const ENV_KEY = 'env-key-0123456789abcdef0123';

/** Stands in for express-session + passport.session(): `cookie: connect.sid=<user>` logs that user in. */
const session: RequestHandler = (req, _res, next) => {
  const sid = /connect\.sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  if (sid) (req as { user?: unknown }).user = { id: sid, roles: sid === 'ada' ? ['staff'] : ['customer'], email: `${sid}@example.com` };
  next();
};

/** The app's own passport strategy, registered on its own passport instance. */
function appPassport() {
  const instance = new passport.Passport();
  instance.use('partner-sso', {
    name: 'partner-sso',
    authenticate(this: { success(user: object): void; fail(challenge: string, status: number): void }, req: { headers: Record<string, string | undefined> }) {
      const assertion = req.headers['x-sso-assertion'];
      if (assertion === 'valid:grace') this.success({ id: 'grace', roles: ['partner'] });
      else this.fail('no SSO assertion', 401);
    },
  } as never);
  return instance;
}

describe.each(GATEWAY_MODES)('identity sources (%s mode)', (mode) => {
  let service: Upstream;
  let monolith: Monolith;
  const get = (path: string, headers: Record<string, string> = {}) => request(monolith.url, path, { headers });

  beforeAll(async () => {
    service = await startUpstream('orders');
    monolith = await startMonolith(
      express,
      {
        env: { FIGWAY_TEST_KEYS: `env-client:${ENV_KEY}` },
        passport: appPassport() as never,
        config: {
          cohorts: { staff: { user: { roles: 'staff' } } },
          auth: {
            default: 'required',
            sources: ['session', 'apiKey', 'passport:partner-sso'],
            apiKeys: { header: 'x-api-key', query: 'api_key', keys: [{ id: 'partner-a', key: PARTNER_KEY, roles: ['partner'] }], env: 'FIGWAY_TEST_KEYS' },
          },
          routes: [
            { id: 'orders', match: { path: '/api/orders' }, upstream: service.url, rollout: { percent: 50, sticky: ['user'], cohorts: { staff: 'service' } }, auth: 'optional' },
            { id: 'partners', match: { path: '/api/partners' }, upstream: service.url, auth: { roles: ['partner'] } },
            { id: 'account', match: { path: '/api/account' }, upstream: service.url },
          ],
        },
      },
      { before: [session], mode },
    );
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
  });

  // Server mode proxies before the app's session middleware runs (a documented trade-off): no req.user there.
  const withSession = it.skipIf(mode === 'server');

  withSession('takes the monolith\'s session user as is', async () => {
    expect((await get('/api/account', { cookie: 'connect.sid=grace; theme=dark' })).status).toBe(200);
    expect(service.last().headers).toMatchObject({ 'x-user-id': 'grace', 'x-user-source': 'session', 'x-user-roles': 'customer' });
  });

  withSession('does not send the monolith\'s session cookie to services, but keeps the others', async () => {
    await get('/api/account', { cookie: 'connect.sid=grace; theme=dark' });
    expect(service.last().headers.cookie).toBe('theme=dark');
  });

  withSession('uses the identity for sticky: [user] and for cohorts on user fields', async () => {
    // Both callers have a session; ada is staff (forced to the service), the other follows the bucket.
    expect((await get('/api/orders', { cookie: 'connect.sid=ada' })).json().service).toBe('orders');
    const customer = ['u1', 'u2', 'u3', 'u4', 'u5'].find((u) => bucketOf('orders', u) >= 5000) as string;
    expect((await get('/api/orders', { cookie: `connect.sid=${customer}` })).json().service).toBe('legacy');
  });

  it('accepts API keys from the header, the query parameter and the environment', async () => {
    expect((await get('/api/partners', { 'x-api-key': PARTNER_KEY })).status).toBe(200);
    expect(service.last().headers).toMatchObject({ 'x-user-id': 'partner-a', 'x-user-source': 'apiKey', 'x-user-roles': 'partner' });
    expect((await get(`/api/account?api_key=${PARTNER_KEY}`)).status).toBe(200);
    expect((await get('/api/account', { 'x-api-key': ENV_KEY })).status).toBe(200);
    expect(service.last().headers['x-user-id']).toBe('env-client');
  });

  it('refuses an unknown API key at once, without trying weaker sources', async () => {
    const reply = await get('/api/account', { 'x-api-key': 'wrong-key-0123456789abcdef', 'x-sso-assertion': 'valid:grace' });
    expect(reply.status).toBe(401);
    expect(reply.json()).toMatchObject({ error: { code: 'FIGWAY_AUTH_INVALID', message: 'unknown API key' } });
  });

  it('uses a strategy registered on the app\'s own passport, by name', async () => {
    expect((await get('/api/partners', { 'x-sso-assertion': 'valid:grace' })).status).toBe(200);
    expect(service.last().headers).toMatchObject({ 'x-user-id': 'grace', 'x-user-source': 'passport:partner-sso' });
  });

  it('answers 401 with a challenge per accepted scheme when no source finds credentials', async () => {
    const missing = await get('/api/account');
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('ApiKey header="x-api-key", Bearer realm="figway"');
  });

  withSession('answers 403 when the role is missing', async () => {
    const customer = await get('/api/partners', { cookie: 'connect.sid=grace' });
    expect(customer.status).toBe(403);
    expect(customer.json()).toMatchObject({ error: { code: 'FIGWAY_AUTH_FORBIDDEN', message: 'session identity grace has none of the roles partner' } });
  });

  const forged = { 'x-user-id': 'root', 'x-user-roles': 'admin' };

  withSession('strips forged identity headers on the session path', async () => {
    await get('/api/account', { ...forged, cookie: 'connect.sid=grace' });
    expect(service.last().headers).toMatchObject({ 'x-user-id': 'grace', 'x-user-roles': 'customer' });
  });

  it('strips forged identity headers on every other path: API key, strategy, anonymous', async () => {
    await get('/api/partners', { ...forged, 'x-api-key': PARTNER_KEY });
    expect(service.last().headers).toMatchObject({ 'x-user-id': 'partner-a', 'x-user-roles': 'partner' });
    await get('/api/partners', { ...forged, 'x-sso-assertion': 'valid:grace' });
    expect(service.last().headers).toMatchObject({ 'x-user-id': 'grace', 'x-user-roles': 'partner' });
    const before = service.received.length;
    expect((await get('/api/partners', forged)).status).toBe(401);
    expect(service.received.length).toBe(before);
  });
});
