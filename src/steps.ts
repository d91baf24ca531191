// Work written as steps (a generator whose every `yield` is a point where it may pause), run at once
// or a step per turn of the event loop, so long work on a large table never holds requests up.

/**
 * Runs every step now and returns the result.
 *
 * @example
 * ```ts
 * const snapshot = runSteps(compileSteps(loaded, deps));
 * ```
 */
export function runSteps<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * Runs the steps with `pause` between them, so the event loop serves requests meanwhile.
 *
 * @param pause what to wait between steps (default: the next turn, after I/O already waiting)
 * @example
 * ```ts
 * const snapshot = await runStepsInTurns(compileSteps(loaded, deps));
 * ```
 */
export async function runStepsInTurns<T>(steps: Generator<void, T>, pause: () => Promise<unknown> = nextTurn): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pause();
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
