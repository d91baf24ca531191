// The plugin API: registered from code, configured from YAML, hooks around every stage.
import { AsyncLocalStorage } from 'node:async_hooks';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { figway, FigwayConfigError, FigwayError, getContext } from '../../src/index.js';
import type { FigwayPlugin } from '../../src/types.js';
import { freePort, listen, type Listening } from '../helpers/listen.js';
import { captureLogs } from '../helpers/log-capture.js';
import { ENGINE_NAMES } from '../../src/proxy/forwarder.js';
import { quietLogger, startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const file = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));

const stamp: FigwayPlugin<{ header: string }> = {
  name: 'stamp',
  schema: { type: 'object', properties: { header: { type: 'string' } }, required: ['header'], additionalProperties: false },
  setup: () => ({ onProxyRequest: (proxyReq, ctx, options) => proxyReq.setHeader(options.header, ctx.route.id) }),
};

describe('plugins configured from YAML', () => {
  let service: Upstream;
  let monolith: Monolith;

  beforeAll(async () => {
    service = await startUpstream('orders');
    monolith = await startMonolith(express, { config: file('plugins.yaml'), env: { ORDERS_URL: service.url }, plugins: [stamp] });
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
  });

  it('runs with its top-level options on every route', async () => {
    await request(monolith.url, '/api/orders');
    expect(service.last().headers['x-stamped-by']).toBe('orders');
  });

  it('takes per-route options over the top-level ones', async () => {
    await request(monolith.url, '/api/users');
    expect(service.last().headers['x-users-stamp']).toBe('users');
    expect(service.last().headers['x-stamped-by']).toBeUndefined();
  });

  it('can be switched off for one route', async () => {
    await request(monolith.url, '/api/quiet');
    expect(service.last().url).toBe('/api/quiet');
    expect(service.last().headers['x-stamped-by']).toBeUndefined();
  });
});

describe('plugin config problems', () => {
  it('lists unknown plugins and invalid options with file, line and path', () => {
    let error: FigwayConfigError | undefined;
    try {
      figway({ config: file('bad-plugins.yaml'), plugins: [stamp] });
    } catch (err) {
      error = err as FigwayConfigError;
    }
    expect(error).toBeInstanceOf(FigwayConfigError);
    expect(error?.problems.map((p) => `${p.line}:${p.column} ${p.path} ${p.message}`)).toEqual([
      '2:20 plugins.stamp.header must be a string',
      '3:3 plugins.ghost unknown plugin "ghost" (registered: trace-context, opentelemetry, auth, logging, metrics, live-stats, map, progressive, rate-limit, stamp)',
      '9:16 routes[0].plugins.stamp.heder unknown field (did you mean "header"?)',
    ]);
  });

  it('rejects malformed plugins in code with FIGWAY_PLUGIN_INVALID', () => {
    const config = { routes: [] };
    expect(() => figway({ config, plugins: [stamp, stamp] as FigwayPlugin[] })).toThrow(/registered twice/);
    expect(() => figway({ config, plugins: [{ name: 'x' } as unknown as FigwayPlugin] })).toThrow(FigwayError);
    expect(() => figway({ config, plugins: [{ name: 'x', setup: () => ({ onRequests: () => {} }) } as unknown as FigwayPlugin] })).toThrow(/unknown hook "onRequests"/);
  });
});

describe.each(ENGINE_NAMES)('hooks around the stages (%s)', (engine) => {
  let service: Upstream;
  let server: Listening;
  const events: string[] = [];
  const seenByLegacy: unknown[] = [];
  const logs = captureLogs();

  const tracer: FigwayPlugin = {
    name: 'tracer',
    setup: () => ({
      onRequest: (ctx) => void events.push(`onRequest ${ctx.route.id} ${ctx.path}`),
      onIdentify: async (ctx) => {
        await new Promise((resolve) => setTimeout(resolve, ctx.req.headers['x-slow'] ? 300 : 5));
        events.push('identify');
        if (ctx.req.headers['x-deny'] === 'yes') ctx.res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
        if (ctx.req.headers['x-deny'] === 'figway') throw new FigwayError('FIGWAY_UPSTREAM_UNAVAILABLE', 'nope');
        if (ctx.req.headers['x-deny'] === 'bug') throw new Error('plugin bug');
      },
      onLimit: () => void events.push('limit'),
      onDecision: (ctx) => void events.push(`onDecision ${ctx.decision?.side} ${ctx.decision?.reason}`),
      onProxyRequest: (proxyReq, ctx) => void events.push(`onProxyRequest ${ctx.upstreamPath} ${proxyReq.method} ${proxyReq.path}`),
      onProxyResponse: (proxyRes) => void events.push(`onProxyResponse ${proxyRes.statusCode}`),
      onResponse: (ctx) => {
        events.push(`onResponse ${ctx.res.statusCode} ${ctx.upstreamStatus ?? '-'}`);
        if (ctx.req.headers['x-late'] === 'bug') throw new Error('late plugin bug');
      },
    }),
  };

  beforeAll(async () => {
    service = await startUpstream('orders');
    const app = express();
    app.use(
      figway({
        logger: logs.logger,
        config: {
          proxy: { engine },
          routes: [
            { id: 'orders', match: { path: '/api/orders' }, upstream: service.url },
            { id: 'legacy', match: { path: '/api/legacy' }, upstream: service.url, rollout: { percent: 0 } },
          ],
        },
        plugins: [tracer],
      }),
    );
    app.use((req, res) => {
      seenByLegacy.push(getContext(req)?.decision);
      res.json({ service: 'legacy' });
    });
    server = await listen(app);
  });
  afterAll(async () => {
    await server.close();
    await service.close();
  });

  it('runs every stage in order for a proxied request', async () => {
    events.length = 0;
    await request(server.url, '/api/orders/1?x=2');
    await expect.poll(() => events.length).toBe(7);
    expect(events).toEqual([
      'onRequest orders /api/orders/1',
      'identify',
      'limit',
      'onDecision service percent',
      'onProxyRequest /api/orders/1?x=2 GET /api/orders/1?x=2',
      'onProxyResponse 200',
      'onResponse 200 200',
    ]);
  });

  it('records the decision once, where the monolith can read it', async () => {
    seenByLegacy.length = 0;
    await request(server.url, '/api/legacy');
    expect(seenByLegacy).toEqual([{ routeId: 'legacy', side: 'legacy', reason: 'percent', percent: 0 }]);
  });

  it('does not contact the service for a client that left while a hook was waiting', async () => {
    const before = service.received.length;
    const socket = net.connect(server.port, '127.0.0.1', () => socket.write('GET /api/orders HTTP/1.1\r\nHost: x\r\nx-slow: 1\r\n\r\n'));
    socket.on('error', () => {});
    setTimeout(() => socket.destroy(), 50);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(service.received.length).toBe(before);
    const connections = await new Promise<number>((resolve) => service.server.getConnections((_err, count) => resolve(count)));
    expect(connections).toBeLessThanOrEqual(1);
  });

  it('stops the pipeline when a hook answers', async () => {
    const before = service.received.length;
    const reply = await request(server.url, '/api/orders', { headers: { 'x-deny': 'yes' } });
    expect(reply.status).toBe(401);
    expect(reply.headers['www-authenticate']).toBe('Bearer');
    expect(service.received.length).toBe(before);
  });

  it('answers a thrown FigwayError with its code, and any other throw with FIGWAY_PLUGIN_FAILED', async () => {
    const figwayError = await request(server.url, '/api/orders', { headers: { 'x-deny': 'figway' } });
    expect(figwayError.status).toBe(502);
    expect(figwayError.json()).toMatchObject({ error: { code: 'FIGWAY_UPSTREAM_UNAVAILABLE', message: 'nope' } });
    const bug = await request(server.url, '/api/orders', { headers: { 'x-deny': 'bug' } });
    expect(bug.status).toBe(500);
    expect(bug.json()).toMatchObject({ error: { code: 'FIGWAY_PLUGIN_FAILED', message: 'plugin "tracer" failed: plugin bug' } });
    expect((await request(server.url, '/api/orders')).status).toBe(200);
    // The log says it with the code, its docs and the plugin's own stack, for whoever has to fix it.
    const reported = logs.lines.find((line) => line.msg === 'figway: plugin "tracer" failed: plugin bug');
    expect(reported).toMatchObject({ level: 50, code: 'FIGWAY_PLUGIN_FAILED', docs: 'README.md#figway_plugin_failed', route: 'orders' });
    expect(JSON.stringify(reported)).toContain('Error: plugin bug\\n    at ');
  });

  it('logs a response hook that throws, with the plugin named, and goes on serving', async () => {
    const reply = await request(server.url, '/api/orders', { headers: { 'x-late': 'bug' } });
    expect(reply.status).toBe(200);
    await expect
      .poll(() => logs.lines.find((line) => line.msg === 'figway: plugin "tracer" failed after the response'))
      .toMatchObject({ level: 50, code: 'FIGWAY_PLUGIN_FAILED', docs: 'README.md#figway_plugin_failed', route: 'orders', err: { stack: expect.stringContaining('Error: late plugin bug\n    at ') } });
    expect((await request(server.url, '/api/orders')).status).toBe(200);
  });
});

describe.each(ENGINE_NAMES)('onForward hooks around the call to the service (%s)', (engine) => {
  let service: Upstream;
  let server: Monolith;
  const events: string[] = [];
  /** The async context each plugin runs the call (and legacy) in, as OpenTelemetry does its spans. */
  const scope = new AsyncLocalStorage<string>();
  const seenByLegacy: (string | undefined)[] = [];

  const around = (name: string): FigwayPlugin => ({
    name,
    setup: () => ({
      onForward: (ctx, forward, legacy) => {
        events.push(`${name} ${ctx.route.id}`);
        if (ctx.req.headers['x-break'] === name) throw new Error(`${name} broke`);
        scope.run(`${scope.getStore() ?? ''}/${name}`, () => forward(ctx, () => scope.run(`legacy after ${name}`, legacy)));
      },
      onProxyRequest: (proxyReq) => proxyReq.setHeader(`x-${name}-scope`, scope.getStore() ?? 'none'),
    }),
  });

  /** An async hook: it may wait before forwarding, and a rejection is answered as a throw. */
  const waiting: FigwayPlugin = {
    name: 'waiting',
    setup: () => ({
      onForward: async (ctx, forward, legacy) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (ctx.req.headers['x-reject'] === 'yes') throw new Error('waited, then gave up');
        forward(ctx, legacy);
      },
    }),
  };

  beforeAll(async () => {
    service = await startUpstream('orders');
    const gone = `http://127.0.0.1:${await freePort()}`;
    const config = {
      routes: [
        { id: 'orders', match: { path: '/api/orders' }, upstream: service.url },
        { id: 'legacy', match: { path: '/api/legacy' }, upstream: service.url, rollout: { percent: 0 } },
        { id: 'gone', match: { path: '/api/gone' }, upstream: gone, fallback: { on: ['refused' as const], breaker: false as const } },
      ],
    };
    const legacy = (app: express.Express) =>
      app.use((_req, res) => {
        seenByLegacy.push(scope.getStore());
        res.json({ service: 'legacy' });
      });
    server = await startMonolith(express, { config, plugins: [around('outer'), around('inner'), waiting] }, { engine, after: legacy });
  });
  afterAll(async () => {
    await server.close();
    await service.close();
  });

  it('wraps the call in registration order, the first outermost, so the call runs in their context', async () => {
    events.length = 0;
    expect((await request(server.url, '/api/orders')).status).toBe(200);
    expect(events).toEqual(['outer orders', 'inner orders']);
    expect(service.last().headers['x-outer-scope']).toBe('/outer/inner');
    expect(service.last().headers['x-inner-scope']).toBe('/outer/inner');
  });

  it('is not called for a request legacy serves by decision', async () => {
    events.length = 0;
    seenByLegacy.length = 0;
    expect((await request(server.url, '/api/legacy')).json()).toEqual({ service: 'legacy' });
    expect(events).toEqual([]);
    expect(seenByLegacy).toEqual([undefined]);
  });

  it("hands a fallback to legacy through the hooks' own legacy step, the outermost last", async () => {
    seenByLegacy.length = 0;
    expect((await request(server.url, '/api/gone')).json()).toEqual({ service: 'legacy' });
    expect(seenByLegacy).toEqual(['legacy after outer']);
  });

  it('answers a hook that throws with FIGWAY_PLUGIN_FAILED naming the plugin, and sends nothing to the service', async () => {
    const before = service.received.length;
    const reply = await request(server.url, '/api/orders', { headers: { 'x-break': 'inner' } });
    expect(reply.status).toBe(500);
    expect(reply.json()).toMatchObject({ error: { code: 'FIGWAY_PLUGIN_FAILED', message: 'plugin "inner" failed: inner broke' } });
    expect(service.received.length).toBe(before);
    expect((await request(server.url, '/api/orders')).status).toBe(200);
  });

  it('lets an async hook wait before forwarding, in the outer hooks\' context, and answers its rejection naming it', async () => {
    const reply = await request(server.url, '/api/orders');
    expect(reply.status).toBe(200);
    expect(service.last().headers['x-inner-scope']).toBe('/outer/inner');
    const before = service.received.length;
    const rejected = await request(server.url, '/api/orders', { headers: { 'x-reject': 'yes' } });
    expect(rejected.status).toBe(500);
    expect(rejected.json()).toMatchObject({ error: { code: 'FIGWAY_PLUGIN_FAILED', message: 'plugin "waiting" failed: waited, then gave up' } });
    expect(service.received.length).toBe(before);
  });
});
