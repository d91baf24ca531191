// What legacy served of each route, tallied in memory and added to the state store's history now and then.
import { dayOf, type LegacyTally } from '../state/migration-history.js';

interface Tally {
  day: string;
  count: number;
  last: number;
}

const DAY_MS = 86_400_000;

/**
 * Legacy-served requests per route and reason. Recording is a map lookup and two additions (the
 * day is worked out once per day, not per request); `take` hands over what was counted since the
 * last take, and `giveBack` returns it when the store could not keep it, so nothing is lost to an
 * outage.
 */
export class LegacyLedger {
  private readonly open = new Map<string, Map<string, Tally>>();
  private closed: LegacyTally[] = [];
  private day = '';
  private dayEnds = -Infinity;
  private dayStarts = Infinity;

  /** One request of `route` that legacy served, for `reason`, finished at `now`. */
  record(route: string, reason: string, now: number): void {
    if (now >= this.dayEnds || now < this.dayStarts) this.turnDay(now);
    let reasons = this.open.get(route);
    if (reasons === undefined) {
      reasons = new Map();
      this.open.set(route, reasons);
    }
    const tally = reasons.get(reason);
    if (tally === undefined) {
      reasons.set(reason, { day: this.day, count: 1, last: now });
      return;
    }
    if (tally.day !== this.day) {
      this.closed.push({ route, reason, ...tally });
      tally.day = this.day;
      tally.count = 0;
    }
    tally.count += 1;
    if (now > tally.last) tally.last = now;
  }

  /** Everything counted since the last take, one tally per route, reason and day, and forgets it. */
  take(): LegacyTally[] {
    const all = this.closed;
    this.closed = [];
    for (const [route, reasons] of this.open) for (const [reason, tally] of reasons) all.push({ route, reason, ...tally });
    this.open.clear();
    // Given back through a long store outage, the same tally comes once per take: merged, they stay one.
    const merged = new Map<string, LegacyTally>();
    for (const tally of all) {
      const key = JSON.stringify([tally.route, tally.reason, tally.day]);
      const seen = merged.get(key);
      merged.set(key, seen === undefined ? tally : { ...seen, count: seen.count + tally.count, last: Math.max(seen.last, tally.last) });
    }
    return [...merged.values()];
  }

  /** Tallies the store did not keep, to be sent again with the next take. */
  giveBack(tallies: readonly LegacyTally[]): void {
    this.closed.push(...tallies);
  }

  private turnDay(now: number): void {
    this.day = dayOf(now);
    this.dayStarts = Math.floor(now / DAY_MS) * DAY_MS;
    this.dayEnds = this.dayStarts + DAY_MS;
  }
}
