// Steps run at once, or a step per turn of the event loop.
import { describe, expect, it } from 'vitest';
import { runSteps, runStepsInTurns } from '../src/steps.js';

function* threeSteps(log: string[]): Generator<void, string> {
  for (const step of ['a', 'b', 'c']) {
    log.push(step);
    if (step !== 'c') yield;
  }
  return 'done';
}

describe('steps', () => {
  it('runs every step at once', () => {
    const log: string[] = [];
    expect(runSteps(threeSteps(log))).toBe('done');
    expect(log).toEqual(['a', 'b', 'c']);
  });

  it('pauses between steps, where other work runs', async () => {
    const log: string[] = [];
    const done = runStepsInTurns(threeSteps(log), async () => {
      await new Promise((resolve) => setImmediate(resolve));
      log.push('pause');
    });
    expect(log).toEqual(['a']);
    await expect(done).resolves.toBe('done');
    expect(log).toEqual(['a', 'pause', 'b', 'pause', 'c']);
  });

  it('turns a step that throws into a rejection', async () => {
    const failing = (function* (): Generator<void, never> {
      yield;
      throw new Error('bad step');
    })();
    await expect(runStepsInTurns(failing)).rejects.toThrow('bad step');
  });
});
