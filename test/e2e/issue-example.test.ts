// The figway.yaml from the core issue, exactly as written (services on 127.0.0.1:4001 and :4002).
import { fileURLToPath } from 'node:url';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketOf } from '../../src/index.js';
import { listen, type Listening } from '../helpers/listen.js';
import { startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';

const CONFIG = fileURLToPath(new URL('../config/fixtures/issue-example.yaml', import.meta.url));

/** Listens on a fixed port, as the file demands; says clearly when something else holds it. */
async function listenOn(port: number, name: string): Promise<Listening> {
  const app = express();
  app.use((req, res) => res.json({ service: name, url: req.url }));
  return new Promise((resolve, reject) => {
    const fixed = app.listen(port, '127.0.0.1', () =>
      resolve({
        server: fixed,
        port,
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise<void>((done) => fixed.close(() => done())),
      }),
    );
    fixed.once('error', (err) => reject(new Error(`port ${port} is taken (is the example app running?): ${err.message}`)));
  });
}

describe('the issue example, as written', () => {
  let orders: Listening;
  let users: Listening;
  let monolith: Monolith;

  beforeAll(async () => {
    orders = await listenOn(4001, 'orders');
    users = await listenOn(4002, 'users');
    monolith = await startMonolith(express, { config: CONFIG });
  });
  afterAll(async () => {
    await monolith.close();
    await orders.close();
    await users.close();
  });

  it('sends 25% of x-user-id keys to orders, sticky, for GET and POST only', async () => {
    let onService = 0;
    for (let i = 0; i < 40; i++) {
      const id = `customer-${i}`;
      const side = (await request(monolith.url, '/api/orders/3', { headers: { 'x-user-id': id } })).json().service;
      expect(side).toBe(bucketOf('orders', id) < 2500 ? 'orders' : 'legacy');
      if (side === 'orders') onService += 1;
    }
    expect(onService).toBeGreaterThan(0);
    expect(onService).toBeLessThan(40);
    expect((await request(monolith.url, '/api/orders', { method: 'DELETE' })).json().service).toBe('legacy');
  });

  it('sends /api/users/:id to the users service without the /api prefix', async () => {
    expect((await request(monolith.url, '/api/users/7')).json()).toEqual({ service: 'users', url: '/users/7' });
  });
});
