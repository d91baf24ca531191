// Two readings of one path (Envoy CVE-2019-9901, ESPv2 CVE-2021-29492): whatever the spelling, the
// route, the auth rule and the rate limit are decided on exactly the path the service receives (or
// the monolith routes on), or the request is refused with 400 FIGWAY_REQUEST_BAD_PATH.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPRESS_VERSIONS } from '../helpers/express-versions.js';
import { startMonolith, type Monolith } from '../helpers/monolith.js';
import { request, type Reply } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { rawExchange } from './helpers/raw-client.js';

const KEY = 'ops-key-0123456789abcdef';

/** What must happen to one spelling of a path. */
type Expected =
  /** Served by the service on `route`, which received exactly `path`. */
  | { readonly service: string; readonly path: string }
  /** A route that requires authentication took it: 401 without a key; with the key the service received `path`. */
  | { readonly auth: string; readonly path: string }
  /** Left to the monolith, which routed on `routed`. */
  | { readonly legacy: string }
  /** Refused as ambiguous. */
  | { readonly refused: true };

const CASES: [string, Expected][] = [
  ['/api/public/./a', { service: 'public', path: '/api/public/a' }],
  ['/api/public/a/../b', { service: 'public', path: '/api/public/b' }],
  ['/api/public/../admin/a', { auth: 'admin', path: '/api/admin/a' }],
  ['/api/public/%2e%2e/admin/a', { auth: 'admin', path: '/api/admin/a' }],
  ['/api/public/%2E%2E/admin/a', { auth: 'admin', path: '/api/admin/a' }],
  ['/api/public/.%2e/admin/a', { auth: 'admin', path: '/api/admin/a' }],
  ['/api/admin/%2e%2e/public/a', { service: 'public', path: '/api/public/a' }],
  ['/api//admin/a', { auth: 'admin', path: '/api/admin/a' }],
  ['//api/admin/a', { auth: 'admin', path: '/api/admin/a' }],
  ['/api/./admin//a/', { auth: 'admin', path: '/api/admin/a/' }],
  ['/API/Admin/a', { auth: 'admin', path: '/api/admin/a' }],
  ['/API/PUBLIC/MiXeD', { service: 'public', path: '/api/public/MiXeD' }],
  ['/api/%61dmin/a', { auth: 'admin', path: '/api/admin/a' }],
  ['/api/public/%252e%252e/admin', { service: 'public', path: '/api/public/%252e%252e/admin' }],
  ['/api/public/a?next=/../admin', { service: 'public', path: '/api/public/a?next=/../admin' }],
  ['http://evil.example/api/public/../admin/a', { auth: 'admin', path: '/api/admin/a' }],
  ['/api/public%2F..%2Fadmin/a', { refused: true }],
  ['/api/public/..%2Fadmin/a', { refused: true }],
  ['/api/public/..%2fadmin/a', { refused: true }],
  ['/api/public/..%5Cadmin/a', { refused: true }],
  ['/api/public/..\\admin/a', { refused: true }],
  ['/api/admin%00/a', { refused: true }],
  ['/api/public/%C0%AE%C0%AE/admin/a', { refused: true }],
  ['/api/public/%c0%ae%c0%ae/admin/a', { refused: true }],
  ['/api/public/%E0%80%AE%E0%80%AE/admin/a', { refused: true }],
  ['/api/public/%ZZ', { refused: true }],
  ['/api/files/a%2Fb', { refused: true }],
  ['/api/admin/a#/../../public', { refused: true }],
  ['/api/legacy/x/../y?q=1', { legacy: '/api/legacy/y?q=1' }],
  ['/api/public/../legacy/y', { legacy: '/api/legacy/y' }],
  ['/api/legacy/%2e%2e/admin/a', { auth: 'admin', path: '/api/admin/a' }],
];

describe.each(EXPRESS_VERSIONS)('path ambiguity (%s)', (_label, express) => {
  let service: Upstream;
  let monolith: Monolith;

  beforeAll(async () => {
    service = await startUpstream('service');
    const limits = { limit: 100_000, window: '1m' };
    monolith = await startMonolith(
      express,
      {
        config: {
          auth: { default: 'none', sources: ['apiKey'], apiKeys: { header: 'x-api-key', keys: [{ id: 'ops', key: KEY, roles: ['ops'] }] } },
          routes: [
            { id: 'public', match: { path: '/api/public' }, upstream: service.url, limits },
            { id: 'admin', match: { path: '/api/admin' }, upstream: service.url, auth: 'required', limits },
            { id: 'files', match: { path: '/api/files/:name' }, upstream: service.url, limits },
            { id: 'legacy', match: { path: '/api/legacy' }, upstream: service.url, rollout: { percent: 0 }, limits },
            // A service behind a Tomcat/Spring-style server, which drops ";parameters" from segments.
            { id: 'svc', match: { path: '/svc' }, upstream: service.url, limits },
            { id: 'svc-admin', match: { path: '/svc/admin' }, upstream: service.url, auth: 'required', limits },
          ],
        },
      },
      {
        // The monolith guards its own admin pages: it must see the same path figway decided on.
        after: (app) => app.use('/api/legacy/admin', (_req, res) => void res.status(403).json({ service: 'legacy', guard: 'monolith' })),
      },
    );
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
  });

  /** Sends one request and returns the reply with what the service received for it. */
  async function send(target: string, headers: Record<string, string> = {}): Promise<{ reply: Reply; received: string[] }> {
    const before = service.received.length;
    const reply = await request(monolith.url, target, { headers });
    return { reply, received: service.received.slice(before).map((r) => r.url) };
  }

  function expectServed(reply: Reply, received: string[], route: string, path: string, target: string): void {
    expect(reply.status, target).toBe(200);
    expect(reply.json(), target).toEqual({ service: 'service', method: 'GET', url: path });
    expect(received, target).toEqual([path]);
    // The rate limit counted the request against the route the service path belongs to.
    expect(reply.headers.ratelimit, target).toMatch(new RegExp(`^"route:${route}:0"; r=\\d+; t=\\d+$`));
  }

  it.each(CASES)('%s', async (target, expected) => {
    if ('service' in expected) {
      const { reply, received } = await send(target);
      expectServed(reply, received, expected.service, expected.path, target);
      expect(service.received.at(-1)?.headers['x-user-id'], target).toBeUndefined();
    } else if ('auth' in expected) {
      const anonymous = await send(target);
      expect(anonymous.reply.status, target).toBe(401);
      expect(anonymous.reply.json(), target).toMatchObject({ error: { code: 'FIGWAY_AUTH_REQUIRED', message: expect.stringContaining(`route ${expected.auth} `) } });
      expect(anonymous.received, target).toEqual([]);
      const withKey = await send(target, { 'x-api-key': KEY });
      expectServed(withKey.reply, withKey.received, expected.auth, expected.path, target);
      expect(service.received.at(-1)?.headers['x-user-id'], target).toBe('ops');
    } else if ('legacy' in expected) {
      const { reply, received } = await send(target);
      expect(reply.status, target).toBe(200);
      expect(reply.json(), target).toMatchObject({ service: 'legacy', routedUrl: expected.legacy });
      expect(reply.headers.ratelimit, target).toMatch(/^"route:legacy:0"/);
      expect(received, target).toEqual([]);
    } else {
      for (const headers of [{}, { 'x-api-key': KEY }] as Record<string, string>[]) {
        const { reply, received } = await send(target, headers);
        expect(reply.status, target).toBe(400);
        expect(reply.headers['x-figway-error'], target).toBe('FIGWAY_REQUEST_BAD_PATH');
        expect(reply.json(), target).toMatchObject({ error: { code: 'FIGWAY_REQUEST_BAD_PATH', status: 400 } });
        expect(received, target).toEqual([]);
      }
    }
  });

  it('gives the monolith the normalised path, so its own guards see what figway decided on', async () => {
    for (const target of ['/api/legacy/x/../admin', '/api/legacy/%2e/admin', '/api/legacy//admin']) {
      const { reply, received } = await send(target);
      expect(reply.status, target).toBe(403);
      expect(reply.json(), target).toEqual({ service: 'legacy', guard: 'monolith' });
      expect(received, target).toEqual([]);
    }
  });

  it('refuses a raw NUL in the request line before anything is routed (Node answers 400 itself)', async () => {
    const before = service.received.length;
    for (const target of ['/api/admin\0/a', '/api/public/\0../admin']) {
      const exchange = await rawExchange(monolith.port, `GET ${target} HTTP/1.1\r\nHost: shop.example\r\n\r\n`);
      expect(exchange.responses.map((r) => r.status), JSON.stringify(target)).toEqual([400]);
      expect(exchange.closed).toBe(true);
    }
    expect(service.received.length).toBe(before);
  });

  it('refuses raw backslashes and encoded separators on the raw wire too, whatever the reading', async () => {
    const before = service.received.length;
    for (const target of ['/api\\admin/a', '/api/public\\..\\admin', '/api/public/%2e%2e%5cadmin', '/api/public/%2e%2e%2fadmin']) {
      const exchange = await rawExchange(monolith.port, `GET ${target} HTTP/1.1\r\nHost: shop.example\r\nX-Api-Key: ${KEY}\r\nConnection: close\r\n\r\n`);
      expect(exchange.responses.map((r) => [r.status, r.headers['x-figway-error']]), target).toEqual([[400, 'FIGWAY_REQUEST_BAD_PATH']]);
    }
    expect(service.received.length).toBe(before);
  });

  describe('";" parameters, which Tomcat, Jetty and Spring drop from a segment before routing', () => {
    // "/svc/admin;x=1/secret" is a path under /svc to Express but /svc/admin/secret to such a
    // service: with two readings of one path, figway refuses it rather than pick one.
    it.each(['/svc/admin;x=1/secret', '/svc/admin;/secret', '/svc/open/..;/admin/secret', '/svc/ADMIN;jsessionid=1/secret', '/svc/admin%3Bx/secret', '/api/public/a;v=1', '/api/legacy;x/y'])(
      'refuses %s, with or without credentials, and sends nothing on',
      async (target) => {
        for (const headers of [{}, { 'x-api-key': KEY }] as Record<string, string>[]) {
          const { reply, received } = await send(target, headers);
          expect(received, target).toEqual([]);
          expect([reply.status, reply.headers['x-figway-error']], target).toEqual([400, 'FIGWAY_REQUEST_BAD_PATH']);
        }
      },
    );

    it('leaves a ";" path that no reading routes to the monolith untouched', async () => {
      const { reply, received } = await send('/shop;jsessionid=1/cart');
      expect(reply.json()).toMatchObject({ service: 'legacy', routedUrl: '/shop;jsessionid=1/cart' });
      expect(reply.headers['x-figway-error']).toBeUndefined();
      expect(received).toEqual([]);
    });

    it('forwards a ";" in the query string as sent', async () => {
      const { reply, received } = await send('/api/public/a?x=1;y=2');
      expectServed(reply, received, 'public', '/api/public/a?x=1;y=2', '/api/public/a?x=1;y=2');
    });
  });
});

describe.each(EXPRESS_VERSIONS)('a path that normalising takes out from under the mount path (%s)', (_label, express) => {
  let service: Upstream;
  let monolith: Monolith;

  beforeAll(async () => {
    service = await startUpstream('service');
    monolith = await startMonolith(
      express,
      { config: { routes: [{ id: 'orders', match: { path: '/api/orders' }, upstream: service.url }, { id: 'cart', match: { path: '/shop/cart' }, upstream: service.url }] } },
      {
        // The app guards /api itself; figway is mounted under /shop only.
        before: [(req, res, next) => (req.url.startsWith('/api/') ? void res.status(401).json({ guard: 'app' }) : next())],
        mountPath: '/shop',
      },
    );
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
  });

  it('is refused, never sent to the route it would reach past the app\'s own guard', async () => {
    expect((await request(monolith.url, '/api/orders')).json()).toEqual({ guard: 'app' });
    for (const target of ['/shop/../api/orders', '/shop/%2e%2e/api/orders', '/shop/./../api/orders/7']) {
      const reply = await request(monolith.url, target);
      expect(reply.status, target).toBe(400);
      expect(reply.json(), target).toMatchObject({ error: { code: 'FIGWAY_REQUEST_BAD_PATH' } });
    }
    expect(service.received).toEqual([]);
    expect((await request(monolith.url, '/shop/cart')).json()).toMatchObject({ service: 'service', url: '/shop/cart' });
  });
});
