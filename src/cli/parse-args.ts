// Checks of argument values, done before any call so a typo never reaches the admin API.
import { usageError } from './exit-codes.js';

/**
 * A rollout percent: 0 to 100 in steps of 0.01, as the admin API takes it; a trailing `%` is allowed.
 *
 * @throws CliError exit 2 with what was expected and what was given.
 */
export function parsePercent(text: string): number {
  const digits = text.endsWith('%') ? text.slice(0, -1) : text;
  const value = Number(digits);
  if (!/^\d+(\.\d{1,2})?$/.test(digits) || value > 100) {
    throw usageError(`percent must be a number from 0 to 100 with at most two decimals (e.g. 25 or 12.5), got "${text}"`);
  }
  return value;
}

/**
 * A whole number within bounds, for options such as `--limit`.
 *
 * @throws CliError exit 2.
 */
export function parseInteger(text: string, option: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw usageError(`${option} must be a whole number from ${min} to ${max}, got "${text}"`);
  return value;
}

/**
 * Checks a `name<separator>value` pair (a header `x-user-id:alice`, a cookie `sid=abc`) and returns it unchanged.
 *
 * @throws CliError exit 2 when the name is missing.
 */
export function checkPair(text: string, option: string, separator: ':' | '='): string {
  if (text.indexOf(separator) <= 0) throw usageError(`${option} must be written name${separator}value, got "${text}"`);
  return text;
}

/** Commander's collector for repeatable options (no default, so help shows none). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
