// Progressive rollouts end to end: a real monolith and real services, an injected clock and coin,
// the engine ticking every few milliseconds, a state file shared with a restart and a second replica.
import { mkdtempSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FigwayConfig } from '../../src/config/schema.js';
import type { FigwayOptions } from '../../src/types.js';
import { runCli } from '../cli/run-cli.js';
import { adminCall } from '../helpers/admin-client.js';
import { listen, type Listening } from '../helpers/listen.js';
import { captureLogs } from '../helpers/log-capture.js';
import { startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';

const TOKEN = 'progressive-admin-token-0123';
/** The live-stats slot: after a step, traffic is sent one slot later so it counts for the new step only. */
const SLOT = 5_000;

/** A service a test switches between answering, failing and dawdling. */
interface Switchable extends Listening {
  status: number;
  delayMs: number;
}

async function switchable(): Promise<Switchable> {
  const state = { status: 200, delayMs: 0 };
  const listening = await listen((req, res: ServerResponse) => {
    req.resume();
    setTimeout(() => {
      res.writeHead(state.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ service: 'new' }));
    }, state.delayMs);
  });
  return Object.assign(state, listening);
}

interface ProgressiveView {
  steps: number[];
  step: number;
  state: string;
  percent: number;
  requestsAtStep: number;
  reason: string | null;
}

describe('progressive rollouts', () => {
  let dir: string;
  let orders: Switchable;
  let search: Switchable;
  let monolith: Monolith;
  let clock = 1_700_000_000_000;
  let coin = 0;
  const logs = captureLogs();
  const registry = new Registry();

  const config = (): FigwayConfig => ({
    admin: { port: 0, token: TOKEN },
    state: { store: 'file', path: path.join(dir, 'state.json') },
    routes: [
      {
        id: 'orders',
        match: { path: '/api/orders' },
        upstream: orders.url,
        // This route's guard watches errors only: a loaded test machine must not make it trip on latency.
        rollout: { steps: [10, 50, 100], minStepTime: '1m', minStepRequests: 20, sticky: ['user'], unkeyed: 'random', guard: { minRequests: 20, minP99Increase: '10s' } },
      },
      {
        id: 'search',
        match: { path: '/api/search' },
        upstream: search.url,
        rollout: { steps: [10, 50, 100], minStepTime: '1m', minStepRequests: 20, sticky: ['user'], unkeyed: 'random', guard: { minRequests: 20, onBreach: 'previous' } },
      },
    ],
  });

  // Every request draws the next of 0.0, 0.1 … 0.9: at 10% and 50%, exactly 1 and 5 of every 10 requests go to the service.
  const options = (extra: Partial<FigwayOptions> = {}): FigwayOptions => ({
    config: config(),
    now: () => clock,
    random: () => (coin++ % 10) / 10,
    checkInterval: 10,
    ...extra,
  });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'figway-progressive-'));
    [orders, search] = await Promise.all([switchable(), switchable()]);
    monolith = await startMonolith(express, options({ logger: logs.logger, registry }));
    await monolith.gateway.ready;
  });
  afterAll(async () => {
    await monolith.close();
    await Promise.all([orders.close(), search.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const admin = (method: string, p: string, body?: unknown, gateway = monolith) => adminCall(gateway.gateway.adminUrl as string, TOKEN, method, p, body);
  const view = async (id: string, gateway = monolith) => (await admin('GET', `/routes/${id}`, undefined, gateway)).json<{ rollout: { percent: number; source: string }; progressive: ProgressiveView }>();
  const sides = async (p: string, count: number) => {
    const tally = { service: 0, legacy: 0 };
    for (let i = 0; i < count; i++) {
      const reply = await request(monolith.url, p);
      if (reply.json<{ service: string }>().service === 'legacy') tally.legacy += 1;
      else tally.service += 1;
    }
    return tally;
  };
  /** Lets the engine tick several times, for tests asserting it did not move. */
  const ticks = () => new Promise((resolve) => setTimeout(resolve, 80));
  const audit = async () => (await admin('GET', '/audit')).json<{ entries: { action: string; route?: string; actor: string; after?: unknown }[] }>().entries;

  it('writes the schedule to the store at the first step and serves its percent', async () => {
    await expect.poll(async () => (await view('orders')).progressive).toMatchObject({ steps: [10, 50, 100], step: 0, state: 'running', percent: 10 });
    expect((await view('orders')).rollout).toMatchObject({ percent: 10, source: 'progressive' });
    clock += SLOT;
    expect(await sides('/api/orders', 100)).toEqual({ service: 10, legacy: 90 });
    expect((await audit()).filter((e) => e.action === 'progressive-start').map((e) => [e.route, e.actor])).toEqual(
      expect.arrayContaining([
        ['orders', 'figway-progressive'],
        ['search', 'figway-progressive'],
      ]),
    );
  });

  it('takes no step before minStepTime, however many requests', async () => {
    expect(await sides('/api/orders', 200)).toEqual({ service: 20, legacy: 180 });
    await ticks();
    expect((await view('orders')).progressive).toMatchObject({ step: 0, state: 'running', requestsAtStep: 30 });
  });

  it('takes the next step once minStepTime has passed and the service served minStepRequests', async () => {
    clock += 60_000;
    await expect.poll(async () => (await view('orders')).progressive).toMatchObject({ step: 1, percent: 50, requestsAtStep: 0 });
    // The engine counts and logs a step once the new snapshot is in place, a tick after the view shows it.
    await expect.poll(() => registry.getSingleMetricAsString('figway_progressive_events_total')).toContain('figway_progressive_events_total{route="orders",event="step"} 1');
    expect(logs.lines).toContainEqual(expect.objectContaining({ msg: 'figway: progressive rollout of orders: step', route: 'orders', percent: 50 }));
  });

  it('does not judge a failing service before each side has guard.minRequests', async () => {
    orders.status = 503;
    clock += SLOT;
    expect(await sides('/api/orders', 20)).toEqual({ service: 10, legacy: 10 });
    await ticks();
    expect((await view('orders')).progressive).toMatchObject({ step: 1, state: 'running' });
  });

  it('rolls the route back to 0% when the service errors more than legacy, and says so in the audit log, the metrics and the log', async () => {
    expect(await sides('/api/orders', 20)).toEqual({ service: 10, legacy: 10 });
    await expect.poll(async () => (await view('orders')).progressive).toMatchObject({ step: 1, state: 'rolled-back', percent: 0, reason: expect.stringContaining('service error rate 100% vs legacy 0%') });
    expect(await sides('/api/orders', 20)).toEqual({ service: 0, legacy: 20 });
    const breach = (await audit()).find((e) => e.action === 'progressive-breach');
    expect(breach).toMatchObject({ route: 'orders', actor: 'figway-guard' });
    await expect.poll(() => registry.getSingleMetricAsString('figway_progressive_events_total')).toContain('figway_progressive_events_total{route="orders",event="breach"} 1');
    expect(logs.lines).toContainEqual(expect.objectContaining({ level: 50, code: 'FIGWAY_PROGRESSIVE_GUARD_TRIPPED', route: 'orders', event: 'breach', msg: expect.stringMatching(/^figway: rollout guard tripped on orders: service error rate/) }));
  });

  it('refuses to set the percent of a progressive route, and starts over at the first step on resume', async () => {
    const refused = await admin('PUT', '/routes/orders/rollout', { percent: 50 });
    expect(refused.status).toBe(409);
    expect(refused.json()).toMatchObject({ error: { code: 'FIGWAY_ADMIN_CONFLICT' } });
    orders.status = 200;
    const resumed = await admin('POST', '/routes/orders/progressive/resume');
    expect(resumed.status).toBe(200);
    expect(resumed.json()).toMatchObject({ progressive: { step: 0, state: 'running', percent: 10 } });
    const again = await admin('POST', '/routes/orders/progressive/resume');
    expect(again.status).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'FIGWAY_ADMIN_CONFLICT', message: expect.stringContaining('it is running') } });
  });

  it('does not take a step when the service served too few requests, whatever the time', async () => {
    clock += SLOT;
    expect(await sides('/api/orders', 100)).toEqual({ service: 10, legacy: 90 });
    clock += 120_000;
    await ticks();
    expect((await view('orders')).progressive).toMatchObject({ step: 0, state: 'running', requestsAtStep: 10 });
  });

  it('pauses, promotes and rolls back through the CLI, each in the audit log with who did it', async () => {
    const cli = (...argv: string[]) => runCli(['--admin', monolith.gateway.adminUrl as string, '--token', TOKEN, 'progressive', 'orders', ...argv]);
    const paused = await cli('pause');
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(/^orders: paused at 10% \(step 1 of 3: 10 → 50 → 100\); since .*; paused by admin \(/);
    clock += 600_000;
    expect(await sides('/api/orders', 100)).toEqual({ service: 10, legacy: 90 });
    await ticks();
    expect((await view('orders')).progressive).toMatchObject({ step: 0, state: 'paused' });

    const promoted = await cli('promote');
    expect(promoted.stdout).toMatch(/^orders: running at 50% \(step 2 of 3/);
    expect((await cli()).stdout).toMatch(/^orders: running at 50% .* 0\/20 requests here; next step not before /);
    const rolledBack = await adminCall(monolith.gateway.adminUrl as string, TOKEN, 'POST', '/routes/orders/rollback');
    expect(rolledBack.json()).toMatchObject({ rollout: { percent: 0 }, progressive: { state: 'rolled-back', reason: 'rolled back by admin (test-ops)' } });
    const actions = (await audit()).filter((e) => e.route === 'orders').map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['progressive-pause', 'progressive-promote', 'rollback']));
    const log = (await runCli(['--admin', monolith.gateway.adminUrl as string, '--token', TOKEN, 'audit', '--limit', '3'])).stdout;
    expect(log).toMatch(/rollback\s+orders\s+running at 50% \(step 2 of 3\) → rolled-back at 0% \(step 2 of 3\)/);
    expect(log).toMatch(/progressive-promote\s+orders\s+paused at 10% \(step 1 of 3\) → running at 50% \(step 2 of 3\)/);
  });

  it('goes back to the previous step and pauses when a slow service trips the p99 limit (onBreach: previous)', async () => {
    expect((await admin('POST', '/routes/search/progressive/promote')).json()).toMatchObject({ progressive: { step: 1, percent: 50 } });
    search.delayMs = 300;
    clock += SLOT;
    expect(await sides('/api/search', 40)).toEqual({ service: 20, legacy: 20 });
    await expect.poll(async () => (await view('search')).progressive).toMatchObject({ step: 0, state: 'paused', percent: 10, reason: expect.stringMatching(/^service p99 .* is above the allowed 1.5x/) });
    search.delayMs = 0;
  });

  it('takes no step while the kill switch is on', async () => {
    await admin('POST', '/routes/search/progressive/resume');
    clock += SLOT;
    await sides('/api/search', 200);
    expect((await admin('POST', '/kill-switch', { on: true })).status).toBe(200);
    clock += 60_000;
    await ticks();
    expect((await view('search')).progressive).toMatchObject({ step: 0, state: 'running' });
    expect((await admin('POST', '/kill-switch', { on: false })).status).toBe(200);
    await expect.poll(async () => (await view('search')).progressive).toMatchObject({ step: 1, state: 'running' });
  });

  it('keeps the schedule across a restart and shares it with a second replica on the same state file', async () => {
    const before = (await view('search')).progressive;
    await monolith.close();
    monolith = await startMonolith(express, options({ registry: new Registry() }));
    await monolith.gateway.ready;
    expect((await view('search')).progressive).toMatchObject({ steps: before.steps, step: before.step, state: before.state });
    expect((await view('orders')).progressive).toMatchObject({ state: 'rolled-back', percent: 0 });

    const replica = await startMonolith(express, options({ registry: new Registry() }));
    try {
      await replica.gateway.ready;
      expect((await admin('POST', '/routes/search/progressive/pause', undefined, replica)).status).toBe(200);
      await expect.poll(async () => (await view('search')).progressive.state).toBe('paused');
      // Both replicas tick; the schedule moves once: one start, never a second.
      expect((await audit()).filter((e) => e.action === 'progressive-start' && e.route === 'search')).toHaveLength(1);
    } finally {
      await replica.close();
    }
  });
});
