// Benchmark servers, one per process, started with fork(): `serve.mjs <kind> [upstreamUrl]` sends
// its port over IPC. Kinds: upstream (a tiny JSON service); figway-bare (metrics, logs and trace
// context off), figway-metrics-logs (trace context off), figway-observed (all on), figway-auth
// (all on, a bearer JWT required), figway-auth-limit (and a rate limit); logs go through figway's
// default logger (async stdout, which the benchmark points at /dev/null).
import http from 'node:http';
import express from 'express';
import { Registry } from 'prom-client';
import { figway } from '../../dist/index.js';

/** The HMAC secret the auth benchmark signs its token with. */
export const BENCH_SECRET = 'benchmark-hmac-secret-0123456789-abcdef';

const [kind, upstream] = process.argv.slice(2);
const body = JSON.stringify({ id: 7, item: 'fig jam', price: 4.5 });

function listen(handler) {
  const server = http.createServer({ keepAliveTimeout: 30_000 }, handler);
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
}

if (!process.send) {
  // Imported for BENCH_SECRET, not started as a server.
} else if (kind === 'upstream') {
  listen((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
} else {
  const plugins = {
    'figway-bare': { metrics: false, logging: false, 'trace-context': false },
    'figway-metrics-logs': { 'trace-context': false },
  }[kind] ?? {};
  const auth = kind.startsWith('figway-auth') ? { default: 'required', jwt: { secret: BENCH_SECRET } } : undefined;
  const limits = kind === 'figway-auth-limit' ? { global: { limit: 1_000_000_000, window: '1m' } } : undefined;
  const app = express();
  app.use(
    figway({
      registry: new Registry(),
      config: {
        plugins,
        ...(auth ? { auth } : {}),
        ...(limits ? { limits } : {}),
        upstreams: { orders: { url: upstream } },
        routes: [{ id: 'orders', match: { path: '/api/orders' }, upstream: 'orders' }],
      },
    }),
  );
  app.use((req, res) => res.json({ legacy: true }));
  listen(app);
}
