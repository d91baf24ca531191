import { describe, expect, it } from 'vitest';
import { inlineSource } from '../../src/config-kit/config-source.js';
import { PROGRESSIVE_CHECKS } from '../../src/progressive/check-progressive.js';
import { problemLines } from '../helpers/problems.js';

const paths = (routes: object[]) => problemLines(PROGRESSIVE_CHECKS.stepsReplacePercent({ routes }, inlineSource()));

describe('progressive rollout checks', () => {
  it('refuses a percent beside steps, and steps that do not go up', () => {
    expect(paths([{ rollout: { steps: [1, 10, 100] } }])).toEqual([]);
    expect(paths([{ rollout: { steps: [10, 5], percent: 20 } }])).toEqual([
      'routes[0].rollout.percent cannot go with steps: the steps set the percent',
      'routes[0].rollout.steps must go up: each step above the one before',
    ]);
  });

  it('refuses the step settings on a route without steps', () => {
    expect(paths([{ rollout: { percent: 20, minStepTime: '1m', guard: false } }])).toEqual([
      'routes[0].rollout.minStepTime applies only to a progressive rollout (rollout.steps)',
      'routes[0].rollout.guard applies only to a progressive rollout (rollout.steps)',
    ]);
  });
});
