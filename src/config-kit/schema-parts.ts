// Schema building blocks the config's fragments share: id and unit patterns, durations and sizes.
import { Type } from '@sinclair/typebox';

/** Ids of routes, upstreams, cohorts: letters, digits, ".", "_", "-", starting with a letter or digit. */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*$';
export const DURATION_PATTERN = '^[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)$';
export const SIZE_PATTERN = '^[0-9]+(\\.[0-9]+)?(b|kb|mb|gb)$';

/** A string or integer that must match a pattern when it is a string; one branch, so errors stay readable. */
export function numberOrPattern(pattern: string, description: string, expect: string) {
  return Type.Unsafe<number | string>({ type: ['integer', 'string'], minimum: 0, pattern, description, errorMessage: expect });
}

/** A duration field: milliseconds, or a string such as "2s" (config-kit/units.ts parses both). */
export const Duration = (description: string) =>
  numberOrPattern(DURATION_PATTERN, `${description} Milliseconds as a number, or a string such as "500ms", "2s", "1m", "2h", "14d".`, 'must be milliseconds or a duration such as "2s"');

/** A scalar a condition compares with: string, number or boolean. */
export const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);
