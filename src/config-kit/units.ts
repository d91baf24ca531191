// Durations ("2s", 500) and sizes ("10mb", 1024) as written in the config.
import { FigwayError } from '../errors.js';

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** The longest delay Node's timers take (2^31 - 1 ms); a larger one silently becomes 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Milliseconds of a duration: a number is milliseconds; a string has a unit (ms, s, m, h, d). */
export function parseDuration(value: number | string): number {
  return parseWithUnits(value, DURATION_UNITS, /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)$/);
}

/** Bytes of a size: a number is bytes; a string has a unit (b, kb, mb, gb). */
export function parseSize(value: number | string): number {
  return parseWithUnits(value, SIZE_UNITS, /^([0-9]+(?:\.[0-9]+)?)(b|kb|mb|gb)$/);
}

function parseWithUnits(value: number | string, units: Record<string, number>, pattern: RegExp): number {
  if (typeof value === 'number') return value;
  const match = pattern.exec(value);
  // The schema admits only values with a unit; a lenient check (`validate --allow-missing-env`) may
  // still pass the empty value of an unset variable, and skips what this refuses.
  if (!match) throw new FigwayError('FIGWAY_INTERNAL', `"${value}" has no known unit`);
  return Math.round(Number(match[1]) * (units[match[2] as string] as number));
}
