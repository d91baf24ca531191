// Sharing the monolith's session: the route's listed req.session keys reach the service signed, as a
// claim a standard JWT library verifies against the JWKS figway serves; nothing else leaves the process.
import type { RequestHandler } from 'express';
import cookieSession from 'cookie-session';
import { RedisStore } from 'connect-redis';
import session from 'express-session';
import { createClient } from 'redis';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FigwayConfig } from '../../src/config/schema.js';
import { EXPRESS_VERSIONS } from '../helpers/express-versions.js';
import { captureLogs } from '../helpers/log-capture.js';
import { startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { REDIS_MISSING, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { keyPair, type KeyPair } from '../helpers/tokens.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const SESSION_SECRET = 'a-session-secret-for-the-tests-0123456789';

let redis: RedisServer | undefined;
const redisClients: { quit(): Promise<unknown> }[] = [];
afterAll(async () => {
  for (const client of redisClients) await client.quit();
  await redis?.stop();
});

/** express-session keeping its sessions in a real redis-server, through connect-redis. */
async function redisSessions(): Promise<RequestHandler> {
  redis ??= await startRedisServer();
  const client = createClient({ url: redis.url });
  redisClients.push(client);
  await client.connect();
  // connect-redis types its client for any modules and RESP version; this one is the plain default.
  const store = new RedisStore({ client: client as unknown as ConstructorParameters<typeof RedisStore>[0]['client'], prefix: `figway-test-${redisClients.length}:` });
  return session({ store, secret: SESSION_SECRET, resave: false, saveUninitialized: false }) as unknown as RequestHandler;
}

/**
 * The session stores the suite runs against: express-session with its memory store and with a
 * Redis store, and cookie-session (the session in the cookie itself).
 */
const SESSIONS: [string, () => RequestHandler | Promise<RequestHandler>, string][] = [
  ['express-session', () => session({ secret: SESSION_SECRET, resave: false, saveUninitialized: false }) as unknown as RequestHandler, 'connect.sid'],
  ...(REDIS_MISSING === undefined ? [['express-session with connect-redis', redisSessions, 'connect.sid'] as [string, () => Promise<RequestHandler>, string]] : []),
  // cookie-session keeps the whole session in its cookie: auth.sessionCookie must name it, or the service gets every key.
  ['cookie-session', () => cookieSession({ name: 'shop', keys: [SESSION_SECRET] }) as unknown as RequestHandler, 'shop'],
];

type Session = Record<string, unknown>;

/** The monolith's own login: fills the session (a big cart with ?big), and, with ?user, logs a user in (req.user from the session). */
const login: RequestHandler = (req, res, next) => {
  const stored = (req as unknown as { session: Session }).session;
  const user = stored.userId;
  if (typeof user === 'string') (req as unknown as { user: object }).user = { id: user };
  if (req.path === '/session') return res.json({ cart: stored.cart, locale: stored.locale, secret: stored.secret });
  if (req.path !== '/login') return next();
  stored.cart = req.query.big === undefined ? [{ sku: 'A1', qty: 2 }] : Array.from({ length: 200 }, (_, i) => ({ sku: `SKU-${i}`, qty: i }));
  stored.locale = 'de';
  stored.flags = { beta: true, dark: false };
  stored.secret = 'payment-token-never-shared';
  if (typeof req.query.user === 'string') stored.userId = req.query.user;
  res.json({ ok: true });
};

/** What the writing service answers: a patch of the cart (and of a key it may not write), with the status its path ends in. */
const PATCH = Buffer.from(JSON.stringify({ cart: [{ sku: 'Z9', qty: 1 }], secret: 'stolen' })).toString('base64url');
const writer = (req: { url?: string }, res: import('node:http').ServerResponse) => {
  res.statusCode = req.url?.endsWith('503') ? 503 : 200;
  res.setHeader('x-figway-session-patch', PATCH);
  res.setHeader('content-type', 'application/json');
  res.end('{"service":"checkout"}');
};

/** Every cookie the login set, as a Cookie header. */
const cookiesOf = (setCookie: string[] | undefined): string => (setCookie ?? []).map((line) => line.split(';', 1)[0]).join('; ');

/** Both forwarding engines: the session goes out through the proxy hooks either runs. */
const ENGINES = ['http-proxy-middleware', 'undici'] as const;

describe.each(EXPRESS_VERSIONS)('sharing the session (%s)', (_label, express) => {
  describe.each(SESSIONS.flatMap(([store, middleware, cookieName]) => ENGINES.map((engine) => [store, engine, middleware, cookieName] as const)))('with %s, %s', (_store, engine, middleware, cookieName) => {
    let signing: KeyPair;
    let service: Upstream;
    let checkout: Upstream;
    let logs: ReturnType<typeof captureLogs>;
    let monolith: Monolith;
    /** The routes whose service responses figway's response hooks saw. */
    const presented: string[] = [];
    let verify: (token: string) => Promise<JWTPayload>;

    const config = (): FigwayConfig => ({
      auth: { token: { privateKey: signing.privatePem, audience: 'cart-service' }, sessionCookie: { name: cookieName } },
      session: { share: ['cart', 'locale', 'flags.*'], maxBytes: '2kb' },
      routes: [
        { id: 'cart', match: { path: '/api/cart' }, upstream: service.url },
        { id: 'profile', match: { path: '/api/profile' }, upstream: service.url, session: { share: ['locale'] } },
        { id: 'catalog', match: { path: '/api/catalog' }, upstream: service.url, session: { share: [] } },
        { id: 'checkout', match: { path: '/api/checkout' }, upstream: checkout.url, session: { write: ['cart'] }, fallback: { on: [503] } },
        { id: 'checkout-shadow', match: { path: '/api/shadowed-checkout' }, upstream: checkout.url, rollout: { percent: 0 }, session: { write: ['cart'] }, shadow: { percent: 100 } },
      ],
    });

    const loginAs = async (query = ''): Promise<string> => cookiesOf((await request(monolith.url, `/login${query}`)).headers['set-cookie']);

    beforeAll(async () => {
      signing = await keyPair('ES256', 'unused');
      service = await startUpstream('cart');
      checkout = await startUpstream('checkout', writer);
      logs = captureLogs();
      const probe = { name: 'probe', setup: () => ({ onProxyResponse: (_res: unknown, ctx: { route: { id: string } }) => void presented.push(ctx.route.id) }) };
      monolith = await startMonolith(express, { config: config(), logger: logs.logger, plugins: [probe] }, { before: [await middleware(), login], engine });
      const jwks = createRemoteJWKSet(new URL(`${monolith.url}/.well-known/figway/jwks.json`));
      verify = async (token) => (await jwtVerify(token, jwks, { issuer: 'figway', audience: 'cart-service', algorithms: ['ES256'] })).payload;
    });
    afterAll(async () => {
      await monolith.close();
      await service.close();
      await checkout.close();
    });

    /** The session as the monolith's own handler sees it now. */
    const sessionNow = async (cookie: string) => (await request(monolith.url, '/session', { headers: { cookie } })).json();
    /** The cookies to send next: the session cookies a response set (cookie-session keeps the session in them), else the same. */
    const next = (cookie: string, setCookie: string[] | undefined) => (setCookie?.length ? cookiesOf(setCookie) : cookie);

    it("applies the service's patch to the keys the route lets it write, refuses and logs the rest, and hides the patch from the client", async () => {
      const cookie = await loginAs();
      const reply = await request(monolith.url, '/api/checkout', { headers: { cookie } });
      expect(reply.status).toBe(200);
      expect(reply.json()).toEqual({ service: 'checkout' });
      expect(reply.headers['x-figway-session-patch']).toBeUndefined();
      const after = next(cookie, reply.headers['set-cookie']);
      expect(await sessionNow(after)).toEqual({ cart: [{ sku: 'Z9', qty: 1 }], locale: 'de', secret: 'payment-token-never-shared' });
      // The next request shares the cart as it is now, not a token signed for the old one.
      await request(monolith.url, '/api/cart', { headers: { cookie: after } });
      expect((await verify(service.last().headers['x-figway-session'] as string)).session).toMatchObject({ cart: [{ sku: 'Z9', qty: 1 }] });
      expect(logs.lines.filter((line) => line.code === 'FIGWAY_SESSION_WRITE_REFUSED')).toContainEqual(
        expect.objectContaining({ route: 'checkout', keys: ['secret'], msg: 'figway: the service of route checkout tried to change session keys it may not (secret); they were left as they were' }),
      );
    });

    it('leaves the session as it was when the response falls back to legacy', async () => {
      const cookie = await loginAs();
      const reply = await request(monolith.url, '/api/checkout/503', { headers: { cookie } });
      expect(reply.json()).toMatchObject({ service: 'legacy' });
      expect(await sessionNow(next(cookie, reply.headers['set-cookie']))).toMatchObject({ cart: [{ sku: 'A1', qty: 2 }] });
    });

    it('never takes a patch from a shadow copy', async () => {
      const cookie = await loginAs();
      const before = checkout.received.length;
      const reply = await request(monolith.url, '/api/shadowed-checkout', { headers: { cookie } });
      expect(reply.json()).toMatchObject({ service: 'legacy' });
      await expect.poll(() => checkout.received.length).toBe(before + 1);
      // The copy's answer never went through the response hooks, where a patch is applied (the service's own answers did).
      expect(presented).toContain('checkout');
      expect(presented).not.toContain('checkout-shadow');
      expect(await sessionNow(next(cookie, reply.headers['set-cookie']))).toMatchObject({ cart: [{ sku: 'A1', qty: 2 }] });
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
      // Nor is the session itself sent along in its cookie (cookie-session's holds every key).
      expect(sent.cookie ?? '').not.toMatch(new RegExp(`(^|; )${cookieName.replace('.', '\\.')}=`));
    });

    it("puts the session in the identity token's session claim when there is a caller", async () => {
      const cookie = await loginAs('?user=u-42');
      expect((await request(monolith.url, '/api/cart', { headers: { cookie } })).status).toBe(200);
      const sent = service.last().headers;
      expect(sent['x-figway-session']).toBeUndefined();
      const payload = await verify(sent['x-figway-identity'] as string);
      expect(payload).toMatchObject({ sub: 'u-42', src: 'session', session: { cart: [{ sku: 'A1', qty: 2 }], locale: 'de', flags: { beta: true, dark: false } } });
      // The same caller on a route that shares nothing: a token reused or signed without the session.
      await request(monolith.url, '/api/catalog', { headers: { cookie } });
      const plain = await verify(service.last().headers['x-figway-identity'] as string);
      expect(plain.sub).toBe('u-42');
      expect(plain.session).toBeUndefined();
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
      await expect.poll(() => logs.lines.filter((line) => (line.error as { code?: string } | undefined)?.code === 'FIGWAY_SESSION_TOO_LARGE')).toEqual([
        expect.objectContaining({ level: 50, route: 'cart', msg: 'request errored' }),
      ]);
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
