// Fallback to legacy and the circuit breaker, end to end: real services that fail, a real monolith that serves instead.
import type { ServerResponse } from 'node:http';
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FigwayPlugin } from '../../src/types.js';
import { startBlackhole, type Blackhole } from '../helpers/blackhole.js';
import { listen, type Listening } from '../helpers/listen.js';
import { GATEWAY_SETUPS, startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';

/** A service whose behaviour a test switches: answer normally, answer a status, or go silent. */
interface Switchable extends Listening {
  mode: 'ok' | 'silent' | number;
  hits: number;
}

async function switchable(): Promise<Switchable> {
  const state = { mode: 'ok' as Switchable['mode'], hits: 0 };
  const listening = await listen((req, res: ServerResponse) => {
    state.hits += 1;
    req.resume();
    if (state.mode === 'silent') return;
    res.writeHead(state.mode === 'ok' ? 200 : state.mode, { 'content-type': 'application/json', 'x-from': 'service' });
    res.end(JSON.stringify({ service: 'new', status: state.mode }));
  });
  return Object.assign(state, listening);
}

interface Seen {
  route: string;
  target: string;
  reason: string | undefined;
}

describe.each(GATEWAY_SETUPS)('fallback to legacy ($label)', ({ mode, engine }) => {
  let monolith: Monolith;
  let killable: Switchable;
  let flaky: Switchable;
  let breaking: Switchable;
  let plain: Switchable;
  let blackhole: Blackhole;
  let clock = 1_000_000;
  const seen: Seen[] = [];
  const legacyHits: string[] = [];
  const recorder: FigwayPlugin = {
    name: 'recorder',
    setup: () => ({ onResponse: (ctx) => void seen.push({ route: ctx.route.id, target: ctx.target, reason: ctx.decision?.reason }) }),
  };

  beforeAll(async () => {
    [killable, flaky, breaking, plain] = await Promise.all([switchable(), switchable(), switchable(), switchable()]);
    blackhole = await startBlackhole();
    monolith = await startMonolith(
      express,
      {
        now: () => clock,
        plugins: [recorder],
        // Each setup's own figures: the suite runs once per mode and engine in one process.
        registry: new Registry(),
        config: {
          defaults: { timeouts: { connect: '300ms', response: '300ms' } },
          routes: [
            { id: 'killable', match: { path: '/killable' }, upstream: killable.url, fallback: { breaker: false } },
            { id: 'flaky', match: { path: '/flaky' }, upstream: flaky.url, fallback: { on: ['refused', 'timeout', 503], breaker: false } },
            { id: 'blackhole', match: { path: '/blackhole' }, upstream: `http://127.0.0.1:${blackhole.port}`, fallback: { breaker: false } },
            { id: 'breaking', match: { path: '/breaking' }, upstream: breaking.url, fallback: { on: ['timeout', 503], breaker: { failures: 2, cooldown: '10s' } } },
            { id: 'plain', match: { path: '/plain' }, upstream: plain.url },
          ],
        },
      },
      {
        mode,
        engine,
        after: (app, gateway) => {
          app.get('/metrics', gateway.metricsHandler);
          app.use((req, _res, next) => {
            legacyHits.push(`${req.method} ${req.originalUrl}`);
            next();
          });
        },
      },
    );
  });
  afterAll(async () => {
    await monolith.close();
    await Promise.all([killable.close(), flaky.close(), breaking.close(), plain.close()]);
    blackhole.close();
  });
  beforeEach(() => {
    seen.length = 0;
    legacyHits.length = 0;
  });

  it('serves a GET from legacy once the service is killed mid-test, and counts it as target "fallback"', async () => {
    const before = await request(monolith.url, '/killable?page=2');
    expect(before.json()).toMatchObject({ service: 'new' });
    await killable.close();

    const after = await request(monolith.url, '/killable?page=2');
    expect(after.status).toBe(200);
    expect(after.json()).toMatchObject({ service: 'legacy', url: '/killable?page=2', routedUrl: '/killable?page=2' });
    expect(legacyHits).toEqual(['GET /killable?page=2']);
    expect(seen.at(-1)).toEqual({ route: 'killable', target: 'fallback', reason: 'percent' });
    const metrics = (await request(monolith.url, '/metrics')).body;
    expect(metrics).toMatch(/figway_requests_total\{route="killable",target="fallback",method="GET",status_class="2xx"\} 1/);
  });

  it('never replays a POST: the client gets the 502 and legacy never sees it', async () => {
    const reply = await request(monolith.url, '/killable', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(reply.status).toBe(502);
    expect(reply.json()).toMatchObject({ error: { code: 'FIGWAY_UPSTREAM_UNAVAILABLE' } });
    expect(legacyHits).toEqual([]);
  });

  it('does not replay a GET that carries a body', async () => {
    const reply = await request(monolith.url, '/killable', { headers: { 'content-type': 'text/plain', 'content-length': '1' }, body: 'x' });
    expect(reply.status).toBe(502);
    expect(legacyHits).toEqual([]);
  });

  it('serves HEAD and OPTIONS from legacy too', async () => {
    expect((await request(monolith.url, '/killable', { method: 'HEAD' })).status).toBe(200);
    expect((await request(monolith.url, '/killable', { method: 'OPTIONS' })).status).toBe(200);
    expect(legacyHits).toEqual(['HEAD /killable', 'OPTIONS /killable']);
  });

  it('serves from legacy when the service answers a configured status, without a trace of the service response', async () => {
    flaky.mode = 503;
    const reply = await request(monolith.url, '/flaky');
    expect(reply.status).toBe(200);
    expect(reply.headers['x-from']).toBeUndefined();
    expect(reply.json()).toMatchObject({ service: 'legacy', url: '/flaky' });
    expect(flaky.hits).toBeGreaterThan(0);
  });

  it('passes a status that is not configured straight to the client', async () => {
    flaky.mode = 500;
    const reply = await request(monolith.url, '/flaky');
    expect(reply.status).toBe(500);
    expect(reply.headers['x-from']).toBe('service');
    expect(reply.json()).toEqual({ service: 'new', status: 500 });
    expect(legacyHits).toEqual([]);
  });

  it('still streams a good answer on a route that falls back on statuses', async () => {
    flaky.mode = 'ok';
    const reply = await request(monolith.url, '/flaky');
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({ service: 'new', status: 'ok' });
  });

  it('serves from legacy when the service sends no answer within timeouts.response', async () => {
    flaky.mode = 'silent';
    const reply = await request(monolith.url, '/flaky');
    expect(reply.json()).toMatchObject({ service: 'legacy' });
    flaky.mode = 'ok';
  });

  it('serves from legacy when no connection opens within timeouts.connect', async () => {
    const reply = await request(monolith.url, '/blackhole');
    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({ service: 'legacy' });
  });

  it('answers 502 on a route without fallback, as before', async () => {
    plain.mode = 503;
    const reply = await request(monolith.url, '/plain');
    expect(reply.status).toBe(503);
    await plain.close();
    expect((await request(monolith.url, '/plain')).status).toBe(502);
    expect(legacyHits).toEqual([]);
  });

  describe('circuit breaker', () => {
    const get = async () => (await request(monolith.url, '/breaking')).json();
    const last = () => seen.at(-1);

    it('closed: requests go to the service, and one failure does not open it', async () => {
      breaking.mode = 503;
      expect(await get()).toMatchObject({ service: 'legacy' });
      expect(last()).toMatchObject({ target: 'fallback', reason: 'percent' });
      expect(breaking.hits).toBe(1);
    });

    it('a success resets the count of consecutive failures', async () => {
      breaking.mode = 'ok';
      expect(await get()).toMatchObject({ service: 'new' });
      breaking.mode = 503;
      await get();
      expect(breaking.hits).toBe(3);
      expect(await get()).toMatchObject({ service: 'legacy' });
      expect(breaking.hits).toBe(4);
    });

    it('open: after `failures` in a row the route goes to legacy without trying the service', async () => {
      breaking.mode = 'ok';
      expect(await get()).toMatchObject({ service: 'legacy' });
      expect(await get()).toMatchObject({ service: 'legacy' });
      expect(breaking.hits).toBe(4);
      expect(last()).toEqual({ route: 'breaking', target: 'legacy', reason: 'breaker-open' });
    });

    it('still open just before the cool-down ends', async () => {
      clock += 9_999;
      await get();
      expect(breaking.hits).toBe(4);
    });

    it('half-open: one probe after the cool-down; its failure opens the breaker again', async () => {
      breaking.mode = 503;
      clock += 1;
      expect(await get()).toMatchObject({ service: 'legacy' });
      expect(breaking.hits).toBe(5);
      expect(last()).toMatchObject({ target: 'fallback' });
      await get();
      expect(breaking.hits).toBe(5);
      expect(last()).toMatchObject({ reason: 'breaker-open' });
    });

    it('half-open: a probe that succeeds closes the breaker, and traffic returns to the service', async () => {
      breaking.mode = 'ok';
      clock += 10_000;
      expect(await get()).toMatchObject({ service: 'new' });
      expect(await get()).toMatchObject({ service: 'new' });
      expect(breaking.hits).toBe(7);
      expect(last()).toEqual({ route: 'breaking', target: 'service', reason: 'percent' });
    });

    it('half-open lets exactly one probe through while it is in flight', async () => {
      breaking.mode = 503;
      await get();
      await get();
      clock += 10_000;
      const hitsBefore = breaking.hits;
      breaking.mode = 'silent';
      const probe = request(monolith.url, '/breaking');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await get()).toMatchObject({ service: 'legacy' });
      expect(last()).toMatchObject({ reason: 'breaker-open' });
      expect((await probe).json()).toMatchObject({ service: 'legacy' });
      expect(breaking.hits).toBe(hitsBefore + 1);
      breaking.mode = 'ok';
    });
  });
});
