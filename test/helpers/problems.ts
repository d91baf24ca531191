import type { ConfigProblem } from '../../src/errors.js';

/** Each problem as `path message`, for asserting what a check found without file positions. */
export function problemLines(problems: readonly Pick<ConfigProblem, 'path' | 'message'>[]): string[] {
  return problems.map((p) => `${p.path} ${p.message}`);
}
