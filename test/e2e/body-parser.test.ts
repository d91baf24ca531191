// Bodies reach services byte-identical, even when the monolith mounted body parsers before figway.
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { figway } from '../../src/index.js';
import type { FigwayPlugin } from '../../src/types.js';
import { EXPRESS_VERSIONS } from '../helpers/express-versions.js';
import { listen, type Listening } from '../helpers/listen.js';
import { ENGINE_NAMES } from '../../src/proxy/forwarder.js';
import { quietLogger, startMonolith, type Monolith } from '../helpers/monolith.js';
import { captureLogs } from '../helpers/log-capture.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const ODD_JSON = '{ "name" :  "caf\\u00e9",\n  "n": 1.50, "n": 2 }';

const stamp: FigwayPlugin<{ header: string }> = {
  name: 'stamp',
  setup: () => ({ onProxyRequest: (proxyReq, ctx, options) => proxyReq.setHeader(options.header, ctx.route.id) }),
};

// Parsers run before figway only in middleware mode (server mode peels requests off before the app).
const CASES = EXPRESS_VERSIONS.flatMap(([label, express]) => ENGINE_NAMES.map((engine) => [label, engine, express] as const));

describe.each(CASES)('request bodies (%s, %s)', (_label, engine, express) => {
  let service: Upstream;
  let monolith: Monolith;

  beforeAll(async () => {
    service = await startUpstream('orders');
    monolith = await startMonolith(
      express,
      {
        plugins: [stamp],
        config: {
          plugins: { stamp: { header: 'x-stamped' } },
          proxy: { replayBodyLimit: '64kb' },
          routes: [
            { id: 'orders', match: { path: '/api/orders' }, upstream: service.url },
            { id: 'legacy-only', match: { path: '/api/legacy' }, upstream: service.url, rollout: { percent: 0 } },
          ],
        },
      },
      { engine, before: [express.json({ limit: '1mb' }), express.urlencoded({ extended: false, limit: '1mb' })] },
    );
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
  });

  it('forwards a JSON body read by express.json() byte for byte', async () => {
    const reply = await request(monolith.url, '/api/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: ODD_JSON });
    expect(reply.json()).toMatchObject({ service: 'orders' });
    expect(service.last().body.toString('utf8')).toBe(ODD_JSON);
    expect(service.last().headers['content-length']).toBe(String(Buffer.byteLength(ODD_JSON)));
    expect(service.last().headers['x-stamped']).toBe('orders');
  });

  it('forwards an empty body a parser read as an empty body', async () => {
    const reply = await request(monolith.url, '/api/orders', { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '0' } });
    expect(reply.status).toBe(200);
    expect(service.last()).toMatchObject({ method: 'POST', body: Buffer.alloc(0) });
    expect(service.last().headers['content-length']).toBe('0');
  });

  it('forwards a form body read by express.urlencoded() byte for byte', async () => {
    const form = 'a=1&b=%20x+y&a=2&c';
    await request(monolith.url, '/api/orders', { method: 'PUT', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    expect(service.last().body.toString('utf8')).toBe(form);
  });

  it('forwards a chunked body as the bytes the client sent', async () => {
    const reply = await request(monolith.url, '/api/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: ODD_JSON,
    });
    expect(reply.status).toBe(200);
    expect(service.last().body.toString('utf8')).toBe(ODD_JSON);
  });

  it('forwards a gzip-encoded body still encoded, with its Content-Encoding', async () => {
    const gzipped = gzipSync(Buffer.from(ODD_JSON));
    await request(monolith.url, '/api/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipped,
    });
    expect(service.last().headers['content-encoding']).toBe('gzip');
    expect(service.last().body.equals(gzipped)).toBe(true);
  });

  it('leaves the parsed body to the monolith on the legacy side', async () => {
    const reply = await request(monolith.url, '/api/legacy', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(reply.json()).toMatchObject({ service: 'legacy', body: { a: 1 } });
  });

  it('streams a body no parser wanted, unchanged', async () => {
    const payload = randomBytes(3 * 1024 * 1024);
    const reply = await request(monolith.url, '/api/orders/upload', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: payload });
    expect(reply.status).toBe(200);
    const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(digest(service.last().body)).toBe(digest(payload));
  });

  it('refuses with 413 a parsed body larger than proxy.replayBodyLimit, rather than forwarding it wrong', async () => {
    const big = JSON.stringify({ blob: 'x'.repeat(100 * 1024) });
    const before = service.received.length;
    const reply = await request(monolith.url, '/api/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    expect(reply.status).toBe(413);
    expect(reply.json()).toMatchObject({ error: { code: 'FIGWAY_REQUEST_BODY_TOO_LARGE', status: 413 } });
    expect(service.received.length).toBe(before);
  });
});

describe.each(CASES)('figway mounted on a Router (%s, %s)', (_label, engine, express) => {
  let service: Upstream;
  const servers: Listening[] = [];

  beforeAll(async () => {
    service = await startUpstream('orders');
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await service.close();
  });

  async function start(attach: boolean): Promise<Listening> {
    const app = express();
    app.use(express.json());
    const gateway = figway({ logger: quietLogger, config: { proxy: { engine }, routes: [{ id: 'orders', match: { path: '/api/orders' }, upstream: service.url }] } });
    if (attach) gateway.attach(app);
    const router = express.Router();
    router.use(gateway);
    app.use(router);
    const server = await listen(app);
    servers.push(server);
    return server;
  }

  it('refuses a body it could not keep with a clear error, instead of forwarding an empty one', async () => {
    const server = await start(false);
    const reply = await request(server.url, '/api/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(reply.status).toBe(500);
    expect(reply.json()).toMatchObject({ error: { code: 'FIGWAY_REQUEST_BODY_CONSUMED' } });
  });

  it('forwards the body byte-identical once attach(app) is called', async () => {
    const server = await start(true);
    await request(server.url, '/api/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: ODD_JSON });
    expect(service.last().body.toString('utf8')).toBe(ODD_JSON);
  });
});

describe.each(EXPRESS_VERSIONS)('where the parser sits (%s)', (_label, express) => {
  let service: Upstream;
  const monoliths: Monolith[] = [];

  beforeAll(async () => {
    service = await startUpstream('orders');
  });
  afterAll(async () => {
    for (const monolith of monoliths) await monolith.close();
    await service.close();
  });

  async function start(parser: 'before' | 'after'): Promise<{ monolith: Monolith; warnings: () => Record<string, unknown>[] }> {
    const logs = captureLogs();
    const json = express.json();
    const monolith = await startMonolith(
      express,
      { logger: logs.logger, config: { routes: [{ id: 'orders', match: { path: '/api/orders' }, upstream: service.url }] } },
      parser === 'before' ? { before: [json] } : { after: (app) => app.use(json) },
    );
    monoliths.push(monolith);
    return { monolith, warnings: () => logs.lines.filter((line) => line.level === 40) };
  }
  const post = (monolith: Monolith, body: string) => request(monolith.url, '/api/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('says once, with the route, that a parser in front of figway makes uploads wait for their whole body', async () => {
    const { monolith, warnings } = await start('before');
    await post(monolith, '{"a":1}');
    await post(monolith, '{"a":2}');
    expect(service.last().body.toString('utf8')).toBe('{"a":2}');
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ route: 'orders', code: 'FIGWAY_PROXY_BODY_REPLAYED', docs: 'README.md#figway_proxy_body_replayed', msg: expect.stringContaining('Mount figway before the body parsers') });
  });

  it('says nothing when figway comes before the parser: the body streams to the service', async () => {
    const { monolith, warnings } = await start('after');
    await post(monolith, '{"a":3}');
    expect(service.last().body.toString('utf8')).toBe('{"a":3}');
    expect(warnings()).toHaveLength(0);
  });
});
