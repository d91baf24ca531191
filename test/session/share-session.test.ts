// Sharing the monolith's session: the route's listed req.session keys reach the service signed, as a
// claim a standard JWT library verifies against the JWKS figway serves; nothing else leaves the process.
import type { RequestHandler } from 'express';
import cookieSession from 'cookie-session';
import session from 'express-session';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FigwayConfig } from '../../src/config/schema.js';
import { EXPRESS_VERSIONS } from '../helpers/express-versions.js';
import { captureLogs } from '../helpers/log-capture.js';
import { startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { keyPair, type KeyPair } from '../helpers/tokens.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const SESSION_SECRET = 'a-session-secret-for-the-tests-0123456789';

/** The session stores the suite runs against: express-session's memory store, and cookie-session (the session in the cookie itself). */
const SESSIONS: [string, () => RequestHandler][] = [
  ['express-session', () => session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }) as unknown as RequestHandler],
  ['cookie-session', () => cookieSession({ name: 'shop', keys: [SESSION_SECRET] }) as unknown as RequestHandler],
];

type Session = Record<string, unknown>;

/** The monolith's own login: fills the session (a big cart with ?big), and, with ?user, logs a user in (req.user from the session). */
const login: RequestHandler = (req, res, next) => {
  const stored = (req as unknown as { session: Session }).session;
  const user = stored.userId;
  if (typeof user === 'string') (req as unknown as { user: object }).user = { id: user };
  if (req.path !== '/login') return next();
  stored.cart = req.query.big === undefined ? [{ sku: 'A1', qty: 2 }] : Array.from({ length: 200 }, (_, i) => ({ sku: `SKU-${i}`, qty: i }));
  stored.locale = 'de';
  stored.flags = { beta: true, dark: false };
  stored.secret = 'payment-token-never-shared';
  if (typeof req.query.user === 'string') stored.userId = req.query.user;
  res.json({ ok: true });
};

/** Every cookie the login set, as a Cookie header. */
const cookiesOf = (setCookie: string[] | undefined): string => (setCookie ?? []).map((line) => line.split(';', 1)[0]).join('; ');

/** Both forwarding engines: the session goes out through the proxy hooks either runs. */
const ENGINES = ['http-proxy-middleware', 'undici'] as const;

describe.each(EXPRESS_VERSIONS)('sharing the session (%s)', (_label, express) => {
  describe.each(SESSIONS.flatMap(([store, middleware]) => ENGINES.map((engine) => [store, middleware, engine] as const)))('with %s, %s', (_store, middleware, engine) => {
    let signing: KeyPair;
    let service: Upstream;
    let monolith: Monolith;
    let verify: (token: string) => Promise<JWTPayload>;

    const config = (): FigwayConfig => ({
      auth: { token: { privateKey: signing.privatePem, audience: 'cart-service' } },
      session: { share: ['cart', 'locale', 'flags.*'], maxBytes: '2kb' },
      routes: [
        { id: 'cart', match: { path: '/api/cart' }, upstream: service.url },
        { id: 'profile', match: { path: '/api/profile' }, upstream: service.url, session: { share: ['locale'] } },
        { id: 'catalog', match: { path: '/api/catalog' }, upstream: service.url, session: { share: [] } },
      ],
    });

    const loginAs = async (query = ''): Promise<string> => cookiesOf((await request(monolith.url, `/login${query}`)).headers['set-cookie']);

    beforeAll(async () => {
      signing = await keyPair('ES256', 'unused');
      service = await startUpstream('cart');
      monolith = await startMonolith(express, { config: config() }, { before: [middleware(), login], engine });
      const jwks = createRemoteJWKSet(new URL(`${monolith.url}/.well-known/figway/jwks.json`));
      verify = async (token) => (await jwtVerify(token, jwks, { issuer: 'figway', audience: 'cart-service', algorithms: ['ES256'] })).payload;
    });
    afterAll(async () => {
      await monolith.close();
      await service.close();
    });

    it('sends exactly the listed keys, signed, in their own token when nobody is logged in', async () => {
      const cookie = await loginAs();
      expect((await request(monolith.url, '/api/cart', { headers: { cookie } })).status).toBe(200);
      const sent = service.last().headers;
      expect(sent['x-figway-identity']).toBeUndefined();
      const payload = await verify(sent['x-figway-session'] as string);
      expect(payload.session).toEqual({ cart: [{ sku: 'A1', qty: 2 }], locale: 'de', flags: { beta: true, dark: false } });
      expect(payload.sub).toBeUndefined();
      expect(JSON.stringify(sent)).not.toContain('payment-token-never-shared');
    });

    it("puts the session in the identity token's session claim when there is a caller", async () => {
      const cookie = await loginAs('?user=u-42');
      expect((await request(monolith.url, '/api/cart', { headers: { cookie } })).status).toBe(200);
      const sent = service.last().headers;
      expect(sent['x-figway-session']).toBeUndefined();
      const payload = await verify(sent['x-figway-identity'] as string);
      expect(payload).toMatchObject({ sub: 'u-42', src: 'session', session: { cart: [{ sku: 'A1', qty: 2 }], locale: 'de', flags: { beta: true, dark: false } } });
    });

    it("follows the route's own list over the default, and shares nothing where the list is empty", async () => {
      const cookie = await loginAs();
      await request(monolith.url, '/api/profile', { headers: { cookie } });
      expect((await verify(service.last().headers['x-figway-session'] as string)).session).toEqual({ locale: 'de' });
      await request(monolith.url, '/api/catalog', { headers: { cookie } });
      expect(service.last().url).toBe('/api/catalog');
      expect(service.last().headers['x-figway-session']).toBeUndefined();
    });

    it('never passes on a session header the client sent', async () => {
      const cookie = await loginAs();
      const forged = 'eyJhbGciOiJub25lIn0.eyJzZXNzaW9uIjp7fX0.forged';
      await request(monolith.url, '/api/catalog', { headers: { cookie, 'x-figway-session': forged, x_figway_session: forged } });
      expect(service.last().url).toBe('/api/catalog');
      expect(service.last().rawHeaders.join('\n')).not.toContain(forged);
      await request(monolith.url, '/api/cart', { headers: { cookie, 'x-figway-session': forged } });
      expect((await verify(service.last().headers['x-figway-session'] as string)).session).toMatchObject({ locale: 'de' });
    });

    it('answers 500 FIGWAY_SESSION_TOO_LARGE, in the log too, rather than send a session cut short', async () => {
      const cookie = await loginAs('?big');
      const before = service.received.length;
      const reply = await request(monolith.url, '/api/cart', { headers: { cookie } });
      expect(reply.status).toBe(500);
      expect(reply.json()).toMatchObject({ error: { code: 'FIGWAY_SESSION_TOO_LARGE' } });
      expect(reply.json<{ error: { message: string } }>().error.message).toMatch(/^route cart shares \d+ bytes of the session, more than session.maxBytes \(2048\)$/);
      expect(service.received.length).toBe(before);
    });
  });

  it('warns once, and sends no session, when the session middleware is not before figway', async () => {
    const logs = captureLogs();
    const signing = await keyPair('ES256', 'unused');
    const service = await startUpstream('cart');
    const monolith = await startMonolith(express, {
      logger: logs.logger,
      config: { auth: { token: { privateKey: signing.privatePem } }, session: { share: ['cart'] }, routes: [{ id: 'cart', match: { path: '/api/cart' }, upstream: service.url }] },
    });
    try {
      for (let i = 0; i < 2; i++) expect((await request(monolith.url, '/api/cart')).status).toBe(200);
      expect(service.last().headers['x-figway-session']).toBeUndefined();
      expect(logs.lines.filter((line) => line.code === 'FIGWAY_SESSION_NOT_FOUND')).toEqual([
        expect.objectContaining({ route: 'cart', msg: "figway: route cart shares session keys but the request has no req.session; mount the app's session middleware before figway" }),
      ]);
    } finally {
      await monolith.close();
      await service.close();
    }
  });

  it('says at start-up in server mode that there is no session to share', async () => {
    const logs = captureLogs();
    const signing = await keyPair('ES256', 'unused');
    const monolith = await startMonolith(
      express,
      {
        logger: logs.logger,
        config: {
          auth: { token: { privateKey: signing.privatePem } },
          routes: [
            { id: 'cart', match: { path: '/api/cart' }, upstream: 'http://127.0.0.1:9', session: { share: ['cart'] } },
            { id: 'catalog', match: { path: '/api/catalog' }, upstream: 'http://127.0.0.1:9' },
          ],
        },
      },
      { mode: 'server' },
    );
    try {
      expect(logs.lines.filter((line) => line.code === 'FIGWAY_SERVER_NO_SESSION_SHARE')).toEqual([expect.objectContaining({ level: 40, routes: ['cart'] })]);
    } finally {
      await monolith.close();
    }
  });
});
