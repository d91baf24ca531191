// The migration map's history, kept by the state store beside the runtime state: since when each
// route has been at 100%, and what legacy still served of it, day by day. Shared by every replica
// and kept across restarts, it never changes the state's revision nor writes the audit log.

/** Legacy-served requests of one route, for one reason, on one UTC day, since the last flush. */
export interface LegacyTally {
  readonly route: string;
  /** Why legacy served them: a legacy decision's reason (kill-switch, breaker-open, cohort, ...) or `fallback`. */
  readonly reason: string;
  /** The UTC day, YYYY-MM-DD. */
  readonly day: string;
  readonly count: number;
  /** When the latest of them finished, in ms since the epoch. */
  readonly last: number;
}

/** What legacy served of one route: the latest request's time, and per day (YYYY-MM-DD) the count per reason. */
export interface LegacyServed {
  readonly last: number;
  readonly days: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** The map's history as a store answers it. */
export interface MigrationHistory {
  /** Routes at 100% now, each with the time (ms) it was first marked so: the first replica to mark it wins. */
  readonly full: Readonly<Record<string, number>>;
  /** Per route that legacy served since it was kept: only the days asked for. */
  readonly legacy: Readonly<Record<string, LegacyServed>>;
}

/** The history part of a state store (both stores pass test/state/store-conformance.ts). */
export interface HistoryStore {
  /**
   * The routes at 100% now: a route not marked yet gets `now`, one already marked keeps its time,
   * and every route left out (below 100%, killed, removed) is forgotten.
   */
  markFull(routes: readonly string[], now: number): Promise<void>;
  /** Adds legacy-served counts (the latest time per route only goes up); a route's days more than `keepDays` before its latest are dropped. */
  addLegacy(tallies: readonly LegacyTally[], keepDays: number): Promise<void>;
  /** The history, with the legacy counts of `days` (YYYY-MM-DD) only. */
  history(days: readonly string[]): Promise<MigrationHistory>;
}

/** The UTC day of a time, YYYY-MM-DD. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
