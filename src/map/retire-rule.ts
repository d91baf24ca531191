// The retire rule: an endpoint's state on the map, and why its legacy handler cannot go yet.
import { dayOf, type MigrationHistory } from '../state/migration-history.js';
import type { Coverage } from './cover-endpoints.js';
import { historyKey } from './history-key.js';
import type { EndpointState } from './map-schema.js';

/** An endpoint's judgement. */
export interface Judgement {
  readonly state: EndpointState;
  /** Why it is not ready to retire; empty when it is. */
  readonly why: readonly string[];
  /** Since when its route has been at 100% (ms), as the history says. */
  readonly fullSince?: number;
  /** When legacy last served its route (ms), if it did since the route reached 100%. */
  readonly legacyLast?: number;
}

const DAY_MS = 86_400_000;

/** How figway sees an endpoint's requests: whether they reach it at all, and whether the map counts its route's. */
export interface Seen {
  /** The endpoint comes before figway in the app's stack. */
  readonly beforeFigway?: boolean;
  /** The map plugin runs on the covering route (not switched off with `plugins: { map: false }`). */
  readonly counted: boolean;
}

const SEEN: Seen = { counted: true };

/**
 * Judges one endpoint. It is ready to retire when its route has been at 100% (not killed) for
 * `retireAfterMs`, counted from the later of the time it reached 100% and the last request legacy
 * served for it (fallback, open breaker, a cohort or override sent to legacy): both come from the
 * state store's history, so the count survives restarts and spans replicas. A route taking only
 * some of the endpoint's requests (host or header conditions) never makes it ready.
 *
 * @param history undefined when the store could not be read: nothing is then said ready
 * @example
 * ```ts
 * judgeEndpoint(coverage, history, Date.now(), 14 * 86_400_000); // { state: 'at-100', why: ['at 100% for 3 days of 14 days'] }
 * ```
 */
export function judgeEndpoint(coverage: Coverage | undefined, history: MigrationHistory | undefined, now: number, retireAfterMs: number, seen: Seen = SEEN): Judgement {
  if (coverage === undefined) return { state: 'legacy-only', why: ['no route covers it'] };
  const { route, partly } = coverage;
  if (seen.beforeFigway) return { state: 'legacy-only', why: [`declared before figway in the app: its requests never reach route ${route.id} (mount figway first)`] };
  if (route.info.killed) return { state: 'legacy-only', why: ['the kill switch is on'] };
  const percent = route.rollout.percent;
  if (percent === 0) return { state: 'legacy-only', why: [`route ${route.id} is at 0%`] };
  if (percent < 100) return { state: 'rolling-out', why: [`still at ${percent}%`] };
  const why: string[] = [];
  if (partly) why.push(`route ${route.id} takes only some of its requests (host, header or method conditions): legacy serves the rest`);
  if (!seen.counted) why.push(`the map plugin is off for route ${route.id}, so what legacy serves of it is not counted`);
  if (history === undefined) return { state: 'at-100', why: [...why, "the state store's history is unavailable"] };
  const key = historyKey(route.info);
  // Own keys only: a route may be called `constructor`.
  const fullSince = Object.hasOwn(history.full, key) ? history.full[key] : undefined;
  if (fullSince === undefined) return { state: 'at-100', why: [...why, 'its time at 100% is not in the history yet'] };
  const served = Object.hasOwn(history.legacy, route.id) ? history.legacy[route.id] : undefined;
  const legacyLast = served !== undefined && served.last >= fullSince ? served.last : undefined;
  const clean = now - Math.max(fullSince, legacyLast ?? fullSince);
  if (clean < retireAfterMs) {
    if (legacyLast !== undefined) why.push(...describeLegacy(served?.days ?? {}, dayOf(fullSince), now));
    why.push(`at 100%${legacyLast === undefined ? '' : ' with no legacy request'} for ${describeDuration(clean)} of ${describeDuration(retireAfterMs)}`);
  }
  const judged = { fullSince, ...(legacyLast === undefined ? {} : { legacyLast }) };
  return why.length === 0 ? { state: 'ready-to-retire', why, ...judged } : { state: 'at-100', why, ...judged };
}

/** "legacy served 12 requests yesterday via fallback", newest day first, from the day it reached 100%. */
function describeLegacy(days: Readonly<Record<string, Readonly<Record<string, number>>>>, from: string, now: number): string[] {
  const today = dayOf(now);
  const yesterday = dayOf(now - DAY_MS);
  return Object.keys(days)
    .filter((day) => day >= from)
    .sort()
    .reverse()
    .map((day) => {
      const reasons = Object.entries(days[day] ?? {}).filter(([, count]) => count > 0);
      const total = reasons.reduce((sum, [, count]) => sum + count, 0);
      const when = day === today ? 'today' : day === yesterday ? 'yesterday' : `on ${day}`;
      const via = reasons.length === 1 ? (reasons[0] as [string, number])[0] : reasons.map(([reason, count]) => `${reason} (${count})`).join(', ');
      return total === 0 ? '' : `legacy served ${total} request${total === 1 ? '' : 's'} ${when} via ${via}`;
    })
    .filter((line) => line !== '');
}

/** "3.5 days", "5 hours", "12 minutes". */
export function describeDuration(ms: number): string {
  const [value, unit] = ms >= DAY_MS ? [ms / DAY_MS, 'day'] : ms >= 3_600_000 ? [ms / 3_600_000, 'hour'] : [Math.max(0, ms) / 60_000, 'minute'];
  const rounded = Math.floor(value * 10) / 10;
  return `${rounded} ${unit}${rounded === 1 ? '' : 's'}`;
}
