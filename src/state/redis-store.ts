// The shared state store: one JSON value in Redis, changed by compare-and-set, pushed to every replica by pub/sub.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ClientClosedError, ClientOfflineError, type RedisClientType } from 'redis';
import { createRedisClient } from '../redis/redis-client.js';
import { withTimeout } from '../with-timeout.js';
import { FigwayError } from '../errors.js';
import { writeAtomically } from './atomic-write.js';
import { STATE_PREFIX } from './state-schema.js';
import { RedisHistory } from './redis-history.js';
import type { LegacyTally, MigrationHistory } from './migration-history.js';
import { AUDIT_LIMIT, EMPTY_STATE, nextState, type AuditEntry, type AuditInput, type RuntimeState, type StateStore } from './runtime-state.js';

export interface RedisStateStoreOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
  url: string;
  /** Prefix of the keys and the channel, so several gateways can share one Redis. Default `figway`. */
  prefix?: string;
  /** Where to keep the last known state, so a replica that starts while Redis is down serves it. */
  cacheFile?: string;
  /** How long start-up waits for Redis before serving the last known state. Default 2000 ms. */
  startupTimeoutMs?: number;
  /** How long one command may take before it counts as failed. Default: startupTimeoutMs. */
  commandTimeoutMs?: number;
  /** How often subscribers check the revision, in case a pub/sub message was missed. Default 2000 ms. */
  pollIntervalMs?: number;
}

/**
 * Sets the state only if it is still the one the change was computed from, and writes the audit
 * entry and the notification with it, so a change and its record cannot part. The raw value is
 * compared (not the revision) so a replaced value of equal revision is not mistaken for ours.
 * Past its deadline (ms on Redis's own clock) it refuses (-1): a change figway stopped waiting for
 * cannot be applied later (Redis held it during a CLIENT PAUSE, a SIGSTOP, a slow network).
 */
const COMPARE_AND_SET = `
local now = redis.call('TIME')
if tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) > tonumber(ARGV[6]) then return -1 end
local current = redis.call('GET', KEYS[1])
if (current or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('LPUSH', KEYS[2], ARGV[3])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[4]) - 1)
redis.call('PUBLISH', ARGV[5], ARGV[2])
return 1`;

const APPEND_AUDIT = `
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
return 1`;

const MAX_ATTEMPTS = 50;
const RETRY_DELAY_MS = 10;

/**
 * A state store in Redis, shared by every replica. Updates are optimistic: read, compute, then a
 * Lua compare-and-set that also appends the audit entry and publishes the new state; a lost race
 * is retried with a fresh read, so `change` may run more than once and must have no side effects
 * beyond its result. While Redis is unreachable, reads serve the last known state (memory, then
 * `cacheFile`) and writes fail at once.
 */
export class RedisStateStore implements StateStore {
  readonly description: string;
  healthy = false;
  private readonly client: RedisClientType;
  private subscriber: RedisClientType | undefined;
  private readonly keys: { state: string; audit: string; channel: string };
  private readonly mapHistory: RedisHistory;
  private readonly cacheFile: string | undefined;
  private readonly startupTimeoutMs: number;
  private readonly commandTimeoutMs: number;
  private readonly pollIntervalMs: number;
  private readonly listeners = new Set<(state: RuntimeState) => void>();
  /** The newest state seen from Redis, or read from the cache file at start. */
  private current: RuntimeState | undefined;
  private readonly started: Promise<void>;
  private updates: Promise<unknown> = Promise.resolve();
  private cacheWrites: Promise<void> = Promise.resolve();
  private pollTimer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private closing: Promise<void> | undefined;
  private subscriberClosing: Promise<void> = Promise.resolve();

  constructor(options: RedisStateStoreOptions) {
    const prefix = options.prefix ?? STATE_PREFIX;
    this.keys = { state: `${prefix}:state`, audit: `${prefix}:audit`, channel: `${prefix}:changes` };
    this.description = `redis:${redactUrl(options.url)}`;
    this.cacheFile = options.cacheFile === undefined ? undefined : path.resolve(options.cacheFile);
    this.startupTimeoutMs = options.startupTimeoutMs ?? 2000;
    this.commandTimeoutMs = options.commandTimeoutMs ?? this.startupTimeoutMs;
    this.pollIntervalMs = options.pollIntervalMs ?? 2000;
    this.current = this.cacheFile === undefined ? undefined : readCache(this.cacheFile);

    this.client = createRedisClient(options.url, this.commandTimeoutMs, this.markUnhealthy);
    this.watchConnection(this.client);
    this.mapHistory = new RedisHistory(this.client, prefix, (what, run) => this.command(what, run));
    // A replica that was cut off (or a Redis that came back empty) is reconciled as soon as it is back.
    this.client.on('ready', () => void this.refresh());
    this.started = startWithin(this.client, this.startupTimeoutMs);
  }

  /** Creates a store and waits until Redis answered, or startupTimeoutMs passed. */
  static async open(options: RedisStateStoreOptions): Promise<RedisStateStore> {
    const store = new RedisStateStore(options);
    await store.started;
    return store;
  }

  async load(): Promise<RuntimeState> {
    try {
      return (await withTimeout(this.read(), this.startupTimeoutMs, 'FIGWAY_STATE_UNAVAILABLE')).state;
    } catch {
      return this.current ?? EMPTY_STATE;
    }
  }

  update(change: (current: RuntimeState) => Omit<RuntimeState, 'revision'>, input: AuditInput): Promise<RuntimeState> {
    // This replica's own updates go one at a time, so they never race each other, only other replicas.
    const run = () => this.applyUpdate(change, input);
    const result = this.updates.then(run, run);
    this.updates = result.catch(() => {});
    return result;
  }

  async record(input: AuditInput & { revision: number }): Promise<void> {
    const entry: AuditEntry = { before: undefined, after: undefined, ...input, at: new Date().toISOString() };
    await this.command('record an audit entry', () =>
      this.client.eval(APPEND_AUDIT, { keys: [this.keys.audit], arguments: [JSON.stringify(entry), String(AUDIT_LIMIT)] }),
    );
  }

  markFull(routes: readonly string[], now: number): Promise<void> {
    return this.mapHistory.markFull(routes, now);
  }

  addLegacy(tallies: readonly LegacyTally[], keepDays: number): Promise<void> {
    return this.mapHistory.addLegacy(tallies, keepDays);
  }

  history(days: readonly string[]): Promise<MigrationHistory> {
    return this.mapHistory.history(days);
  }

  subscribe(listener: (state: RuntimeState) => void): () => void {
    this.listeners.add(listener);
    this.follow();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.unfollow();
    };
  }

  async audit(limit: number): Promise<AuditEntry[]> {
    if (limit <= 0) return [];
    const entries = await this.command('read the audit log', () => this.client.lRange(this.keys.audit, 0, limit - 1));
    return entries.map((entry) => JSON.parse(entry) as AuditEntry);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.listeners.clear();
      this.unfollow();
      await Promise.all([closeClient(this.client, this.commandTimeoutMs), this.subscriberClosing]);
      await this.cacheWrites;
    })();
    return this.closing;
  }

  private async applyUpdate(change: (current: RuntimeState) => Omit<RuntimeState, 'revision'>, input: AuditInput): Promise<RuntimeState> {
    const id = input.change ?? randomUUID();
    for (let attempt = 1; ; attempt += 1) {
      const { raw, state, redisNow } = await this.read();
      const readAt = performance.now();
      const next = nextState(state, change, id);
      if (next === undefined) return state;
      // Built after `change`: a caller may fill the audit entry from what the change computed.
      const entry: AuditEntry = { before: undefined, after: undefined, ...input, change: id, at: new Date().toISOString(), revision: next.revision };
      // Redis's clock passes the deadline before figway stops waiting (it waits as long, from later).
      const deadline = redisNow + this.commandTimeoutMs;
      let applied: unknown;
      try {
        applied = await this.command('apply the change', () =>
          this.client.eval(COMPARE_AND_SET, {
            keys: [this.keys.state, this.keys.audit],
            arguments: [raw ?? '', JSON.stringify(next), JSON.stringify(entry), String(AUDIT_LIMIT), this.keys.channel, String(deadline)],
          }),
        );
      } catch (err) {
        const cause = (err as Error).cause;
        if (cause instanceof ClientOfflineError || cause instanceof ClientClosedError) throw err;
        return this.outcomeOf(id, readAt + this.commandTimeoutMs, err as Error);
      }
      if (applied === 1) {
        this.see(next);
        return next;
      }
      if (applied === -1) {
        throw new FigwayError('FIGWAY_STATE_UNAVAILABLE', `${this.description} took the change after its ${this.commandTimeoutMs} ms deadline and refused it; nothing was changed`);
      }
      if (attempt >= MAX_ATTEMPTS) {
        throw new FigwayError('FIGWAY_STATE_UNAVAILABLE', `${this.description}: the change lost ${MAX_ATTEMPTS} races with other replicas in a row; nothing was changed`);
      }
      // Replicas that lost the same race would otherwise retry together and collide again.
      await delay(Math.random() * RETRY_DELAY_MS * Math.min(attempt, 5));
    }
  }

  /**
   * A change sent without a clear answer (a timeout, a dropped connection): once its deadline has
   * passed (`settledAt`, this process's clock) it can no longer be applied, so what Redis holds then
   * is the outcome. Read on a connection of its own: the main one may be held behind the change.
   */
  private async outcomeOf(id: string, settledAt: number, failure: Error): Promise<RuntimeState> {
    await delay(settledAt - performance.now());
    const reader = this.client.duplicate();
    reader.on('error', () => {});
    let raw: string | null;
    try {
      await withTimeout(reader.connect(), this.commandTimeoutMs, 'FIGWAY_STATE_UNAVAILABLE');
      raw = await withTimeout(reader.get(this.keys.state), this.commandTimeoutMs, 'FIGWAY_STATE_UNAVAILABLE');
    } catch (err) {
      throw outcomeUnknown(this.description, id, `${failure.message}; reading the outcome back: ${(err as Error).message}`);
    } finally {
      reader.destroy();
    }
    // A Redis that came back empty lost what it held: a replica may yet restore a state with the change in it.
    if (raw === null && (this.current?.revision ?? 0) > 0) throw outcomeUnknown(this.description, id, `${failure.message}; Redis holds no state now (restarted empty?)`);
    const state = raw === null ? EMPTY_STATE : parseState(raw, `${this.description} key ${this.keys.state}`);
    this.see(state);
    if (state.changes?.includes(id)) return state;
    throw new FigwayError('FIGWAY_STATE_UNAVAILABLE', `${failure.message}; read back after its deadline: the change was not applied, and now cannot be; nothing was changed`, {
      cause: failure,
    });
  }

  /** Reads the state; a Redis that lost it (restarted empty) gets the state this replica knows back. */
  private async read(): Promise<{ raw: string | null; state: RuntimeState; redisNow: number }> {
    // Redis's clock with the value: a change computed from it gets its deadline on that clock.
    const [value, time] = await this.command('read the state', () => this.client.multi().get(this.keys.state).time().exec());
    let raw = value as unknown as string | null;
    const [seconds, micros] = time as unknown as [string, string];
    const redisNow = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    if (raw === null && this.current !== undefined && this.current.revision > 0) {
      const seed = JSON.stringify(this.current);
      const seeded = await this.command('restore the state', () => this.client.set(this.keys.state, seed, { condition: 'NX' }));
      // Another replica restored (or changed) it first; theirs stands.
      raw = seeded === null ? await this.command('read the state', () => this.client.get(this.keys.state)) : seed;
    }
    const state = raw === null ? EMPTY_STATE : parseState(raw, `${this.description} key ${this.keys.state}`);
    this.see(state);
    return { raw, state, redisNow };
  }

  /** Re-reads the state; a call made while a read is under way runs once more after it, as that read may predate the call's reason. */
  private refresh(): Promise<void> {
    if (this.closing) return Promise.resolve();
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        // Unreachable: `healthy` already says so, and the next reconnect or poll tries again.
        await this.read().catch(() => {});
      } while (this.refreshAgain && !this.closing);
      this.refreshing = undefined;
    })();
    return this.refreshing;
  }

  /** Runs one command against Redis, bounded in time, keeping `healthy` and the error message plain. */
  private async command<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      await this.started;
      const result = await withTimeout(run(), this.commandTimeoutMs, 'FIGWAY_STATE_UNAVAILABLE');
      this.healthy = true;
      return result;
    } catch (err) {
      this.healthy = false;
      throw new FigwayError('FIGWAY_STATE_UNAVAILABLE', `${this.description} is unreachable, could not ${what}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Takes a state seen anywhere (own change, pub/sub, poll); listeners hear of each newer revision once. */
  private see(state: RuntimeState): void {
    if (state.revision <= (this.current?.revision ?? 0)) return;
    this.current = state;
    this.writeCache(state);
    for (const listener of this.listeners) listener(state);
  }

  private follow(): void {
    if (this.closing || this.subscriber) return;
    const subscriber = this.client.duplicate();
    this.subscriber = subscriber;
    this.watchConnection(subscriber);
    let subscribed = false;
    // node-redis re-subscribes by itself after a reconnect; what was published meanwhile is read back here.
    subscriber.on('ready', () => {
      const subscribing = subscribed
        ? Promise.resolve()
        : subscriber.subscribe(this.keys.channel, (message) => this.onMessage(message)).then(() => (subscribed = true));
      subscribing.then(
        () => this.refresh(),
        () => {},
      );
    });
    subscriber.connect().catch(() => {});
    this.pollTimer = setInterval(() => void this.refresh(), this.pollIntervalMs);
    this.pollTimer.unref();
  }

  private unfollow(): void {
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber) this.subscriberClosing = this.subscriberClosing.then(() => closeClient(subscriber, this.commandTimeoutMs));
  }

  private onMessage(message: string): void {
    try {
      this.see(parseState(message, `${this.description} channel ${this.keys.channel}`));
    } catch {
      void this.refresh();
    }
  }

  private readonly markUnhealthy = (): void => {
    this.healthy = false;
  };

  private watchConnection(client: RedisClientType): void {
    // The subscriber is a duplicate: it needs its own error listener (the main one got it at creation).
    if (client !== this.client) client.on('error', this.markUnhealthy);
    // A connection that was still being made when the store closed would otherwise stay open.
    client.on('ready', () => {
      if (this.closing) client.destroy();
    });
  }

  private writeCache(state: RuntimeState): void {
    const file = this.cacheFile;
    if (file === undefined) return;
    // In order, so the file always ends with the newest state; a failed write only costs freshness.
    this.cacheWrites = this.cacheWrites.then(() => writeAtomically(file, `${JSON.stringify(state)}\n`)).catch(() => {});
  }
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '<invalid url>';
  }
}

function parseState(raw: string, source: string): RuntimeState {
  let parsed: Partial<RuntimeState> | null;
  try {
    parsed = JSON.parse(raw) as Partial<RuntimeState> | null;
  } catch {
    parsed = null;
  }
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.revision !== 'number') throw new FigwayError('FIGWAY_STATE_UNAVAILABLE', `${source} does not hold a figway runtime state`);
  return { ...EMPTY_STATE, ...parsed };
}

function readCache(file: string): RuntimeState | undefined {
  try {
    return parseState(readFileSync(file, 'utf8'), file);
  } catch {
    // Missing or unreadable: start from Redis, or from nothing.
    return undefined;
  }
}

/** Resolves when the client is first ready, or after `ms` (it keeps reconnecting in the background). */
function startWithin(client: RedisClientType, ms: number): Promise<void> {
  return withTimeout(client.connect(), ms, 'FIGWAY_STATE_UNAVAILABLE').then(
    () => {},
    () => {},
  );
}

async function closeClient(client: RedisClientType, timeoutMs: number): Promise<void> {
  try {
    await withTimeout(client.close(), timeoutMs, 'FIGWAY_STATE_UNAVAILABLE');
  } catch {
    // Already closed, or Redis is not answering: drop the socket instead of waiting.
    client.destroy();
  }
}


function outcomeUnknown(description: string, id: string, why: string): FigwayError {
  return new FigwayError(
    'FIGWAY_STATE_OUTCOME_UNKNOWN',
    `${description} did not say whether change ${id} was applied (${why}); GET /audit?change=${id} tells once Redis answers, and retrying with Idempotency-Key: ${id} is safe`,
    { details: { change: id } },
  );
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
