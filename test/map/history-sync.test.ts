// Writing the map's history to a real (file) store: lists of routes at 100% in order, a dip kept
// through an outage, tallies given back when the store refuses them, and the outage said once.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDiagnostics } from '../../src/diagnostics.js';
import { HistorySync } from '../../src/map/history-sync.js';
import { LegacyLedger } from '../../src/map/legacy-ledger.js';
import { FileStateStore } from '../../src/state/file-store.js';
import { captureLogs } from '../helpers/log-capture.js';

const T0 = Date.parse('2026-11-01T09:00:00Z');
const root = mkdtempSync(path.join(tmpdir(), 'figway-history-sync-'));

function setUp(name: string) {
  const dir = path.join(root, name);
  mkdirSync(dir);
  const store = new FileStateStore(path.join(dir, 'state.json'));
  let clock = T0;
  let reachable = true;
  const logs = captureLogs();
  const ledger = new LegacyLedger();
  const sync = new HistorySync({ store: () => (reachable ? store : undefined), now: () => clock, diagnostics: createDiagnostics(logs.logger), ledger, retireAfterMs: () => 7 * 86_400_000 });
  return { dir, store, sync, ledger, logs, at: (ms: number) => (clock = ms), reach: (on: boolean) => (reachable = on) };
}

describe('history sync', () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes every list of routes at 100% in order, so a dip while the store was away still clears the time', async () => {
    const { sync, at, reach } = setUp('dip');
    sync.atFull(['a', 'b']);
    await sync.syncAfter();
    expect(sync.last?.full).toEqual({ a: T0, b: T0 });
    reach(false);
    sync.atFull(['b']);
    sync.atFull(['a', 'b']);
    sync.atFull(['a', 'b']);
    await sync.syncAfter();
    reach(true);
    at(T0 + 60_000);
    await sync.syncAfter();
    expect(sync.last?.full).toEqual({ a: T0 + 60_000, b: T0 });
  });

  it('gives the tallies back when the store refuses them, says so once, and writes them once it takes them', async () => {
    const { dir, sync, ledger, logs } = setUp('outage');
    ledger.record('cart', 'fallback', T0);
    rmSync(dir, { recursive: true, force: true });
    await sync.syncAfter();
    ledger.record('cart', 'fallback', T0 + 1);
    await sync.syncAfter();
    expect(sync.last).toBeUndefined();
    expect(logs.lines.filter((line) => line.code === 'FIGWAY_MAP_HISTORY_UNWRITTEN')).toHaveLength(1);
    mkdirSync(dir);
    await sync.syncAfter();
    expect(sync.last?.legacy).toEqual({ cart: { last: T0 + 1, days: { '2026-11-01': { fallback: 2 } } } });
    expect(logs.lines.at(-1)).toMatchObject({ msg: 'figway: the migration map history is written again' });
  });
});
