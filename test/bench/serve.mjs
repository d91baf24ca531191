// Benchmark servers, one per process, started with fork(): `serve.mjs <kind> [upstreamUrl]` sends
// its port over IPC. Kinds: upstream (a tiny JSON service), stream-upstream (counts uploads, streams
// `?bytes=N` downloads); figway-bare (metrics, logs and trace context off), figway-metrics-logs
// (trace context off), figway-observed (all on), figway-auth (all on, a bearer JWT required),
// figway-auth-limit (and a rate limit), figway-server (the same in server mode), figway-server-bare
// (server mode, features off); express-hpm, hpm, node-proxy and hand-wired (peers.mjs); monolith and
// monolith-figway (the monolith alone, and with figway and 1,000 routes none of its requests match).
// Logs go to stdout, which the benchmark points at /dev/null.
import http from 'node:http';
import { Registry } from 'prom-client';
import { figway } from '../../dist/index.js';
import { bareHpm, bareProxy, handWired, monolith, plainNodeProxy } from './peers.mjs';

/** The HMAC secret the benchmarks sign their token with. */
export const BENCH_SECRET = 'benchmark-hmac-secret-0123456789-abcdef';

const [kind, upstream] = process.argv.slice(2);
const body = JSON.stringify({ id: 7, item: 'fig jam', price: 4.5 });

function listen(handler) {
  const server = http.createServer({ keepAliveTimeout: 30_000 }, handler);
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
}

/** A figway gateway for `kind`, all features on unless the kind says otherwise. */
function gatewayFor(kind, routes) {
  const plugins = {
    'figway-bare': { metrics: false, logging: false, 'trace-context': false },
    'figway-server-bare': { metrics: false, logging: false, 'trace-context': false },
    'figway-metrics-logs': { 'trace-context': false },
  }[kind] ?? {};
  const auth = kind.startsWith('figway-auth') || kind === 'figway-server' ? { default: 'required', jwt: { secret: BENCH_SECRET } } : undefined;
  const limits = kind === 'figway-auth-limit' || kind === 'figway-server' ? { global: { limit: 1_000_000_000, window: '1m' } } : undefined;
  return figway({ registry: new Registry(), config: { plugins, ...(auth ? { auth } : {}), ...(limits ? { limits } : {}), routes } });
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
} else if (kind === 'express-hpm') {
  listen(bareProxy(upstream));
} else if (kind === 'hpm') {
  listen(bareHpm(upstream));
} else if (kind === 'node-proxy') {
  listen(plainNodeProxy(upstream));
} else if (kind === 'hand-wired') {
  listen(handWired(upstream, BENCH_SECRET));
} else if (kind === 'monolith') {
  listen(monolith());
} else if (kind === 'monolith-figway') {
  listen(monolith(gatewayFor(kind, unrelated)));
} else if (kind === 'figway-server' || kind === 'figway-server-bare') {
  const gateway = gatewayFor(kind, orders(upstream));
  listen(gateway.wrap(monolith()));
} else {
  const app = monolith(gatewayFor(kind, orders(upstream)));
  listen(app);
}
