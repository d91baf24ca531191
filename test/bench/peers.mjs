// What a team would run instead of figway, for the benchmark: a bare proxy, the same features wired
// by hand, and the legacy monolith on its own. Each builds an Express app for serve.mjs.
import { createSecretKey } from 'node:crypto';
import http from 'node:http';
import express from 'express';
import { rateLimit } from 'express-rate-limit';
import { createProxyMiddleware } from 'http-proxy-middleware';
import passport from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import { pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { Histogram, Registry } from 'prom-client';

/** Express + http-proxy-middleware with a keep-alive agent: the proxy a team writes by hand. */
export function bareProxy(upstream) {
  const app = express();
  app.use(createProxyMiddleware({ target: upstream, pathFilter: '/api/orders', changeOrigin: true, agent: new http.Agent({ keepAlive: true }) }));
  app.use((req, res) => res.json({ legacy: true }));
  return app;
}

/**
 * The features figway has on in its rows, wired by hand: pino-http request logs, a prom-client
 * histogram, passport JWT (HS256), express-rate-limit, then http-proxy-middleware.
 */
export function handWired(upstream, secret) {
  const registry = new Registry();
  const duration = new Histogram({ name: 'http_request_duration_seconds', help: 'request duration', labelNames: ['route', 'status_code'], registers: [registry] });
  // A KeyObject, not the string: given a string, jsonwebtoken tries it as a public key (and throws)
  // on every request, which alone took a third of this stack's CPU. The baseline should be a careful one.
  const key = createSecretKey(Buffer.from(secret));
  passport.use(new JwtStrategy({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: key, algorithms: ['HS256'] }, (claims, done) => done(null, claims)));
  const app = express();
  // Batched as figway's default logger is (4 KB, at least once a second): one write per line costs about twice the CPU.
  app.use(pinoHttp({ logger: pino(pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 1000 })) }));
  app.use((req, res, next) => {
    const end = duration.startTimer({ route: 'orders' });
    res.once('finish', () => end({ status_code: res.statusCode }));
    next();
  });
  app.use('/api/orders', passport.authenticate('jwt', { session: false }), rateLimit({ windowMs: 60_000, limit: 1_000_000_000, standardHeaders: 'draft-8', legacyHeaders: false }));
  app.use(createProxyMiddleware({ target: upstream, pathFilter: '/api/orders', changeOrigin: true, agent: new http.Agent({ keepAlive: true }) }));
  app.use((req, res) => res.json({ legacy: true }));
  return app;
}

/** A legacy monolith: JSON body parsing, a few routes of its own, a catch-all. `gateway` is mounted first when given. */
export function monolith(gateway) {
  const app = express();
  if (gateway) app.use(gateway);
  app.use(express.json());
  app.get('/health', (req, res) => res.json({ ok: true }));
  app.get('/account/:id', (req, res) => res.json({ legacy: true, account: req.params.id }));
  app.use((req, res) => res.status(404).json({ legacy: true, missing: req.url }));
  return app;
}

/**
 * A monolith that serves orders itself (the legacy side of a route being peeled off), with its JSON
 * parser behind figway as the README shows, or in front of it (`parserFirst`).
 */
export function ordersMonolith(gateway, { parserFirst }) {
  const app = express();
  const parse = express.json({ limit: '1mb' });
  if (parserFirst) app.use(parse);
  if (gateway) app.use(gateway);
  if (!parserFirst) app.use(parse);
  app.get('/api/orders/:id', (req, res) => res.json({ legacy: true, id: req.params.id }));
  app.post('/api/orders', (req, res) => res.status(201).json({ legacy: true, fields: Object.keys(req.body ?? {}).length }));
  app.use((req, res) => res.status(404).json({ legacy: true, missing: req.url }));
  return app;
}
