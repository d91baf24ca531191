// A schedule's moves as pure functions: start, next step, done, breach, and a config that changes the steps.
import { describe, expect, it } from 'vitest';
import { afterBreach, nextStep, percentOf, reconcile } from '../../src/progressive/schedule.js';
import type { ProgressiveEntry } from '../../src/state/runtime-state.js';

const steps = [1, 10, 50, 100];
const at = (step: number, state: ProgressiveEntry['state'] = 'running'): ProgressiveEntry => ({ steps, step, state, since: 1000 });

describe('percentOf', () => {
  it("is the step's percent, and 0 once rolled back", () => {
    expect(percentOf(at(1))).toBe(10);
    expect(percentOf(at(1, 'paused'))).toBe(10);
    expect(percentOf(at(3, 'done'))).toBe(100);
    expect(percentOf(at(2, 'rolled-back'))).toBe(0);
  });
});

describe('reconcile', () => {
  it('starts a new schedule at the first step', () => {
    expect(reconcile(steps, undefined, 5000)).toEqual({ steps, step: 0, state: 'running', since: 5000 });
  });

  it('keeps a stored schedule that runs the same steps', () => {
    const stored = at(2, 'paused');
    expect(reconcile([1, 10, 50, 100], stored, 5000)).toBe(stored);
  });

  it('maps changed steps to the highest new step not above the percent serving now', () => {
    expect(reconcile([5, 25, 100], at(2), 5000)).toEqual({ steps: [5, 25, 100], step: 1, state: 'running', since: 5000, reason: 'the config changed the steps' });
    expect(reconcile([5, 25, 100], at(0), 5000)).toMatchObject({ step: 0 });
    expect(reconcile([1, 10, 50, 100], { steps: [1, 100], step: 0, state: 'paused', since: 1 }, 5000)).toMatchObject({ step: 0, state: 'paused' });
  });

  it('runs again a done schedule given further steps, and keeps a rolled-back one at 0%', () => {
    expect(reconcile([10, 50, 100], { steps: [10, 50], step: 1, state: 'done', since: 1 }, 5000)).toMatchObject({ step: 1, state: 'running' });
    expect(percentOf(reconcile([5, 100], at(2, 'rolled-back'), 5000))).toBe(0);
  });
});

describe('nextStep', () => {
  it('takes the next step, and is done after the last', () => {
    expect(nextStep(at(0), 9000)).toEqual({ steps, step: 1, state: 'running', since: 9000 });
    expect(nextStep(at(3), 9000)).toEqual({ steps, step: 3, state: 'done', since: 9000 });
  });
});

describe('afterBreach', () => {
  it('rolls back to 0% by default', () => {
    expect(afterBreach(at(2), 'rollback', 'why', 9000)).toEqual({ steps, step: 2, state: 'rolled-back', since: 9000, reason: 'why' });
  });

  it('goes to the previous step and pauses with onBreach previous', () => {
    expect(afterBreach(at(2), 'previous', 'why', 9000)).toEqual({ steps, step: 1, state: 'paused', since: 9000, reason: 'why' });
  });

  it('rolls back from the first step even with onBreach previous: there is no step before it', () => {
    expect(afterBreach(at(0), 'previous', 'why', 9000)).toMatchObject({ state: 'rolled-back' });
  });
});
