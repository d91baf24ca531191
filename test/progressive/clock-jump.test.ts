// A clock that steps back (an NTP correction after a jump forward) must not stall a progressive
// rollout for the length of the jump: a step start in the clock's future counts from when it is seen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { adminCall } from '../helpers/admin-client.js';
import { captureLogs } from '../helpers/log-capture.js';
import { startMonolith, type Monolith } from '../helpers/monolith.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const TOKEN = 'clock-jump-admin-token-0123';
const HOUR = 3_600_000;

describe('progressive rollout across a clock jump', () => {
  let dir: string;
  let service: Upstream;
  let monolith: Monolith;
  let clock = 1_700_000_000_000;
  const logs = captureLogs();
  const step = async () => (await adminCall(monolith.gateway.adminUrl as string, TOKEN, 'GET', '/routes/orders')).json<{ progressive: { step: number; state: string } }>().progressive;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'figway-clock-'));
    service = await startUpstream('orders');
    monolith = await startMonolith(express, {
      config: {
        admin: { port: 0, token: TOKEN },
        state: { store: 'file', path: path.join(dir, 'state.json') },
        routes: [{ id: 'orders', match: { path: '/api/orders' }, upstream: service.url, rollout: { steps: [10, 50, 100], minStepTime: '10m', minStepRequests: 0, guard: false } }],
      },
      now: () => clock,
      checkInterval: 10,
      logger: logs.logger,
      registry: new Registry(),
    });
    await monolith.gateway.ready;
    await vi.waitFor(async () => expect(await step()).toMatchObject({ step: 0, state: 'running' }));
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts a step that starts in the future from when it is seen, and steps after minStepTime, not after the jump', async () => {
    // The clock runs an hour ahead when the operator promotes: the new step starts "an hour from now".
    clock += HOUR;
    expect((await adminCall(monolith.gateway.adminUrl as string, TOKEN, 'POST', '/routes/orders/progressive/promote')).status).toBe(200);
    expect(await step()).toMatchObject({ step: 1, state: 'running' });
    // NTP steps it back.
    clock -= HOUR;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(logs.lines.filter((l) => String(l.msg).includes("starts in this clock's future"))).toEqual([expect.objectContaining({ level: 40, route: 'orders' })]);
    clock += 9 * 60_000;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await step(), 'minStepTime has not passed since the step was seen').toMatchObject({ step: 1 });
    clock += 61_000;
    await expect.poll(step, { timeout: 2000 }).toMatchObject({ step: 2, state: 'running' });
  });
});
