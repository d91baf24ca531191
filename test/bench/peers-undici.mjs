// The fastest ways a Node team forwards today, for the benchmark: Node's server dispatching through an
// undici pool (the floor of forwarding in Node), and fastify with @fastify/http-proxy (undici too,
// through @fastify/reply-from), bare and with the same features as figway's rows.
import fastify from 'fastify';
import fastifyHttpProxy from '@fastify/http-proxy';
import fastifyJwt from '@fastify/jwt';
import fastifyRateLimit from '@fastify/rate-limit';
import { pino } from 'pino';
import { Histogram, Registry } from 'prom-client';
import { Pool } from 'undici';

// Request fields undici frames itself (it refuses them) and the hop-by-hop ones a proxy must drop.
const DROPPED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect', 'proxy-connection', 'te', 'trailer']);

/**
 * Node's server, each request dispatched to an undici Pool with a handler writing straight to the
 * response: no routing, no features, hop-by-hop headers dropped, a 502 on error. Not a peer (nobody
 * should run it as it is); the floor any Node forwarding engine works from.
 */
export function nodeUndiciProxy(upstream) {
  const pool = new Pool(upstream);
  const host = new URL(upstream).host;
  return (req, res) => {
    const headers = { host };
    for (const name in req.headers) if (name !== 'host' && !DROPPED.has(name)) headers[name] = req.headers[name];
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    let resume;
    pool.dispatch(
      { path: req.url, method: req.method, headers, body: hasBody ? req : null },
      {
        onConnect() {},
        onHeaders(status, raw, resumeBody) {
          resume = resumeBody;
          const flat = [];
          for (let i = 0; i < raw.length; i += 2) {
            const name = raw[i].toString('latin1');
            if (!DROPPED.has(name.toLowerCase())) flat.push(name, raw[i + 1].toString('latin1'));
          }
          res.writeHead(status, flat);
          return true;
        },
        onData(chunk) {
          if (res.write(chunk)) return true;
          res.once('drain', () => resume());
          return false;
        },
        onComplete() {
          res.end();
        },
        onError() {
          if (res.headersSent) res.destroy();
          else res.writeHead(502).end();
        },
      },
    );
  };
}

/**
 * fastify with @fastify/http-proxy on /api/orders. With `features`: a required bearer JWT
 * (@fastify/jwt, HS256, its verified-token cache on as its README advises), a rate limit
 * (@fastify/rate-limit, in memory), one log line per request from fastify's own pino logger
 * (batched as figway's default logger is), and a prom-client histogram in an onResponse hook.
 * Resolves with the app, ready to listen.
 */
export async function fastifyProxy(upstream, { features, secret }) {
  const app = fastify(
    features
      ? {
          loggerInstance: pino(pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 1000 })),
          // One line per request, at its end (fastify's default adds a second when it arrives).
          logController: new fastify.LogController({ disableRequestLogging: true }),
        }
      : { logger: false },
  );
  if (features) {
    const registry = new Registry();
    const duration = new Histogram({ name: 'http_request_duration_seconds', help: 'request duration', labelNames: ['route', 'status_code'], registers: [registry] });
    app.addHook('onResponse', async (request, reply) => {
      duration.observe({ route: 'orders', status_code: reply.statusCode }, reply.elapsedTime / 1000);
      request.log.info({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
    });
    await app.register(fastifyJwt, { secret, verify: { algorithms: ['HS256'], cache: true } });
    await app.register(fastifyRateLimit, { max: 1_000_000_000, timeWindow: '1 minute' });
  }
  await app.register(async (scope) => {
    if (features) scope.addHook('onRequest', (request) => request.jwtVerify());
    await scope.register(fastifyHttpProxy, { upstream, prefix: '/api/orders', rewritePrefix: '/api/orders' });
  });
  app.setNotFoundHandler((_request, reply) => reply.send({ legacy: true }));
  await app.ready();
  return app;
}
