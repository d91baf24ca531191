// Credentials never reach a log line (PITFALLS 18), whatever they are called and whatever became of
// the request: accepted, refused by auth, failed upstream. Each secret below is real for its
// source (a key figway accepts, a JWT it verifies) or deliberately wrong, and none may be written.
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs, type CapturedLogs } from '../helpers/log-capture.js';
import { startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { sign } from '../helpers/tokens.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const SECRET = 'jwt-secret-0123456789abcdef0123456789';
const PARTNER_KEY = 'partner-key-SEKRET-0001';
const WRONG_KEY = 'partner-key-SEKRET-0002';
const COOKIE = 'SEKRET-session-0003';
const SET_COOKIE = 'SEKRET-set-cookie-0004';

describe('credentials in logs', () => {
  let service: Upstream;
  let monolith: Monolith;
  let logs: CapturedLogs;
  let jwt: string;

  beforeAll(async () => {
    service = await startUpstream('service', (_req, res) => {
      res.setHeader('set-cookie', `session=${SET_COOKIE}; Path=/; HttpOnly`);
      res.end('{}');
    });
    logs = captureLogs();
    jwt = await sign(SECRET, { sub: 'user-42', iss: 'https://id.example', aud: 'shop' });
    monolith = await startMonolith(express, {
      logger: logs.logger,
      registry: new Registry(),
      config: {
        plugins: { logging: { headers: true } },
        auth: {
          default: 'optional',
          sources: ['jwt', 'apiKey'],
          jwt: { secret: SECRET, issuer: 'https://id.example', audience: 'shop' },
          // Named unlike anything a default redaction list would guess.
          apiKeys: { header: 'x-partner', query: 'p', keys: [{ id: 'partner', key: PARTNER_KEY }] },
        },
        routes: [
          { id: 'orders', match: { path: '/api/orders' }, upstream: service.url },
          { id: 'down', match: { path: '/api/down' }, upstream: 'http://127.0.0.1:1' },
        ],
      },
    });
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
  });

  it('writes none of them, for accepted, refused and failed requests alike', async () => {
    const sent: [string, Record<string, string>, number][] = [
      ['/api/orders/1', { 'x-partner': PARTNER_KEY }, 200],
      ['/api/orders/2', { 'x-partner': WRONG_KEY }, 401],
      [`/api/orders/3?p=${PARTNER_KEY}&x=1`, {}, 200],
      [`/api/orders/4?P=${WRONG_KEY}`, {}, 200],
      ['/api/orders/5', { authorization: `Bearer ${jwt}` }, 200],
      ['/api/orders/6', { authorization: `Bearer ${jwt}x` }, 401],
      [`/api/orders/7?access_token=${jwt}&session=${COOKIE}`, { cookie: `connect.sid=${COOKIE}` }, 200],
      ['/api/down', { 'x-partner': PARTNER_KEY, cookie: `connect.sid=${COOKIE}` }, 502],
    ];
    for (const [path, headers, status] of sent) expect((await request(monolith.url, path, { headers })).status, path).toBe(status);
    await expect.poll(() => logs.raw.length).toBeGreaterThanOrEqual(sent.length);

    const written = logs.raw.join('\n');
    for (const secret of [PARTNER_KEY, WRONG_KEY, COOKIE, SET_COOKIE, jwt, jwt.split('.')[2] as string]) expect(written).not.toContain(secret);
    expect(written).not.toMatch(/SEKRET/);
    // The lines are there, with the credentials marked as redacted rather than dropped silently.
    const line = logs.lines.find((l) => (l.req as { url: string }).url.startsWith('/api/orders/1')) as { req: { headers: Record<string, string> } };
    expect(line.req.headers['x-partner']).toBe('[Redacted]');
    expect(logs.lines.map((l) => (l.req as { url: string }).url)).toContain('/api/orders/3?p=[Redacted]&x=1');
  });
});
