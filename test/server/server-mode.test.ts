// Server mode: what differs from middleware mode (the shared behaviour is proven by the e2e suites run in both modes).
import type { RequestHandler } from 'express';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getContext, type FigwayPlugin } from '../../src/index.js';
import { captureLogs } from '../helpers/log-capture.js';
import { startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

describe('server mode', () => {
  let service: Upstream;
  let monolith: Monolith;
  const ranAppMiddleware: string[] = [];
  const seeRequest: RequestHandler = (req, _res, next) => {
    ranAppMiddleware.push(`${req.originalUrl} ${getContext(req)?.decision?.side ?? 'unmatched'}`);
    next();
  };

  beforeAll(async () => {
    service = await startUpstream('orders');
    monolith = await startMonolith(
      express,
      {
        config: {
          routes: [
            { id: 'orders', match: { path: '/api/orders' }, upstream: service.url },
            { id: 'legacy-only', match: { path: '/api/legacy' }, upstream: service.url, rollout: { percent: 0 } },
          ],
        },
      },
      { mode: 'server', before: [seeRequest, express.json()] },
    );
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
  });

  it('proxies a peeled request before any of the app\'s middleware runs', async () => {
    ranAppMiddleware.length = 0;
    expect((await request(monolith.url, '/api/orders/1')).json().service).toBe('orders');
    expect(ranAppMiddleware).toEqual([]);
  });

  it('gives the app every other request with figway\'s decision on it', async () => {
    ranAppMiddleware.length = 0;
    expect((await request(monolith.url, '/api/legacy/x/../1')).json()).toMatchObject({ service: 'legacy', url: '/api/legacy/x/../1', routedUrl: '/api/legacy/1' });
    expect((await request(monolith.url, '/account')).json().service).toBe('legacy');
    expect(ranAppMiddleware).toEqual(['/api/legacy/x/../1 legacy', '/account unmatched']);
  });

  it('streams a peeled body to the service untouched, the app\'s parser never seeing it', async () => {
    const body = '{"b": 2,  "a": 1}';
    await request(monolith.url, '/api/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(service.last().body.toString()).toBe(body);
  });
});

describe('server mode with app.use(gateway) left in the app', () => {
  let service: Upstream;
  let monolith: Monolith;
  let runs = 0;
  const countRuns: FigwayPlugin = { name: 'count-runs', setup: () => ({ onRequest: () => void (runs += 1) }) };

  beforeAll(async () => {
    service = await startUpstream('orders');
    monolith = await startMonolith(
      express,
      { plugins: [countRuns], config: { routes: [{ id: 'legacy-only', match: { path: '/api/legacy' }, upstream: service.url, rollout: { percent: 0 } }] } },
      { mode: 'server', after: (app, gateway) => app.use(gateway) },
    );
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
  });

  it('lets the requests figway already ran pass rather than running them again', async () => {
    expect((await request(monolith.url, '/api/legacy')).json().service).toBe('legacy');
    expect(runs).toBe(1);
  });
});

describe('server mode warnings', () => {
  it('says once, at wrap(), that the session source sees no req.user there', async () => {
    const logs = captureLogs();
    const monolith = await startMonolith(
      express,
      { logger: logs.logger, config: { auth: { sources: ['session'] }, routes: [{ id: 'a', match: { path: '/a' }, upstream: 'http://127.0.0.1:1' }] } },
      { mode: 'server' },
    );
    await monolith.close();
    expect(logs.lines.filter((line) => String(line.msg).includes("'session' never sees req.user"))).toHaveLength(1);
  });
});
