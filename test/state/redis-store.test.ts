// The Redis store against a real redis-server: the conformance suite, then what Redis outages must not break.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisStateStore, type RedisStateStoreOptions } from '../../src/state/redis-store.js';
import { type RuntimeState, type StateStore } from '../../src/state/runtime-state.js';
import { REDIS_MISSING, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { describeStoreConformance } from './store-conformance.js';

describe.skipIf(REDIS_MISSING !== undefined)(REDIS_MISSING ?? 'with a real redis-server', () => {
  let shared: RedisServer;
  const root = mkdtempSync(path.join(tmpdir(), 'figway-redis-store-'));
  let backing = 0;

  beforeAll(async () => {
    shared = await startRedisServer();
  });
  afterAll(async () => {
    await shared?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  describeStoreConformance('redis', {
    open: () => RedisStateStore.open({ url: shared.url, prefix: `conformance-${backing}`, cacheFile: path.join(root, `case-${backing}`, 'state.json') }),
    async reset() {
      backing += 1;
    },
  });

  const rollout = (id: string, percent: number) => (state: RuntimeState) => ({ ...state, routes: { ...state.routes, [id]: { percent } } });
  const ops = { actor: 'ops', action: 'rollout' } as const;

  /** A plain client, to look at or change Redis behind the stores' back. */
  async function withClient<T>(server: RedisServer, run: (client: RedisClientType) => Promise<T>): Promise<T> {
    const client = createClient({ url: server.url });
    client.on('error', () => {});
    await client.connect();
    try {
      return await run(client);
    } finally {
      client.destroy();
    }
  }

  describe('redis store', () => {
    const servers: RedisServer[] = [];
    const stores: StateStore[] = [];
    let cases = 0;

    const start = async (dir?: string) => {
      const server = await startRedisServer(dir === undefined ? {} : { dir });
      servers.push(server);
      return server;
    };
    const open = async (server: RedisServer, options: Partial<RedisStateStoreOptions> = {}) => {
      const store = await RedisStateStore.open({ url: server.url, prefix: 'outage', startupTimeoutMs: 500, ...options });
      stores.push(store);
      return store;
    };
    const directory = () => mkdtempSync(path.join(root, `outage-${(cases += 1)}-`));
    const elapsed = async <T>(run: () => Promise<T>) => {
      const started = Date.now();
      const result = await run();
      return { result, ms: Date.now() - started };
    };

    afterEach(async () => {
      for (const store of stores.splice(0)) await store.close();
      for (const server of servers.splice(0)) await server.stop();
    });

    it('serves the last known state and refuses changes quickly while Redis is down, without crashing', async () => {
      const server = await start();
      const store = await open(server);
      const known = await store.update(rollout('orders', 30), ops);
      await server.stop();
      // Long enough for the client to notice and go through a few reconnect attempts (and their errors).
      await new Promise((resolve) => setTimeout(resolve, 300));

      const load = await elapsed(() => store.load());
      expect(load.result).toEqual(known);
      expect(load.ms).toBeLessThan(1000);

      const started = Date.now();
      await expect(store.update(rollout('orders', 60), ops)).rejects.toThrow(/unreachable/);
      await expect(store.record({ ...ops, action: 'reload', revision: 2 })).rejects.toThrow(/unreachable/);
      await expect(store.audit(10)).rejects.toThrow(/unreachable/);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(store.healthy).toBe(false);
    });

    it('catches a subscriber up after Redis restarts', async () => {
      const server = await start(directory());
      const writer = await open(server);
      const watcher = await open(server);
      const seen: number[] = [];
      watcher.subscribe((state) => seen.push(state.revision));
      await writer.update(rollout('orders', 10), ops);
      await expect.poll(() => seen, { timeout: 1000, interval: 20 }).toEqual([1]);

      await server.restart();
      await expect.poll(async () => (await writer.load(), writer.healthy), { timeout: 3000, interval: 50 }).toBe(true);
      expect(await writer.load()).toMatchObject({ revision: 1 });
      await withClient(server, async (raw) => {
        await expect.poll(async () => (await raw.pubSubNumSub('outage:changes'))['outage:changes'], { timeout: 3000, interval: 50 }).toBe(1);
      });
      const changed = Date.now();
      await writer.update(rollout('orders', 20), ops);
      // Sooner than the poll (every 2 s): the message itself arrived, on the renewed subscription.
      await expect.poll(() => seen, { timeout: 1000, interval: 20 }).toEqual([1, 2]);
      expect(Date.now() - changed).toBeLessThan(1000);
      expect((await watcher.audit(10)).map((entry) => entry.revision)).toEqual([2, 1]);
    });

    it('reads back what was published while its subscription was down, as soon as it is back', async () => {
      const server = await start();
      const watcher = await open(server, { pollIntervalMs: 60_000 });
      const seen: number[] = [];
      watcher.subscribe((state) => seen.push(state.revision));
      await withClient(server, async (raw) => {
        await expect.poll(async () => (await raw.pubSubNumSub('outage:changes'))['outage:changes'], { timeout: 1000, interval: 20 }).toBe(1);
        // One transaction: the subscription is cut before the change, so its message reaches nobody.
        await raw
          .multi()
          .clientKill({ filter: 'TYPE', type: 'pubsub' })
          .set('outage:state', JSON.stringify({ revision: 3, routes: { orders: { percent: 70 } }, killSwitch: false }))
          .publish('outage:changes', 'lost')
          .exec();
      });
      await expect.poll(() => seen, { timeout: 2000, interval: 20 }).toEqual([3]);
    });

    it('notices a change whose message it missed, by polling', async () => {
      const server = await start();
      const watcher = await open(server, { pollIntervalMs: 200 });
      const writer = await open(server);
      const seen: number[] = [];
      watcher.subscribe((state) => seen.push(state.revision));
      await writer.update(rollout('orders', 10), ops);
      await expect.poll(() => seen, { timeout: 1000, interval: 20 }).toEqual([1]);
      // Lets the read the subscription makes once it is up finish, so only the poll can see what follows.
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Written behind the stores' back: no message is published.
      await withClient(server, (raw) => raw.set('outage:state', JSON.stringify({ revision: 5, routes: {}, killSwitch: true })));
      await expect.poll(() => seen, { timeout: 1500, interval: 20 }).toEqual([1, 5]);
    });

    it('starts from its cache file while Redis is down, and restores Redis from it when Redis comes back empty', async () => {
      const server = await start();
      const cacheFile = path.join(directory(), 'state.json');
      const first = await open(server, { cacheFile });
      const known = await first.update(rollout('orders', 40), ops);
      await first.close();
      expect(JSON.parse(readFileSync(cacheFile, 'utf8'))).toEqual(known);
      expect(readdirSync(path.dirname(cacheFile))).toEqual(['state.json']);
      await server.stop();

      const opened = await elapsed(() => open(server, { cacheFile, startupTimeoutMs: 500 }));
      const late = opened.result;
      const load = await elapsed(() => late.load());
      expect(load.result).toEqual(known);
      expect(opened.ms + load.ms).toBeLessThan(1500);
      await expect(late.update(rollout('orders', 50), ops)).rejects.toThrow(/unreachable/);

      // Without persistence the server comes back with nothing; the state must not fall back to empty.
      await server.restart();
      const fresh = await open(server);
      await expect.poll(async () => (await fresh.load()).revision, { timeout: 3000, interval: 50 }).toBe(1);
      expect(await fresh.load()).toEqual(known);
    });

    it('restores the state it knew into a Redis restarted empty, and carries on from its revision', async () => {
      const server = await start();
      const store = await open(server);
      await store.update(rollout('orders', 10), ops);
      const known = await store.update(rollout('billing', 5), ops);
      await server.restart();

      const other = await open(server);
      await expect.poll(async () => (await other.load()).revision, { timeout: 3000, interval: 50 }).toBe(2);
      expect(await other.load()).toEqual(known);
      expect((await other.update(rollout('orders', 20), ops)).revision).toBe(3);
    });

    it('names itself without the password', async () => {
      const store = new RedisStateStore({ url: 'redis://:secret@127.0.0.1:1/2', startupTimeoutMs: 50 });
      stores.push(store);
      expect(store.description).toBe('redis:redis://127.0.0.1:1/2');
    });
  });
});
