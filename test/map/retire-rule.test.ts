// The retire rule: each state, and the why lines an operator reads before deleting a legacy handler.
import { describe, expect, it } from 'vitest';
import type { Coverage } from '../../src/map/cover-endpoints.js';
import { historyKey } from '../../src/map/history-key.js';
import { describeDuration, judgeEndpoint } from '../../src/map/retire-rule.js';
import type { MigrationHistory } from '../../src/state/migration-history.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-20T12:00:00Z');
const RETIRE = 14 * DAY;

const MATCH = { path: '/api/cart' };
const covering = (percent: number, { killed = false, partly = false, id = 'cart' } = {}): Coverage =>
  ({ route: { id, info: { id, killed, config: { match: MATCH } }, rollout: { percent } }, partly }) as unknown as Coverage;
/** The history, its times at 100% given by route id. */
const history = (full: Record<string, number>, legacy: MigrationHistory['legacy'] = {}): MigrationHistory => ({
  full: Object.fromEntries(Object.entries(full).map(([id, since]) => [historyKey({ id, config: { match: MATCH } as never }), since])),
  legacy,
});

describe('retire rule', () => {
  it('says why an endpoint is legacy only or rolling out', () => {
    expect(judgeEndpoint(undefined, history({}), NOW, RETIRE)).toEqual({ state: 'legacy-only', why: ['no route covers it'] });
    expect(judgeEndpoint(covering(100, { killed: true }), history({ cart: NOW - 30 * DAY }), NOW, RETIRE)).toEqual({ state: 'legacy-only', why: ['the kill switch is on'] });
    expect(judgeEndpoint(covering(0), history({}), NOW, RETIRE)).toEqual({ state: 'legacy-only', why: ['route cart is at 0%'] });
    expect(judgeEndpoint(covering(40), history({}), NOW, RETIRE)).toEqual({ state: 'rolling-out', why: ['still at 40%'] });
  });

  it('counts the time at 100% from the history', () => {
    expect(judgeEndpoint(covering(100), history({ cart: NOW - 3 * DAY }), NOW, RETIRE)).toEqual({ state: 'at-100', why: ['at 100% for 3 days of 14 days'], fullSince: NOW - 3 * DAY });
    expect(judgeEndpoint(covering(100), history({ cart: NOW - RETIRE }), NOW, RETIRE)).toEqual({ state: 'ready-to-retire', why: [], fullSince: NOW - RETIRE });
  });

  it('starts the clean period again from the last request legacy served, and says what it served', () => {
    const served = history(
      { cart: NOW - 20 * DAY },
      { cart: { last: NOW - DAY, days: { '2026-11-19': { fallback: 12 }, '2026-11-20': { cohort: 2, override: 1 }, '2026-11-10': { 'breaker-open': 3 }, '2026-10-01': { bucket: 9 } } } },
    );
    expect(judgeEndpoint(covering(100), served, NOW, RETIRE)).toEqual({
      state: 'at-100',
      why: [
        'legacy served 3 requests today via cohort (2), override (1)',
        'legacy served 12 requests yesterday via fallback',
        'legacy served 3 requests on 2026-11-10 via breaker-open',
        'at 100% with no legacy request for 1 day of 14 days',
      ],
      fullSince: NOW - 20 * DAY,
      legacyLast: NOW - DAY,
    });
    const longAgo = history({ cart: NOW - 40 * DAY }, { cart: { last: NOW - 15 * DAY, days: {} } });
    expect(judgeEndpoint(covering(100), longAgo, NOW, RETIRE)).toMatchObject({ state: 'ready-to-retire', why: [], legacyLast: NOW - 15 * DAY });
  });

  it('never says ready without the history, or for a route that takes only some of the requests', () => {
    expect(judgeEndpoint(covering(100), undefined, NOW, RETIRE)).toEqual({ state: 'at-100', why: ["the state store's history is unavailable"] });
    expect(judgeEndpoint(covering(100), history({}), NOW, RETIRE)).toEqual({ state: 'at-100', why: ['its time at 100% is not in the history yet'] });
    expect(judgeEndpoint(covering(100, { partly: true }), history({ cart: NOW - 30 * DAY }), NOW, RETIRE)).toEqual({
      state: 'at-100',
      why: ['route cart takes only some of its requests (host, header or method conditions): legacy serves the rest'],
      fullSince: NOW - 30 * DAY,
    });
  });

  it('starts over when the route comes to match more: the time at 100% is kept per match', () => {
    const widened = { route: { id: 'cart', info: { id: 'cart', killed: false, config: { match: { path: '/api' } } }, rollout: { percent: 100 } }, partly: false } as unknown as Coverage;
    expect(judgeEndpoint(widened, history({ cart: NOW - 30 * DAY }), NOW, RETIRE)).toEqual({ state: 'at-100', why: ['its time at 100% is not in the history yet'] });
  });

  it('never says ready for an endpoint figway does not see, or a route the map does not count', () => {
    expect(judgeEndpoint(covering(100), history({ cart: NOW - 30 * DAY }), NOW, RETIRE, { beforeFigway: true, counted: true })).toEqual({
      state: 'legacy-only',
      why: ['declared before figway in the app: its requests never reach route cart (mount figway first)'],
    });
    expect(judgeEndpoint(covering(100), history({ cart: NOW - 30 * DAY }), NOW, RETIRE, { counted: false })).toMatchObject({
      state: 'at-100',
      why: ['the map plugin is off for route cart, so what legacy serves of it is not counted'],
    });
  });

  it('reads a route named like an Object method as any other', () => {
    expect(judgeEndpoint(covering(100, { id: 'constructor' }), history({}), NOW, RETIRE)).toEqual({ state: 'at-100', why: ['its time at 100% is not in the history yet'] });
    expect(judgeEndpoint(covering(100, { id: 'constructor' }), history({ constructor: NOW - RETIRE }), NOW, RETIRE)).toMatchObject({ state: 'ready-to-retire' });
  });

  it('says durations in the largest unit, rounded down', () => {
    expect([describeDuration(90_000), describeDuration(3_600_000), describeDuration(36 * 3_600_000), describeDuration(DAY)]).toEqual(['1.5 minutes', '1 hour', '1.5 days', '1 day']);
  });
});
