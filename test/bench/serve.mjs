// Benchmark servers, one per process, started with fork(): `serve.mjs <kind> [upstreamUrl]` sends
// its port over IPC. Kinds: upstream (a tiny JSON service), stream-upstream (counts uploads, streams
// `?bytes=N` downloads), reading-upstream (answers once it has read the body); figway's
// (FIGWAY_KINDS below: mode, engine, features); express-hpm and hand-wired (peers.mjs);
// node-undici, fastify-proxy and fastify-features (peers-undici.mjs); monolith and monolith-figway
// (the monolith alone, and with figway and 1,000 routes none of its requests match), monolith-figway-count
// (the same with map.countLegacy); MIXED_KINDS
// (figway on a monolith that serves half the orders itself, for mixed.mjs). Logs go to stdout,
// which the benchmark points at /dev/null.
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import { Registry } from 'prom-client';
import { figway } from '../../dist/index.js';
import { bareProxy, handWired, monolith, ordersMonolith } from './peers.mjs';

/** The HMAC secret the benchmarks sign their token with. */
export const BENCH_SECRET = 'benchmark-hmac-secret-0123456789-abcdef';
/** The features of the rows that compare figway with stacks wired by hand: the peers' four, and figway's default trace context and OpenTelemetry (no SDK registered). */
const ALL = ['jwt', 'limit', 'logging', 'metrics', 'trace', 'otel'];
/** The variants whose CPU per request the feature budget compares (server mode, undici): each feature alone, then all of them. */
export const FEATURE_VARIANTS = {
  off: [],
  jwt: ['jwt'],
  'rate limit': ['limit'],
  'log line': ['logging'],
  metrics: ['metrics'],
  'trace context': ['trace'],
  'jwt + identity token': ['jwt', 'token'],
  'OpenTelemetry, no SDK': ['otel'],
  // The app's SDK at work (every span recorded, none exported): the cost of tracing, not of figway's check.
  'OpenTelemetry, SDK recording': ['otel', 'sdk'],
  all: ['jwt', 'token', 'limit', 'logging', 'metrics', 'trace', 'otel'],
};
/** Variants that measure work the app chose (its tracing SDK), kept out of figway's per-feature budget. */
export const APP_WORK_VARIANTS = ['OpenTelemetry, SDK recording'];
// figway signs identity tokens for services with it (the `token` feature).
const TOKEN_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });

const [kind, upstream] = process.argv.slice(2);
const body = JSON.stringify({ id: 7, item: 'fig jam', price: 4.5 });

function listen(handler) {
  const server = http.createServer({ keepAliveTimeout: 30_000 }, handler);
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
}

/**
 * figway's kinds: the mode, the engine (undefined: the mode's default, http-proxy-middleware in
 * middleware mode, undici in server mode) and the features on. Every kind has the built-in
 * live-stats and progressive plugins; "off" turns metrics, logging and trace context off too.
 */
const FIGWAY_KINDS = {
  'figway-bare': { mode: 'middleware', features: [] },
  'figway-metrics-logs': { mode: 'middleware', features: ['metrics', 'logging'] },
  'figway-observed': { mode: 'middleware', features: ['metrics', 'logging', 'trace'] },
  'figway-observed-undici': { mode: 'middleware', engine: 'undici', features: ['metrics', 'logging', 'trace'] },
  'figway-auth': { mode: 'middleware', features: ['metrics', 'logging', 'trace', 'jwt'] },
  'figway-auth-limit': { mode: 'middleware', features: ALL },
  'figway-middleware-undici': { mode: 'middleware', engine: 'undici', features: ALL },
  'figway-server': { mode: 'server', features: ALL },
  'figway-server-hpm': { mode: 'server', engine: 'http-proxy-middleware', features: ALL },
  'figway-server-bare': { mode: 'server', features: [] },
  'monolith-figway': { mode: 'middleware', features: ['metrics', 'logging', 'trace'] },
};

/** figway's kinds in the mixed workload: the mode (each with its default engine), and where the monolith's JSON parser sits. */
export const MIXED_KINDS = {
  'mixed-middleware': { mode: 'middleware', parserFirst: false },
  'mixed-middleware-parser-first': { mode: 'middleware', parserFirst: true },
  'mixed-server': { mode: 'server', parserFirst: false },
};

/** An OpenTelemetry SDK as an app registers it: every span sampled and recorded, W3C propagation, async context. */
async function registerTracing() {
  const { context, propagation, trace } = await import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
  const { BasicTracerProvider } = await import('@opentelemetry/sdk-trace-base');
  trace.setGlobalTracerProvider(new BasicTracerProvider());
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

/**
 * A figway gateway with `features` on (jwt: a required bearer JWT; limit: a global rate limit;
 * metrics, logging, trace, otel: those plugins; token: an identity token signed for the service).
 */
export function gatewayFor({ engine, features }, routes, extra = {}) {
  const on = new Set(features);
  const plugins = { metrics: on.has('metrics') && {}, logging: on.has('logging') && {}, 'trace-context': on.has('trace') && {}, opentelemetry: on.has('otel') && {} };
  const auth = on.has('jwt') ? { default: 'required', jwt: { secret: BENCH_SECRET }, ...(on.has('token') ? { token: { privateKey: TOKEN_KEY } } : {}) } : undefined;
  const limits = on.has('limit') ? { global: { limit: 1_000_000_000, window: '1m' } } : undefined;
  return figway({ registry: new Registry(), config: { plugins, ...(auth ? { auth } : {}), ...(limits ? { limits } : {}), ...(engine ? { proxy: { engine } } : {}), ...extra, routes } });
}

const orders = (url) => [{ id: 'orders', match: { path: '/api/orders' }, upstream: url }];
/** 1,000 routes of services the monolith has peeled off already; none takes the monolith's own paths. */
const unrelated = Array.from({ length: 1000 }, (_, i) => ({ id: `svc-${i}`, match: { path: `/svc-${i}/v1/items` }, upstream: 'http://127.0.0.1:9' }));

// A normal exit on SIGTERM, so a process started with --cpu-prof writes its profile (profile.mjs).
process.once('SIGTERM', () => process.exit(0));

if (!process.send) {
  // Imported for BENCH_SECRET, not started as a server.
} else if (kind === 'upstream') {
  listen((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
} else if (kind === 'stream-upstream') {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  listen((req, res) => {
    let received = 0;
    req.on('data', (data) => (received += data.length));
    req.on('end', () => {
      let left = Number(new URL(req.url, 'http://x').searchParams.get('bytes') ?? 0);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-received': String(received) });
      const pump = () => {
        while (left > 0) {
          const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
          left -= piece.length;
          if (!res.write(piece)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
  });
} else if (kind === 'reading-upstream') {
  // A service that reads the whole request body before it answers, as one taking uploads does.
  listen((req, res) => {
    req.resume();
    req.once('end', () => {
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
} else if (MIXED_KINDS[kind]) {
  // The mixed workload (mixed.mjs): orders at 50%, sticky by the session cookie, figway's default
  // observability on; the other half is answered by the monolith's own handlers in this process.
  const { mode, parserFirst } = MIXED_KINDS[kind];
  const rollout = [{ id: 'orders', match: { path: '/api/orders', methods: ['GET', 'POST'] }, upstream, rollout: { percent: 50, sticky: ['cookie:sid'] } }];
  const gateway = gatewayFor({ features: ['metrics', 'logging', 'trace'] }, rollout);
  listen(mode === 'server' ? gateway.wrap(ordersMonolith(undefined, { parserFirst })) : ordersMonolith(gateway, { parserFirst }));
} else if (kind === 'express-hpm') {
  listen(bareProxy(upstream));
} else if (kind === 'hand-wired') {
  listen(handWired(upstream, BENCH_SECRET));
} else if (kind === 'monolith') {
  listen(monolith());
} else if (kind === 'node-undici') {
  // Loaded only here, so no other contender's process carries fastify's or undici's code.
  const { nodeUndiciProxy } = await import('./peers-undici.mjs');
  listen(nodeUndiciProxy(upstream));
} else if (kind === 'fastify-proxy' || kind === 'fastify-features') {
  const { fastifyProxy } = await import('./peers-undici.mjs');
  const app = await fastifyProxy(upstream, { features: kind === 'fastify-features', secret: BENCH_SECRET });
  app.server.keepAliveTimeout = 30_000;
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.send(app.server.address().port);
} else if (kind === 'figway-feature-pair') {
  // Two server mode gateways in this process, features off and one variant (FEATURE_VARIANTS), each
  // on its own port: the variant's cost is measured against features off in the same process, so the
  // several percent two processes of one server can differ by does not land on one side. Only two:
  // with every variant in one process, call sites shared by all of them slowed every later variant.
  const variant = process.argv[4];
  if (FEATURE_VARIANTS[variant].includes('sdk')) await registerTracing();
  const ports = {};
  for (const name of ['off', variant]) {
    const server = http.createServer({ keepAliveTimeout: 30_000 }, gatewayFor({ mode: 'server', features: FEATURE_VARIANTS[name] }, orders(upstream)).wrap(monolith()));
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    ports[name === 'off' ? 'off' : 'variant'] = server.address().port;
  }
  process.send(ports);
} else if (kind === 'monolith-figway') {
  listen(monolith(gatewayFor(FIGWAY_KINDS[kind], unrelated)));
} else if (kind === 'monolith-figway-count') {
  // The same, counting each legacy request by the Express route that served it (the migration map's map.countLegacy).
  listen(monolith(gatewayFor(FIGWAY_KINDS['monolith-figway'], unrelated, { map: { countLegacy: true } })));
} else if (FIGWAY_KINDS[kind]?.mode === 'server') {
  listen(gatewayFor(FIGWAY_KINDS[kind], orders(upstream)).wrap(monolith()));
} else if (FIGWAY_KINDS[kind]) {
  listen(monolith(gatewayFor(FIGWAY_KINDS[kind], orders(upstream))));
} else {
  throw new Error(`unknown kind ${kind}`);
}
