// decideSide: override, then cohorts in order, then exact 0%/100%, then the sticky bucket (first
// sticky key present), else the unkeyed policy; and the share, monotonicity and stickiness of the
// bucket split over 10,000 keys.
import { describe, expect, it } from 'vitest';
import { bucketOf } from '../../src/rollout/bucket.js';
import { compileCohort } from '../../src/rollout/cohorts.js';
import { decideSide, percentToThreshold, type Rollout } from '../../src/rollout/decide-side.js';
import type { Side } from '../../src/rollout/decision.js';
import type { Override } from '../../src/rollout/override.js';
import { view } from '../helpers/request-view.js';
import { compileSticky } from '../../src/rollout/sticky-key.js';
import type { CohortConfig } from '../../src/rollout/cohort-schema.js';


interface RolloutParts {
  percent?: number;
  sticky?: string[];
  unkeyed?: Rollout['unkeyed'];
  cohorts?: [name: string, config: CohortConfig, side: Side][];
  override?: Override;
  killed?: boolean;
}

function rollout(parts: RolloutParts = {}): Rollout {
  const percent = parts.percent ?? 50;
  return {
    routeId: 'orders',
    percent,
    threshold: percentToThreshold(percent),
    sticky: compileSticky(parts.sticky ?? ['header:x-user-id', 'cookie:uid', 'user', 'ip']),
    unkeyed: parts.unkeyed ?? 'legacy',
    cohorts: (parts.cohorts ?? []).map(([name, config, side]) => ({ cohort: compileCohort(name, config), side })),
    override: parts.override,
    killed: parts.killed ?? false,
  };
}

const noRandom = (): number => {
  throw new Error('random must not be called');
};

// bucketOf('orders', 'alice') is 1609 and bucketOf('orders', 'bob') is 7982 (see bucket.test.ts).

describe('percentToThreshold', () => {
  it('converts percents to buckets exactly', () => {
    expect(percentToThreshold(0)).toBe(0);
    expect(percentToThreshold(0.01)).toBe(1);
    expect(percentToThreshold(33.33)).toBe(3333);
    expect(percentToThreshold(50.01)).toBe(5001);
    expect(percentToThreshold(100)).toBe(10_000);
  });

  it('is exact for every step of 0.01', () => {
    for (let i = 0; i <= 10_000; i++) {
      const threshold = percentToThreshold(i / 100);
      if (threshold !== i) expect({ percent: i / 100, threshold }).toEqual({ percent: i / 100, threshold: i });
    }
  });
});

describe('decideSide: sticky keys', () => {
  it('hashes the first sticky key present and reports where it came from', () => {
    expect(decideSide(rollout(), view({ headers: { 'x-user-id': 'alice' }, cookies: { uid: 'bob' }, userId: 'bob', ip: '10.0.0.1' }), noRandom)).toEqual({
      routeId: 'orders',
      side: 'service',
      reason: 'bucket',
      percent: 50,
      bucket: 1609,
      stickyKey: 'header:x-user-id',
    });
  });

  it('falls back along the list: cookie, user, then ip', () => {
    const r = rollout();
    expect(decideSide(r, view({ cookies: { uid: 'bob' }, userId: 'alice', ip: '10.0.0.1' }), noRandom)).toEqual({
      routeId: 'orders',
      side: 'legacy',
      reason: 'bucket',
      percent: 50,
      bucket: 7982,
      stickyKey: 'cookie:uid',
    });
    expect(decideSide(r, view({ userId: 'alice', ip: '10.0.0.1' }), noRandom)).toMatchObject({ bucket: 1609, stickyKey: 'user', side: 'service' });
    expect(decideSide(r, view({ ip: '10.0.0.1' }), noRandom)).toMatchObject({ reason: 'bucket', bucket: bucketOf('orders', '10.0.0.1'), stickyKey: 'ip' });
  });

  it('skips an empty key', () => {
    expect(decideSide(rollout(), view({ headers: { 'x-user-id': '' }, ip: 'bob' }), noRandom)).toMatchObject({ bucket: 7982, stickyKey: 'ip', side: 'legacy' });
  });

  it('looks sticky headers up, and labels them, in lower case', () => {
    const r = rollout({ sticky: ['header:X-User-Id'] });
    expect(decideSide(r, view({ headers: { 'x-user-id': 'alice' } }), noRandom)).toMatchObject({ reason: 'bucket', bucket: 1609, stickyKey: 'header:x-user-id' });
  });

  it('sends a key to the service when its bucket is below the threshold', () => {
    const alice = view({ headers: { 'x-user-id': 'alice' } });
    expect(decideSide(rollout({ percent: 16.09 }), alice, noRandom).side).toBe('legacy');
    expect(decideSide(rollout({ percent: 16.1 }), alice, noRandom).side).toBe('service');
  });
});

describe('decideSide: unkeyed requests', () => {
  it('sends them to legacy or service as configured', () => {
    expect(decideSide(rollout({ unkeyed: 'legacy' }), view(), noRandom)).toEqual({ routeId: 'orders', side: 'legacy', reason: 'unkeyed', percent: 50 });
    expect(decideSide(rollout({ unkeyed: 'service' }), view(), noRandom)).toEqual({ routeId: 'orders', side: 'service', reason: 'unkeyed', percent: 50 });
  });

  it('draws them at the route percent with random', () => {
    const r = rollout({ unkeyed: 'random' });
    expect(decideSide(r, view(), () => 0)).toEqual({ routeId: 'orders', side: 'service', reason: 'unkeyed', percent: 50 });
    expect(decideSide(r, view(), () => 0.4999)).toMatchObject({ side: 'service', reason: 'unkeyed' });
    expect(decideSide(r, view(), () => 0.5)).toMatchObject({ side: 'legacy', reason: 'unkeyed' });
    expect(decideSide(r, view(), () => 0.99)).toEqual({ routeId: 'orders', side: 'legacy', reason: 'unkeyed', percent: 50 });
  });

  it('does not draw for a request with a sticky key', () => {
    expect(decideSide(rollout({ unkeyed: 'random' }), view({ ip: 'alice' }), noRandom)).toMatchObject({ reason: 'bucket', bucket: 1609 });
  });
});

describe('decideSide: exact 0% and 100%', () => {
  it('sends every request to legacy at 0% and to the service at 100%, without a bucket', () => {
    for (const [percent, side] of [
      [0, 'legacy'],
      [100, 'service'],
    ] as const) {
      const r = rollout({ percent, unkeyed: percent === 0 ? 'service' : 'legacy' });
      let matching = 0;
      for (let i = 0; i < 10_000; i++) {
        const decision = decideSide(r, view({ headers: { 'x-user-id': `user-${i}` } }), noRandom);
        if (decision.side === side && decision.reason === 'percent' && decision.bucket === undefined && decision.stickyKey === undefined) matching++;
      }
      expect({ percent, matching }).toEqual({ percent, matching: 10_000 });
      expect(decideSide(r, view(), noRandom)).toEqual({ routeId: 'orders', side, reason: 'percent', percent });
    }
  });
});

describe('decideSide: distribution over 10,000 keys', () => {
  const keys = Array.from({ length: 10_000 }, (_, i) => view({ headers: { 'x-user-id': `user-${i}` } }));
  const onService = (percent: number): Set<number> => {
    const r = rollout({ percent });
    const admitted = new Set<number>();
    keys.forEach((key, i) => {
      if (decideSide(r, key, noRandom).side === 'service') admitted.add(i);
    });
    return admitted;
  };

  it.each([1, 10, 25, 50, 99.99])('sends %s%% of keys to the service, within 1 percentage point', (percent) => {
    const share = (onService(percent).size / keys.length) * 100;
    expect(Math.abs(share - percent)).toBeLessThanOrEqual(1);
  });

  it('keeps every key admitted at 10% admitted at 50% and 50.01%', () => {
    const at10 = onService(10);
    const at50 = onService(50);
    const at5001 = onService(50.01);
    expect(at10.size).toBeGreaterThan(0);
    expect([...at10].filter((i) => !at50.has(i))).toEqual([]);
    expect([...at50].filter((i) => !at5001.has(i))).toEqual([]);
    expect(at5001.size).toBeGreaterThanOrEqual(at50.size);
  });

  it('gives the same key the same decision every time', () => {
    for (const key of ['alice', 'bob', 'user-1', 'user-2', 'user-3']) {
      const first = decideSide(rollout(), view({ headers: { 'x-user-id': key } }), noRandom);
      for (let i = 0; i < 100; i++) {
        expect(decideSide(rollout(), view({ headers: { 'x-user-id': key } }), noRandom)).toEqual(first);
      }
    }
  });
});

describe('decideSide: cohorts', () => {
  const staffHeader: CohortConfig = { header: { 'x-staff': '1' } };

  it('forces a request in a cohort by header to the cohort side', () => {
    const r = rollout({ percent: 0, cohorts: [['staff', staffHeader, 'service']] });
    expect(decideSide(r, view({ headers: { 'x-staff': '1' } }), noRandom)).toEqual({
      routeId: 'orders',
      side: 'service',
      reason: 'cohort',
      percent: 0,
      cohort: 'staff',
    });
    expect(decideSide(r, view({ headers: { 'x-staff': '2' } }), noRandom)).toEqual({ routeId: 'orders', side: 'legacy', reason: 'percent', percent: 0 });
  });

  it('forces a cohort to legacy even at 100%', () => {
    const r = rollout({ percent: 100, cohorts: [['staff', staffHeader, 'legacy']] });
    expect(decideSide(r, view({ headers: { 'x-staff': '1' } }), noRandom)).toEqual({
      routeId: 'orders',
      side: 'legacy',
      reason: 'cohort',
      percent: 100,
      cohort: 'staff',
    });
    expect(decideSide(r, view(), noRandom)).toEqual({ routeId: 'orders', side: 'service', reason: 'percent', percent: 100 });
  });

  it('forces a cohort by address range, IPv4, IPv6 and IPv4-mapped', () => {
    const r = rollout({ percent: 0, cohorts: [['office', { cidr: ['10.0.0.0/8', '2001:db8::/32'] }, 'service']] });
    for (const ip of ['10.1.2.3', '::ffff:10.1.2.3', '2001:db8::7']) {
      expect(decideSide(r, view({ ip }), noRandom)).toMatchObject({ side: 'service', reason: 'cohort', cohort: 'office' });
    }
    expect(decideSide(r, view({ ip: '11.1.2.3' }), noRandom)).toMatchObject({ side: 'legacy', reason: 'percent' });
  });

  it('forces a cohort by req.user field, dot path and array field', () => {
    const r = rollout({ percent: 0, cohorts: [['acme', { user: { 'org.id': 42, roles: 'beta' } }, 'service']] });
    expect(decideSide(r, view({ user: { org: { id: '42' }, roles: ['user', 'beta'] } }), noRandom)).toMatchObject({ side: 'service', cohort: 'acme' });
    expect(decideSide(r, view({ user: { org: { id: 42 }, roles: 'beta' } }), noRandom)).toMatchObject({ side: 'service', cohort: 'acme' });
    expect(decideSide(r, view({ user: { org: { id: 42 }, roles: ['user'] } }), noRandom)).toMatchObject({ side: 'legacy', reason: 'percent' });
    expect(decideSide(r, view(), noRandom)).toMatchObject({ side: 'legacy', reason: 'percent' });
  });

  it('takes the first matching cohort in the order the route lists them', () => {
    const member = view({ headers: { 'x-staff': '1' }, ip: '10.0.0.1' });
    const office: CohortConfig = { cidr: ['10.0.0.0/8'] };
    const staffFirst = rollout({ cohorts: [['staff', staffHeader, 'service'], ['office', office, 'legacy']] });
    const officeFirst = rollout({ cohorts: [['office', office, 'legacy'], ['staff', staffHeader, 'service']] });
    expect(decideSide(staffFirst, member, noRandom)).toMatchObject({ side: 'service', reason: 'cohort', cohort: 'staff' });
    expect(decideSide(officeFirst, member, noRandom)).toMatchObject({ side: 'legacy', reason: 'cohort', cohort: 'office' });
    expect(decideSide(staffFirst, view({ ip: '10.0.0.1' }), noRandom)).toMatchObject({ side: 'legacy', cohort: 'office' });
  });

  it('goes on to the bucket when no cohort matches', () => {
    const r = rollout({ cohorts: [['staff', staffHeader, 'legacy']] });
    expect(decideSide(r, view({ headers: { 'x-user-id': 'alice' } }), noRandom)).toMatchObject({ side: 'service', reason: 'bucket', bucket: 1609 });
  });
});

describe('decideSide: kill switch', () => {
  it('sends everyone to legacy, before overrides and cohorts', () => {
    const r = rollout({
      percent: 100,
      killed: true,
      override: { header: 'x-figway', cookie: undefined, cohort: undefined },
      cohorts: [['staff', { header: { 'x-staff': '1' } }, 'service']],
    });
    expect(decideSide(r, view({ headers: { 'x-figway': 'always', 'x-staff': '1' } }), noRandom)).toEqual({
      routeId: 'orders',
      side: 'legacy',
      reason: 'kill-switch',
      percent: 100,
    });
  });
});

describe('decideSide: override', () => {
  const byHeader: Override = { header: 'x-figway', cookie: undefined, cohort: undefined };
  const byCookie: Override = { header: undefined, cookie: 'figway', cohort: undefined };

  it('chooses the service with always and legacy with never, by header', () => {
    const r = rollout({ percent: 0, override: byHeader });
    expect(decideSide(r, view({ headers: { 'x-figway': 'always' } }), noRandom)).toEqual({ routeId: 'orders', side: 'service', reason: 'override', percent: 0 });
    const full = rollout({ percent: 100, override: byHeader });
    expect(decideSide(full, view({ headers: { 'x-figway': 'never' } }), noRandom)).toEqual({ routeId: 'orders', side: 'legacy', reason: 'override', percent: 100 });
  });

  it('chooses by cookie', () => {
    expect(decideSide(rollout({ percent: 0, override: byCookie }), view({ cookies: { figway: 'always' } }), noRandom)).toMatchObject({ side: 'service', reason: 'override' });
    expect(decideSide(rollout({ percent: 100, override: byCookie }), view({ cookies: { figway: 'never' } }), noRandom)).toMatchObject({ side: 'legacy', reason: 'override' });
  });

  it('prefers the header to the cookie when both are configured', () => {
    const both = rollout({ override: { header: 'x-figway', cookie: 'figway', cohort: undefined } });
    expect(decideSide(both, view({ headers: { 'x-figway': 'never' }, cookies: { figway: 'always' } }), noRandom)).toMatchObject({ side: 'legacy', reason: 'override' });
    expect(decideSide(both, view({ cookies: { figway: 'always' } }), noRandom)).toMatchObject({ side: 'service', reason: 'override' });
    expect(decideSide(both, view({ headers: { 'x-figway': 'yes' }, cookies: { figway: 'always' } }), noRandom)).toMatchObject({ side: 'service', reason: 'override' });
  });

  it('ignores other values', () => {
    const r = rollout({ percent: 0, override: byHeader });
    for (const value of ['yes', 'ALWAYS', 'true', 'service', '']) {
      expect(decideSide(r, view({ headers: { 'x-figway': value } }), noRandom)).toEqual({ routeId: 'orders', side: 'legacy', reason: 'percent', percent: 0 });
    }
  });

  it('is ignored when not configured', () => {
    const r = rollout({ percent: 0 });
    expect(decideSide(r, view({ headers: { 'x-figway': 'always' }, cookies: { figway: 'always' } }), noRandom)).toEqual({
      routeId: 'orders',
      side: 'legacy',
      reason: 'percent',
      percent: 0,
    });
  });

  it('is restricted to a cohort when one is set', () => {
    const staffOnly: Override = { header: 'x-figway', cookie: undefined, cohort: compileCohort('staff', { header: { 'x-staff': '1' } }) };
    const r = rollout({ percent: 0, override: staffOnly });
    expect(decideSide(r, view({ headers: { 'x-figway': 'always' } }), noRandom)).toMatchObject({ side: 'legacy', reason: 'percent' });
    expect(decideSide(r, view({ headers: { 'x-figway': 'always', 'x-staff': '1' } }), noRandom)).toMatchObject({ side: 'service', reason: 'override' });
  });

  it('beats cohorts', () => {
    const r = rollout({ percent: 50, override: byHeader, cohorts: [['staff', { header: { 'x-staff': '1' } }, 'legacy']] });
    expect(decideSide(r, view({ headers: { 'x-figway': 'always', 'x-staff': '1' } }), noRandom)).toEqual({
      routeId: 'orders',
      side: 'service',
      reason: 'override',
      percent: 50,
    });
    expect(decideSide(r, view({ headers: { 'x-staff': '1' } }), noRandom)).toMatchObject({ side: 'legacy', reason: 'cohort', cohort: 'staff' });
  });
});
