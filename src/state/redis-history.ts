// The migration history in Redis: hashes under the store's prefix, the legacy counts one hash per day, expiring on their own.
import type { RedisClientType } from 'redis';
import type { HistoryStore, LegacyTally, MigrationHistory } from './migration-history.js';

/** Runs one command against Redis, bounded in time; rejects with FIGWAY_STATE_UNAVAILABLE when Redis does not answer. */
export type RunCommand = <T>(what: string, run: () => Promise<T>) => Promise<T>;

/** In one step, so a replica marking the routes at the same time cannot put back a route just forgotten. */
const MARK_FULL = `
local listed = {}
for i = 2, #ARGV do listed[ARGV[i]] = true end
for _, route in ipairs(redis.call('HKEYS', KEYS[1])) do
  if not listed[route] then redis.call('HDEL', KEYS[1], route) end
end
for i = 2, #ARGV do redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[1]) end
return 1`;

/** ARGV: route, time, route, time, ...; a time only replaces an older one. */
const RAISE_LAST = `
for i = 1, #ARGV, 2 do
  local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]))
  if current == nil or current < tonumber(ARGV[i + 1]) then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 1`;

const DAY_SECONDS = 86_400;

/**
 * The history part of RedisStateStore. `<prefix>:map:full` holds the routes at 100% (route → ms),
 * `<prefix>:map:last` the latest legacy-served time per route, and `<prefix>:map:day:<YYYY-MM-DD>`
 * that day's counts (field `["route","reason"]` → count), which Redis expires keepDays + 2 days
 * after their last write instead of figway pruning them.
 */
export class RedisHistory implements HistoryStore {
  private readonly keys: { full: string; last: string; day: (day: string) => string };

  constructor(
    private readonly client: RedisClientType,
    prefix: string,
    private readonly command: RunCommand,
  ) {
    this.keys = { full: `${prefix}:map:full`, last: `${prefix}:map:last`, day: (day) => `${prefix}:map:day:${day}` };
  }

  async markFull(routes: readonly string[], now: number): Promise<void> {
    await this.command('mark the routes at 100%', () => this.client.eval(MARK_FULL, { keys: [this.keys.full], arguments: [String(now), ...routes] }));
  }

  async addLegacy(tallies: readonly LegacyTally[], keepDays: number): Promise<void> {
    const latest = new Map<string, number>();
    for (const { route, last } of tallies) latest.set(route, Math.max(latest.get(route) ?? last, last));
    const transaction = this.client.multi().eval(RAISE_LAST, { keys: [this.keys.last], arguments: [...latest].flatMap(([route, last]) => [route, String(last)]) });
    for (const { route, reason, day, count } of tallies) transaction.hIncrBy(this.keys.day(day), JSON.stringify([route, reason]), count);
    // Counted from the day's last write, which may come at its end or from a late flush: keepDays after it, and a day to spare.
    for (const day of new Set(tallies.map((tally) => tally.day))) transaction.expire(this.keys.day(day), (keepDays + 2) * DAY_SECONDS);
    await this.command('add the legacy counts', () => transaction.exec());
  }

  async history(days: readonly string[]): Promise<MigrationHistory> {
    const transaction = this.client.multi().hGetAll(this.keys.full).hGetAll(this.keys.last);
    for (const day of days) transaction.hGetAll(this.keys.day(day));
    const [full = {}, latest = {}, ...counts] = (await this.command('read the migration history', () => transaction.exec())) as unknown as Record<string, string>[];
    const legacy = new Map(Object.entries(latest).map(([route, ms]) => [route, { last: Number(ms), days: {} as Record<string, Record<string, number>> }]));
    days.forEach((day, i) => {
      for (const [field, count] of Object.entries(counts[i] ?? {})) {
        const [route, reason] = JSON.parse(field) as [string, string];
        const served = legacy.get(route);
        // Written with its `last` in one transaction: absent only if deleted behind figway's back.
        if (served === undefined) continue;
        served.days[day] = { ...served.days[day], [reason]: Number(count) };
      }
    });
    return { full: Object.fromEntries(Object.entries(full).map(([route, ms]) => [route, Number(ms)])), legacy: Object.fromEntries(legacy) };
  }
}
