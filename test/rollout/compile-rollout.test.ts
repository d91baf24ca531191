// Compiling a route's rollout: the defaults for what it leaves out, shared sticky keys, cohorts, the override and the kill switch.
import { describe, expect, it } from 'vitest';
import { SharedParts } from '../../src/config-kit/shared-parts.js';
import { compileCohort } from '../../src/rollout/cohorts.js';
import { compileOverride, compileRollout, effectiveRollout, withKillSwitch, type RolloutCompile } from '../../src/rollout/compile-rollout.js';

const staff = compileCohort('staff', { header: { 'x-staff': 'yes' } });
const cohorts = new Map([['staff', staff]]);

function compileWith(overrides: Partial<RolloutCompile> = {}): RolloutCompile {
  return { defaults: { sticky: ['user', 'ip'], unkeyed: 'legacy' }, cohorts, override: undefined, killed: false, parts: new SharedParts(), ...overrides };
}

describe('compileRollout', () => {
  it('takes the defaults for what the route leaves out: 100%, the config-wide sticky keys and unkeyed side', () => {
    const rollout = compileRollout('orders', undefined, compileWith());
    expect(rollout).toMatchObject({ routeId: 'orders', percent: 100, threshold: 10_000, unkeyed: 'legacy', cohorts: [], killed: false });
    expect(rollout.sticky.map((source) => source.kind)).toEqual(['user', 'ip']);
  });

  it("keeps the route's own settings, with its percent in buckets and its cohorts compiled in order", () => {
    const rollout = compileRollout('orders', { percent: 12.34, sticky: ['header:x-tenant'], unkeyed: 'random', cohorts: { staff: 'service' } }, compileWith());
    expect(rollout).toMatchObject({ percent: 12.34, threshold: 1234, unkeyed: 'random' });
    expect(rollout.cohorts).toEqual([{ cohort: staff, side: 'service' }]);
    expect(rollout.sticky).toHaveLength(1);
  });

  it('shares one sticky list between routes with the same keys, within a compile', () => {
    const compile = compileWith();
    const first = compileRollout('a', { percent: 5 }, compile);
    const second = compileRollout('b', { percent: 50 }, compile);
    expect(second.sticky).toBe(first.sticky);
    expect(Object.isFrozen(first.sticky)).toBe(true);
    expect(compileRollout('c', { sticky: ['ip'] }, compile).sticky).not.toBe(first.sticky);
  });

  it('carries the kill switch and the override every route shares', () => {
    const override = compileOverride({ header: 'X-Figway-Side', cohort: 'staff' }, cohorts);
    expect(override).toEqual({ header: 'x-figway-side', cookie: undefined, cohort: staff });
    expect(compileRollout('orders', {}, compileWith({ override, killed: true }))).toMatchObject({ override, killed: true });
    expect(compileOverride(undefined, cohorts)).toBeUndefined();
  });
});

describe('withKillSwitch', () => {
  it('changes the kill switch only, field by field', () => {
    const rollout = compileRollout('orders', { percent: 40, cohorts: { staff: 'service' } }, compileWith());
    const killed = withKillSwitch(rollout, true);
    expect(killed).toEqual({ ...rollout, killed: true });
    expect(Object.keys(killed)).toEqual(Object.keys(rollout));
  });
});

describe('effectiveRollout', () => {
  it('writes out the defaults that apply, under what the route says', () => {
    const defaults = { sticky: ['user', 'ip'], unkeyed: 'legacy' } as const;
    expect(effectiveRollout(defaults, undefined)).toEqual({ percent: 100, sticky: ['user', 'ip'], unkeyed: 'legacy' });
    expect(effectiveRollout(defaults, { percent: 5, unkeyed: 'service' })).toEqual({ percent: 5, sticky: ['user', 'ip'], unkeyed: 'service' });
  });
});
