// The migration history's arithmetic for a store that keeps it as one value (the file store).
import { dayOf, type LegacyServed, type LegacyTally, type MigrationHistory } from './migration-history.js';

const DAY_MS = 86_400_000;

/** The history of a store that has none yet (a state file written before the history was kept). */
export const EMPTY_HISTORY: MigrationHistory = Object.freeze({ full: Object.freeze({}), legacy: Object.freeze({}) });

/** `full` once `routes` are the ones at 100% at `now`: the listed keep their first time, the rest are forgotten. */
export function markFullRoutes(full: MigrationHistory['full'], routes: readonly string[], now: number): Record<string, number> {
  // Own keys only: a route may be called `constructor`.
  return Object.fromEntries(routes.map((route) => [route, Object.hasOwn(full, route) ? (full[route] as number) : now]));
}

/**
 * `legacy` with `tallies` added: counts summed per route, day and reason, `last` raised to the
 * latest; then, per route, the days more than `keepDays` before its `last` are dropped.
 */
export function addLegacyTallies(legacy: MigrationHistory['legacy'], tallies: readonly LegacyTally[], keepDays: number): Record<string, LegacyServed> {
  const next: Record<string, LegacyServed> = { ...legacy };
  for (const { route, reason, day, count, last } of tallies) {
    const served = Object.hasOwn(next, route) ? (next[route] as LegacyServed) : { last, days: {} };
    const reasons = Object.hasOwn(served.days, day) ? (served.days[day] as Record<string, number>) : {};
    const counted = Object.hasOwn(reasons, reason) ? (reasons[reason] as number) : 0;
    next[route] = { last: Math.max(served.last, last), days: { ...served.days, [day]: { ...reasons, [reason]: counted + count } } };
  }
  return Object.fromEntries(Object.entries(next).map(([route, served]) => [route, keepRecent(served, keepDays)]));
}

/** The history with the legacy counts of `days` only; a route with none of them keeps its `last`. */
export function pickDays(history: MigrationHistory, days: readonly string[]): MigrationHistory {
  const legacy = Object.entries(history.legacy).map(([route, served]) => [
    route,
    { last: served.last, days: Object.fromEntries(days.filter((day) => Object.hasOwn(served.days, day)).map((day) => [day, served.days[day]])) },
  ]);
  return { full: history.full, legacy: Object.fromEntries(legacy) };
}

function keepRecent(served: LegacyServed, keepDays: number): LegacyServed {
  const oldest = dayOf(served.last - keepDays * DAY_MS);
  // YYYY-MM-DD strings sort as the days do.
  return { last: served.last, days: Object.fromEntries(Object.entries(served.days).filter(([day]) => day >= oldest)) };
}
