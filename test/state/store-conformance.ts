// One conformance suite for every StateStore: what the gateway relies on, whatever the backing.
import { afterEach, describe, expect, it } from 'vitest';
import { EMPTY_STATE, type RuntimeState, type StateStore } from '../../src/state/runtime-state.js';
import type { LegacyTally } from '../../src/state/migration-history.js';

/** Opens a store on a backing shared by every store `open` returns within one test (same file, same Redis prefix). */
export interface StoreFactory {
  open(): Promise<StateStore>;
  /** Starts a new, empty backing for the next test. */
  reset(): Promise<void>;
}

const withRoute = (state: RuntimeState, id: string, percent: number) => ({ ...state, routes: { ...state.routes, [id]: { percent } } });

const DAY_MS = 86_400_000;
/** Noon UTC on 2024-05-01. */
const T = Date.UTC(2024, 4, 1, 12);
const tally = (route: string, reason: string, day: string, count: number, last: number): LegacyTally => ({ route, reason, day, count, last });

export function describeStoreConformance(name: string, factory: StoreFactory): void {
  describe(`${name}: state store conformance`, () => {
    const opened: StateStore[] = [];
    const open = async () => {
      const store = await factory.open();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
      await factory.reset();
    });

    it('starts empty', async () => {
      expect(await (await open()).load()).toEqual(EMPTY_STATE);
    });

    it('applies a change with the next revision and returns it', async () => {
      const store = await open();
      const next = await store.update((s) => withRoute(s, 'orders', 25), { actor: 'ops', note: 'alice', action: 'rollout', route: 'orders', before: 100, after: 25 });
      expect(next).toEqual({ revision: 1, routes: { orders: { percent: 25 } }, killSwitch: false, progressive: {}, changes: [expect.any(String)] });
      expect(await store.load()).toEqual(next);
      expect(await store.audit(1)).toEqual([{ actor: 'ops', note: 'alice', action: 'rollout', route: 'orders', before: 100, after: 25, at: expect.any(String), revision: 1, change: next.changes?.[0] }]);
    });

    it('keeps state for a store opened later on the same backing (a restart)', async () => {
      const first = await open();
      await first.update((s) => ({ ...withRoute(s, 'orders', 10), killSwitch: true }), { actor: 'ops', action: 'kill-switch' });
      await first.close();
      expect(await (await open()).load()).toMatchObject({ revision: 1, routes: { orders: { percent: 10 } }, killSwitch: true, progressive: {} });
    });

    it('applies a change sent again with the same id once, from any store, and answers the retry with the state', async () => {
      const first = await open();
      const second = await open();
      const change = (s: RuntimeState) => withRoute(s, 'orders', (s.routes.orders?.percent ?? 0) + 10);
      const applied = await first.update(change, { actor: 'ops', action: 'rollout', change: 'step-once' });
      expect(await second.update(change, { actor: 'ops', action: 'rollout', change: 'step-once' })).toEqual(applied);
      expect(await first.update(change, { actor: 'ops', action: 'rollout', change: 'step-once' })).toEqual(applied);
      expect(applied).toMatchObject({ revision: 1, routes: { orders: { percent: 10 } }, changes: ['step-once'] });
      expect((await second.audit(10)).map((entry) => entry.change)).toEqual(['step-once']);
      const next = await second.update(change, { actor: 'ops', action: 'rollout', change: 'step-twice' });
      expect(next).toMatchObject({ revision: 2, routes: { orders: { percent: 20 } }, changes: ['step-twice', 'step-once'] });
    });

    it('keeps a progressive schedule across a restart', async () => {
      const first = await open();
      const entry = { steps: [1, 10, 100], step: 1, state: 'paused' as const, since: 1_700_000_000_000, reason: 'paused by ops' };
      await first.update((s) => ({ ...s, progressive: { orders: entry } }), { actor: 'ops', action: 'progressive-pause', route: 'orders' });
      await first.close();
      expect((await (await open()).load()).progressive).toEqual({ orders: entry });
    });

    it('loses no update when many are made at once, from several stores', async () => {
      const stores = [await open(), await open()];
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => (stores[i % 2] as StateStore).update((s) => withRoute(s, `r${i}`, i), { actor: 'ops', action: 'rollout', route: `r${i}` })),
      );
      const state = await stores[0]!.load();
      expect(state.revision).toBe(20);
      expect(Object.keys(state.routes).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `r${i}`).sort());
    });

    it('changes nothing and records nothing when the change throws', async () => {
      const store = await open();
      await expect(store.update(() => { throw new Error('invalid'); }, { actor: 'ops', action: 'rollout' })).rejects.toThrow('invalid');
      expect(await store.load()).toEqual(EMPTY_STATE);
      expect(await store.audit(10)).toEqual([]);
    });

    it('tells subscribers of changes made through another store within a second', async () => {
      const watcher = await open();
      const writer = await open();
      const seen: RuntimeState[] = [];
      watcher.subscribe((state) => seen.push(state));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      await writer.update((s) => withRoute(s, 'orders', 50), { actor: 'ops', action: 'rollout', route: 'orders' });
      await expect.poll(() => seen.at(-1)?.routes.orders, { timeout: 1000, interval: 20 }).toEqual({ percent: 50 });
      expect(Date.now() - started).toBeLessThan(1000);
    });

    it('tells its own subscribers of its own changes, once each', async () => {
      const store = await open();
      const seen: number[] = [];
      store.subscribe((state) => seen.push(state.revision));
      await store.update((s) => withRoute(s, 'a', 1), { actor: 'ops', action: 'rollout' });
      await store.update((s) => withRoute(s, 'b', 2), { actor: 'ops', action: 'rollout' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(seen).toEqual([1, 2]);
    });

    it('keeps an audit log, newest first, with who, what, before and after', async () => {
      const store = await open();
      await store.update((s) => withRoute(s, 'orders', 10), { actor: 'alice', action: 'rollout', route: 'orders', before: 0, after: 10 });
      await store.record({ actor: 'bob', action: 'reload', revision: 7, before: 3, after: 4 });
      await store.update((s) => withRoute(s, 'orders', 0), { actor: 'carol', action: 'rollback', route: 'orders', before: 10, after: 0 });
      const audit = await store.audit(10);
      expect(audit.map((entry) => [entry.actor, entry.action, entry.before, entry.after, entry.revision])).toEqual([
        ['carol', 'rollback', 10, 0, 2],
        ['bob', 'reload', 3, 4, 7],
        ['alice', 'rollout', 0, 10, 1],
      ]);
      expect(Date.parse(audit[0]!.at)).toBeGreaterThan(Date.now() - 60_000);
      expect(await store.audit(1)).toHaveLength(1);
    });

    it('starts with an empty migration history', async () => {
      expect(await (await open()).history(['2024-05-01'])).toEqual({ full: {}, legacy: {} });
    });

    it('keeps the first time a route was marked at 100%, from any store and across a restart, and forgets the routes left out', async () => {
      const first = await open();
      const second = await open();
      await first.markFull(['orders', 'billing'], T);
      await first.markFull(['orders', 'billing'], T + 1000);
      await second.markFull(['orders', 'billing', 'search'], T + 2000);
      expect((await first.history([])).full).toEqual({ orders: T, billing: T, search: T + 2000 });
      // State changes and audit entries leave the history as it was.
      await second.update((s) => withRoute(s, 'orders', 100), { actor: 'ops', action: 'rollout', route: 'orders' });
      await second.record({ actor: 'ops', action: 'reload', revision: 2 });
      await first.close();

      const restarted = await open();
      await restarted.markFull(['orders', 'search'], T + 3000);
      expect(await second.history([])).toEqual({ full: { orders: T, search: T + 2000 }, legacy: {} });
      await restarted.markFull([], T + 4000);
      expect((await second.history([])).full).toEqual({});
    });

    it('sums the legacy counts of every store per route, day and reason, keeping the latest time', async () => {
      const first = await open();
      const second = await open();
      await Promise.all([
        first.addLegacy([tally('orders', 'cohort', '2024-05-01', 3, T), tally('orders', 'fallback', '2024-05-01', 1, T + 10)], 14),
        second.addLegacy([tally('orders', 'cohort', '2024-05-01', 2, T + 5), tally('orders', 'cohort', '2024-05-02', 4, T + DAY_MS)], 14),
        second.addLegacy([tally('billing', 'kill-switch', '2024-05-02', 1, T + DAY_MS - 1)], 14),
      ]);
      // An older time than the one kept does not lower it.
      await first.addLegacy([tally('orders', 'cohort', '2024-05-01', 1, T + 1)], 14);
      expect(await first.history(['2024-05-01', '2024-05-02'])).toEqual({
        full: {},
        legacy: {
          orders: { last: T + DAY_MS, days: { '2024-05-01': { cohort: 6, fallback: 1 }, '2024-05-02': { cohort: 4 } } },
          billing: { last: T + DAY_MS - 1, days: { '2024-05-02': { 'kill-switch': 1 } } },
        },
      });
    });

    it('answers the legacy counts of the days asked only, and every route with its latest time', async () => {
      const store = await open();
      await store.addLegacy([tally('orders', 'cohort', '2024-05-01', 3, T), tally('orders', 'breaker-open', '2024-05-02', 2, T + DAY_MS), tally('billing', 'fallback', '2024-05-01', 1, T)], 14);
      expect((await store.history(['2024-05-02'])).legacy).toEqual({
        orders: { last: T + DAY_MS, days: { '2024-05-02': { 'breaker-open': 2 } } },
        billing: { last: T, days: {} },
      });
      expect((await store.history([])).legacy).toEqual({ orders: { last: T + DAY_MS, days: {} }, billing: { last: T, days: {} } });
    });

    it('keeps the history beside the state: no new revision, no audit entry, nothing for subscribers', async () => {
      const store = await open();
      const seen: number[] = [];
      store.subscribe((state) => seen.push(state.revision));
      const state = await store.update((s) => withRoute(s, 'orders', 100), { actor: 'ops', action: 'rollout', route: 'orders' });
      await store.markFull(['orders'], T);
      await store.addLegacy([tally('orders', 'cohort', '2024-05-01', 3, T)], 14);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await store.load()).toEqual(state);
      expect((await store.audit(10)).map((entry) => entry.revision)).toEqual([1]);
      expect(seen).toEqual([1]);
    });

    it('reports itself healthy while its backing answers', async () => {
      const store = await open();
      await store.load();
      expect(store.healthy).toBe(true);
      expect(store.description).toMatch(/^(file|redis):/);
    });
  });
}
