// The example app newcomers run first: `npm start` starts it, and what it prints works.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketOf } from '../../src/index.js';
import { request } from '../helpers/request.js';

const START = fileURLToPath(new URL('../../example-app/start.cjs', import.meta.url));

describe('example app', () => {
  let child: ChildProcess;
  let output = '';
  let base = '';

  beforeAll(async () => {
    child = spawn(process.execPath, [START], { env: { ...process.env, PORT: '0', ORDERS_PORT: '0', USERS_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr?.on('data', (data: Buffer) => (output += data.toString()));
    base = await new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (data: Buffer) => {
        output += data.toString();
        const found = /monolith \(legacy \+ figway\)\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (found && output.includes('Stop with Ctrl-C')) resolve(found[1] as string);
      });
      child.once('exit', (code) => reject(new Error(`example exited with ${code}: ${output}`)));
    });
  });
  afterAll(() => {
    child.kill('SIGTERM');
  });

  it('prints curl lines for the monolith it started', () => {
    expect(output).toContain(`curl -s ${base}/api/users/7`);
    expect(output).toContain(`curl -s -H 'x-staff: yes' ${base}/api/orders`);
  });

  it('serves unlisted paths from the monolith and migrated ones from the services', async () => {
    expect((await request(base, '/')).body).toBe('The legacy monolith home page.\n');
    expect((await request(base, '/api/invoices')).json()).toEqual({ servedBy: 'legacy-monolith', invoices: [] });
    expect((await request(base, '/api/users/7')).json()).toEqual({ servedBy: 'users-service', user: { id: '7', name: 'user 7' } });
  });

  it('serves its metrics at /metrics', async () => {
    await request(base, '/api/users/8');
    const metrics = (await request(base, '/metrics')).body;
    expect(metrics).toMatch(/figway_requests_total\{route="users",target="service",method="GET",status_class="2xx"\} [1-9]/);
    expect(metrics).toContain('figway_rollout_percent{route="orders"} 25');
  });

  it('splits /api/orders by x-user-id, sticky, with staff always on the service', async () => {
    for (const user of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hank', 'ivan', 'judy']) {
      const expected = bucketOf('orders', user) < 2500 ? 'orders-service' : 'legacy-monolith';
      for (let i = 0; i < 2; i++) expect((await request(base, '/api/orders', { headers: { 'x-user-id': user } })).json().servedBy).toBe(expected);
    }
    const created = await request(base, '/api/orders', {
      method: 'POST',
      headers: { 'x-staff': 'yes', 'content-type': 'application/json' },
      body: '{"item":"fresh figs"}',
    });
    expect(created.status).toBe(201);
    expect(created.json()).toMatchObject({ servedBy: 'orders-service', order: { item: 'fresh figs' } });
  });
});
