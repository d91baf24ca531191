// The legacy ledger: tallies per route, reason and UTC day, handed over once, and kept through a store outage.
import { describe, expect, it } from 'vitest';
import { LegacyLedger } from '../../src/map/legacy-ledger.js';

const T = Date.parse('2026-11-04T23:59:59Z');

describe('legacy ledger', () => {
  it('tallies per route and reason, with the latest time, and hands them over once', () => {
    const ledger = new LegacyLedger();
    ledger.record('cart', 'cohort', T - 10);
    ledger.record('cart', 'cohort', T - 20);
    ledger.record('cart', 'fallback', T - 5);
    ledger.record('orders', 'bucket', T);
    expect(ledger.take()).toEqual([
      { route: 'cart', reason: 'cohort', day: '2026-11-04', count: 2, last: T - 10 },
      { route: 'cart', reason: 'fallback', day: '2026-11-04', count: 1, last: T - 5 },
      { route: 'orders', reason: 'bucket', day: '2026-11-04', count: 1, last: T },
    ]);
    expect(ledger.take()).toEqual([]);
  });

  it('starts a new tally at midnight (UTC)', () => {
    const ledger = new LegacyLedger();
    ledger.record('cart', 'cohort', T);
    ledger.record('cart', 'cohort', T + 2000);
    ledger.record('cart', 'cohort', T + 3000);
    expect(ledger.take()).toEqual([
      { route: 'cart', reason: 'cohort', day: '2026-11-04', count: 1, last: T },
      { route: 'cart', reason: 'cohort', day: '2026-11-05', count: 2, last: T + 3000 },
    ]);
  });

  it('merges what was given back with what came since, so an outage loses nothing and does not grow the list', () => {
    const ledger = new LegacyLedger();
    ledger.record('cart', 'fallback', T - 100);
    for (let flush = 0; flush < 5; flush += 1) {
      ledger.giveBack(ledger.take());
      ledger.record('cart', 'fallback', T - 50 + flush);
    }
    expect(ledger.take()).toEqual([{ route: 'cart', reason: 'fallback', day: '2026-11-04', count: 6, last: T - 46 }]);
  });
});
