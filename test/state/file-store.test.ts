// The file store: the conformance suite, plus what is particular to a file.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../src/state/file-store.js';
import { describeStoreConformance } from './store-conformance.js';

const root = mkdtempSync(path.join(tmpdir(), 'figway-file-store-'));
let backing = 0;
const file = () => path.join(root, `case-${backing}`, 'state.json');

describeStoreConformance('file', {
  async open() {
    const target = file();
    mkdirSync(path.dirname(target), { recursive: true });
    return new FileStateStore(target);
  },
  async reset() {
    backing += 1;
  },
});

describe('file store', () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes the file atomically, leaving no temporary or lock files behind', async () => {
    const dir = path.join(root, 'atomic');
    mkdirSync(dir);
    const store = new FileStateStore(path.join(dir, 'state.json'));
    await Promise.all([1, 2, 3].map((p) => store.update((s) => ({ ...s, routes: { ...s.routes, [`r${p}`]: { percent: p } } }), { actor: 't', action: 'rollout' })));
    expect(readdirSync(dir)).toEqual(['state.json']);
    expect(JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')).state.revision).toBe(3);
    expect(store.loadSync().revision).toBe(3);
  });

  it('drops the legacy days more than keepDays before the newest of a route', async () => {
    const dir = path.join(root, 'keep-days');
    mkdirSync(dir);
    const store = new FileStateStore(path.join(dir, 'state.json'));
    const at = (day: string) => Date.parse(`${day}T12:00:00Z`);
    const served = (day: string) => ({ route: 'orders', reason: 'cohort', day, count: 1, last: at(day) });
    await store.addLegacy([served('2024-01-02'), served('2024-01-03')], 7);
    await store.addLegacy([{ ...served('2024-01-10'), route: 'billing' }], 7);
    expect(Object.keys((await store.history(['2024-01-02', '2024-01-03'])).legacy.orders?.days ?? {})).toEqual(['2024-01-02', '2024-01-03']);
    // Seven days before 2024-01-10 12:00 is 2024-01-03: kept; 2024-01-02 is one day too old.
    await store.addLegacy([served('2024-01-10')], 7);
    expect(await store.history(['2024-01-02', '2024-01-03', '2024-01-10'])).toEqual({
      full: {},
      legacy: {
        orders: { last: at('2024-01-10'), days: { '2024-01-03': { cohort: 1 }, '2024-01-10': { cohort: 1 } } },
        billing: { last: at('2024-01-10'), days: { '2024-01-10': { cohort: 1 } } },
      },
    });
    expect(Object.keys(JSON.parse(readFileSync(path.join(dir, 'state.map.json'), 'utf8')).legacy.orders.days)).toEqual(['2024-01-03', '2024-01-10']);
  });

  it('keeps the history in a file of its own beside the state, which it leaves as it was', async () => {
    const dir = path.join(root, 'before-history');
    mkdirSync(dir);
    const target = path.join(dir, 'state.json');
    const state = { revision: 4, routes: { orders: { percent: 30 } }, killSwitch: false, progressive: {}, changes: ['c4'] };
    const audit = [{ actor: 'ops', action: 'rollout', route: 'orders', at: '2024-05-01T12:00:00.000Z', revision: 4, change: 'c4' }];
    writeFileSync(target, `${JSON.stringify({ state, audit }, null, 2)}\n`);
    const store = new FileStateStore(target);
    expect(await store.history(['2024-05-01'])).toEqual({ full: {}, legacy: {} });
    await store.markFull(['orders'], 1000);
    expect(await store.load()).toEqual(state);
    expect(await store.audit(10)).toEqual(audit);
    expect(JSON.parse(readFileSync(target, 'utf8'))).toEqual({ state, audit });
    expect(JSON.parse(readFileSync(path.join(dir, 'state.map.json'), 'utf8'))).toEqual({ full: { orders: 1000 }, legacy: {} });
  });
});
