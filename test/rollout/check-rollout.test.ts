import { describe, expect, it } from 'vitest';
import { inlineSource } from '../../src/config-kit/config-source.js';
import { ROLLOUT_CHECKS } from '../../src/rollout/check-rollout.js';
import { problemLines } from '../helpers/problems.js';

const run = (check: keyof typeof ROLLOUT_CHECKS, config: Parameters<(typeof ROLLOUT_CHECKS)[typeof check]>[0]) =>
  problemLines(ROLLOUT_CHECKS[check](config, inlineSource()));

describe('rollout checks', () => {
  it('refuses a cohort no one defined, on a route or in the override', () => {
    const config = { cohorts: { staff: { header: { 'x-staff': '1' } } }, override: { header: 'x-side', cohort: 'qa' }, routes: [{ rollout: { cohorts: { staff: 'service', beta: 'service' } } }] };
    expect(run('cohortsExist', config)).toEqual([
      'routes[0].rollout.cohorts.beta unknown cohort "beta" (known: staff)',
      'override.cohort unknown cohort "qa" (known: staff)',
    ]);
  });

  it('refuses an address range that does not parse, and an override with nothing to read', () => {
    expect(run('cidrsParse', { cohorts: { office: { cidr: ['10.0.0.0/8', '10.0.0.0/33'] } }, routes: [] })).toHaveLength(1);
    expect(run('overrideHasASource', { override: { cohort: 'staff' }, routes: [] })).toEqual(['override needs a header or a cookie to read the override from']);
  });
});
