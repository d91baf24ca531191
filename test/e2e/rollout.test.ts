// Rollout through real requests: sticky split, staff first, QA override only when enabled.
import express, { type RequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketOf } from '../../src/index.js';
import { startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

/** Stands in for the monolith's passport session: `x-test-user: alice:staff` becomes req.user. */
const fakeSession: RequestHandler = (req, _res, next) => {
  const header = req.headers['x-test-user'];
  if (typeof header === 'string') {
    const [id, role] = header.split(':');
    (req as { user?: unknown }).user = { id, role, org: { plan: 'enterprise' } };
  }
  next();
};

describe('rollout end to end', () => {
  let service: Upstream;
  let monolith: Monolith;
  let withOverride: Monolith;

  const config = (url: string, override = false) => ({
    cohorts: { staff: { user: { role: 'staff' } }, office: { cidr: ['10.0.0.0/8'] } },
    ...(override ? { override: { header: 'x-figway-side', cookie: 'figway-side' } } : {}),
    routes: [
      {
        id: 'orders',
        match: { path: '/api/orders' },
        upstream: url,
        rollout: { percent: 10, sticky: ['user', 'header:x-session'], cohorts: { staff: 'service' as const } },
      },
    ],
  });

  beforeAll(async () => {
    service = await startUpstream('orders');
    monolith = await startMonolith(express, { config: config(service.url) }, { before: [fakeSession] });
    withOverride = await startMonolith(express, { config: config(service.url, true) }, { before: [fakeSession] });
  });
  afterAll(async () => {
    await monolith.close();
    await withOverride.close();
    await service.close();
  });

  const sideOf = async (target: Monolith, headers: Record<string, string>) => (await request(target.url, '/api/orders', { headers })).json().service;

  it('sends each user to the side their bucket says, every time', async () => {
    const users = Array.from({ length: 60 }, (_, i) => `user-${i}`);
    for (const id of users) {
      const expected = bucketOf('orders', id) < 1000 ? 'orders' : 'legacy';
      for (let i = 0; i < 3; i++) expect(await sideOf(monolith, { 'x-test-user': `${id}:customer` })).toBe(expected);
    }
  });

  it('uses the next sticky key when there is no user', async () => {
    const session = Array.from({ length: 200 }, (_, i) => `s-${i}`).find((s) => bucketOf('orders', s) < 1000) as string;
    expect(await sideOf(monolith, { 'x-session': session })).toBe('orders');
  });

  it('sends staff to the service first, whatever their bucket', async () => {
    const outsider = Array.from({ length: 200 }, (_, i) => `u-${i}`).find((u) => bucketOf('orders', u) >= 1000) as string;
    expect(await sideOf(monolith, { 'x-test-user': `${outsider}:customer` })).toBe('legacy');
    expect(await sideOf(monolith, { 'x-test-user': `${outsider}:staff` })).toBe('orders');
  });

  it('ignores the override header unless the config enables it', async () => {
    const outsider = Array.from({ length: 200 }, (_, i) => `u-${i}`).find((u) => bucketOf('orders', u) >= 1000) as string;
    expect(await sideOf(monolith, { 'x-test-user': `${outsider}:customer`, 'x-figway-side': 'always' })).toBe('legacy');
    expect(await sideOf(withOverride, { 'x-test-user': `${outsider}:customer`, 'x-figway-side': 'always' })).toBe('orders');
    expect(await sideOf(withOverride, { 'x-test-user': `${outsider}:staff`, cookie: 'a=1; figway-side=never' })).toBe('legacy');
  });
});
