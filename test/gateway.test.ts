// figway(): the returned middleware's controls — reload swaps whole snapshots, attach checks its input.
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FigwayConfigError, FigwayError } from '../src/index.js';
import type { FigwayConfig } from '../src/types.js';
import { startMonolith, type Monolith } from './helpers/monolith.js';
import { request } from './helpers/request.js';
import { startUpstream, type Upstream } from './helpers/upstream.js';

describe('gateway controls', () => {
  let service: Upstream;
  let monolith: Monolith;
  let release: (() => void) | undefined;
  const config = (percent: number): FigwayConfig => ({ routes: [{ id: 'orders', match: { path: '/api/orders' }, upstream: service.url, rollout: { percent } }] });

  beforeAll(async () => {
    service = await startUpstream('orders', (req, res) => {
      if (req.url === '/api/orders/slow') release = () => res.end('slow done');
      else res.end('orders');
    });
    monolith = await startMonolith(express, { config: config(100) });
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
  });

  it('reload swaps in a new snapshot: a rollback to 0% takes effect on the next request', async () => {
    expect((await request(monolith.url, '/api/orders')).body).toBe('orders');
    const before = monolith.gateway.current.version;
    await monolith.gateway.reload(config(0));
    expect(monolith.gateway.current.version).toBe(before + 1);
    expect((await request(monolith.url, '/api/orders')).json().service).toBe('legacy');
    await monolith.gateway.reload(config(100));
  });

  it('reloads a config object with no routes: everything goes to the monolith', async () => {
    await monolith.gateway.reload({ routes: [] });
    expect(monolith.gateway.current.config.routes).toEqual([]);
    expect((await request(monolith.url, '/api/orders')).json().service).toBe('legacy');
    await monolith.gateway.reload(config(100));
  });

  it('lets a request in flight finish on the snapshot it started with', async () => {
    const slow = request(monolith.url, '/api/orders/slow');
    await expect.poll(() => release !== undefined).toBe(true);
    await monolith.gateway.reload(config(0));
    release?.();
    expect((await slow).body).toBe('slow done');
    await monolith.gateway.reload(config(100));
  });

  it('keeps serving the current snapshot when a reload is invalid', async () => {
    const version = monolith.gateway.current.version;
    await expect(monolith.gateway.reload({ routes: [{ id: 'orders', match: { path: 'no-slash' }, upstream: service.url }] })).rejects.toThrow(FigwayConfigError);
    expect(monolith.gateway.current.version).toBe(version);
    expect((await request(monolith.url, '/api/orders')).body).toBe('orders');
  });

  it('closes the connection pool of a service a reload no longer uses, once its requests are done', async () => {
    const openConnections = () => new Promise<number>((resolve) => service.server.getConnections((_err, count) => resolve(count)));
    expect((await request(monolith.url, '/api/orders')).body).toBe('orders');
    expect(await openConnections()).toBe(1);
    await monolith.gateway.reload({ ...config(100), upstreams: {} , routes: [{ ...config(100).routes[0]!, upstream: service.url.replace('127.0.0.1', 'localhost') }] });
    await expect.poll(openConnections).toBe(0);
    await monolith.gateway.reload(config(100));
  });

  it('exposes the current config read-only', () => {
    const { config: current } = monolith.gateway.current;
    expect(Object.isFrozen(current.routes[0])).toBe(true);
    expect(current.routes[0]?.id).toBe('orders');
  });

  it('refuses to attach to something that is not an Express app', () => {
    expect(() => monolith.gateway.attach({})).toThrow(FigwayError);
    expect(() => monolith.gateway.attach({})).toThrow(/needs an Express app/);
  });
});
