// End to end, with real sockets: what the service receives and what the client gets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPRESS_VERSIONS } from '../helpers/express-versions.js';
import { GATEWAY_SETUPS, startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const CASES = EXPRESS_VERSIONS.flatMap(([label, express]) => GATEWAY_SETUPS.map((setup) => [label, express, setup.label, setup] as const));

describe.each(CASES)('proxying (%s, %s)', (_label, express, _setup, { mode, engine }) => {
  let orders: Upstream;
  let users: Upstream;
  let monolith: Monolith;

  beforeAll(async () => {
    orders = await startUpstream('orders');
    users = await startUpstream('users', (req, res) => {
      if (req.url === '/users/redirect') {
        res.writeHead(302, { location: `${users.url}/users/7?from=redirect` }).end();
      } else if (req.url === '/users/cookie') {
        res.setHeader('set-cookie', [`sid=1; Domain=127.0.0.1; Path=/users; HttpOnly`, 'theme=dark; Path=/']);
        res.end('ok');
      } else {
        res.setHeader('content-type', 'application/json');
        res.setHeader('keep-alive', 'timeout=5');
        res.end(JSON.stringify({ service: 'users', url: req.url }));
      }
    });
    monolith = await startMonolith(express, {
      config: {
        upstreams: { orders: { url: orders.url } },
        routes: [
          { id: 'orders', match: { path: '/api/orders', methods: ['GET', 'POST'] }, upstream: 'orders' },
          { id: 'users', match: { path: '/api/users/:id' }, upstream: users.url, rewrite: { stripPrefix: '/api' } },
          { id: 'beta', match: { path: '/api/beta', host: 'beta.example.com', headers: { 'x-beta': ['1', 'yes'] } }, upstream: 'orders' },
          { id: 'off', match: { path: '/api/off' }, upstream: 'orders', rollout: { percent: 0 } },
        ],
      },
    }, { mode, engine });
  });
  afterAll(async () => {
    await monolith.close();
    await orders.close();
    await users.close();
  });

  it('lets a request that matches no route fall through to the monolith untouched', async () => {
    const before = orders.received.length;
    const reply = await request(monolith.url, '/account?tab=1');
    expect(reply.json()).toEqual({ service: 'legacy', method: 'GET', url: '/account?tab=1', routedUrl: '/account?tab=1', body: null });
    expect(orders.received.length).toBe(before);
  });

  it('matches a prefix on segment boundaries only', async () => {
    expect((await request(monolith.url, '/api/orders')).json().service).toBe('orders');
    expect((await request(monolith.url, '/api/orders/7/lines?x=1')).json()).toMatchObject({ service: 'orders', url: '/api/orders/7/lines?x=1' });
    expect((await request(monolith.url, '/api/ordersx')).json().service).toBe('legacy');
    expect((await request(monolith.url, '/api/order')).json().service).toBe('legacy');
  });

  it('matches :param patterns exactly and applies stripPrefix', async () => {
    expect((await request(monolith.url, '/api/users/42?full=1')).json()).toEqual({ service: 'users', url: '/users/42?full=1' });
    expect((await request(monolith.url, '/api/users/42/orders')).json().service).toBe('legacy');
    expect((await request(monolith.url, '/api/users')).json().service).toBe('legacy');
  });

  it('leaves methods a route does not take to the monolith (GET implies HEAD)', async () => {
    expect((await request(monolith.url, '/api/orders', { method: 'DELETE' })).json().service).toBe('legacy');
    const head = await request(monolith.url, '/api/orders', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(orders.last().method).toBe('HEAD');
  });

  it('matches host and header conditions', async () => {
    const path = '/api/beta';
    expect((await request(monolith.url, path, { headers: { host: 'beta.example.com', 'x-beta': 'yes' } })).json().service).toBe('orders');
    expect((await request(monolith.url, path, { headers: { host: 'beta.example.com:8080', 'x-beta': '1' } })).json().service).toBe('orders');
    expect((await request(monolith.url, path, { headers: { host: 'beta.example.com', 'x-beta': 'no' } })).json().service).toBe('legacy');
    expect((await request(monolith.url, path, { headers: { host: 'www.example.com', 'x-beta': '1' } })).json().service).toBe('legacy');
  });

  it('sends nothing to a service at 0%', async () => {
    const before = orders.received.length;
    expect((await request(monolith.url, '/api/off/1')).json().service).toBe('legacy');
    expect(orders.received.length).toBe(before);
  });

  it('removes hop-by-hop headers both ways and sets X-Forwarded-* from the socket when trust proxy is off', async () => {
    const reply = await request(monolith.url, '/api/users/9', {
      headers: {
        connection: 'keep-alive, x-drop-me',
        'x-drop-me': 'secret',
        'keep-alive': 'timeout=100',
        te: 'gzip',
        'proxy-authorization': 'Basic eA==',
        'x-forwarded-for': '6.6.6.6',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
        'x-forwarded-prefix': '/admin',
        'x-original-url': '/admin',
        'true-client-ip': '6.6.6.6',
        forwarded: 'for=6.6.6.6',
        host: 'shop.example.com',
      },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['keep-alive']).toBeUndefined();
    expect(reply.headers.connection).toBe('keep-alive');
    const seen = users.last().headers;
    for (const name of ['x-drop-me', 'keep-alive', 'te', 'proxy-authorization', 'forwarded', 'x-forwarded-prefix', 'x-original-url', 'true-client-ip']) {
      expect(seen[name], name).toBeUndefined();
    }
    expect(seen['x-forwarded-port']).toBe(String(monolith.port));
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-real-ip']).toBe('127.0.0.1');
    expect(seen['x-forwarded-host']).toBe('shop.example.com');
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen.host).toBe(new URL(users.url).host);
  });

  it('rewrites a Location that points at the service to the public path, never trusting Host to build a URL', async () => {
    const reply = await request(monolith.url, '/api/users/redirect', { headers: { host: 'evil.example' } });
    expect(reply.status).toBe(302);
    expect(reply.headers.location).toBe('/api/users/7?from=redirect');
  });

  it('sends the route\'s spelling of a case-insensitive match, and the caller\'s parameters', async () => {
    expect((await request(monolith.url, '/API/Orders/AbC')).json()).toMatchObject({ service: 'orders', url: '/api/orders/AbC' });
  });

  it('proxies the normalised path of a target the proxy library could not parse itself', async () => {
    expect((await request(monolith.url, '//a:b/../api/orders/5')).json()).toMatchObject({ service: 'orders', url: '/api/orders/5' });
  });

  it('refuses a target Express would route to a figway path but figway would read otherwise', async () => {
    for (const target of ['/api/orders#frag', 'ws://shop.example/api/orders', '/api%2Forders', '/api/users/a%2Fb']) {
      const reply = await request(monolith.url, target);
      expect(reply.status, target).toBe(400);
      expect(reply.json(), target).toMatchObject({ error: { code: 'FIGWAY_REQUEST_BAD_PATH' } });
    }
  });

  it('gives the monolith the path figway matched when normalising changed it', async () => {
    expect((await request(monolith.url, '/api/off/x/../1?q=2')).json()).toMatchObject({ service: 'legacy', routedUrl: '/api/off/1?q=2' });
  });

  it('rewrites Set-Cookie Domain and Path that name the service', async () => {
    const reply = await request(monolith.url, '/api/users/cookie');
    expect(reply.headers['set-cookie']).toEqual(['sid=1; Path=/api/users; HttpOnly', 'theme=dark; Path=/']);
  });
});

describe.each(CASES)('trust proxy and mount paths (%s, %s)', (_label, express, _setup, { mode, engine }) => {
  let service: Upstream;
  let monolith: Monolith;

  beforeAll(async () => {
    service = await startUpstream('orders');
    monolith = await startMonolith(
      express,
      { config: { routes: [{ id: 'orders', match: { path: '/shop/api/orders' }, upstream: service.url }] } },
      // Server mode has no mount path: figway sees the whole URL either way.
      { settings: { 'trust proxy': 'loopback' }, mode, engine, ...(mode === 'middleware' ? { mountPath: '/shop' } : {}) },
    );
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
  });

  it('builds the upstream path from the original URL, whatever the mount path', async () => {
    expect((await request(monolith.url, '/shop/api/orders/1?a=b')).json()).toMatchObject({ service: 'orders', url: '/shop/api/orders/1?a=b' });
  });

  it('appends to X-Forwarded-For and keeps forwarded host and proto from a trusted proxy', async () => {
    await request(monolith.url, '/shop/api/orders', {
      headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.example.com', forwarded: 'for=203.0.113.9;proto=https' },
    });
    const seen = service.last().headers;
    expect(seen['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(seen.forwarded).toBe('for=203.0.113.9;proto=https, for=127.0.0.1');
    expect(seen['x-real-ip']).toBe('203.0.113.9');
    expect(seen['x-forwarded-proto']).toBe('https');
    expect(seen['x-forwarded-host']).toBe('shop.example.com');
  });
});
