// One keep-alive connection pool per service and engine, kept across reloads while its configuration is unchanged.
import http from 'node:http';
import https from 'node:https';
import type { Dispatcher, Pool } from 'undici';
import type { UpstreamConfig } from '../config/schema.js';
import { parseDuration } from '../config/units.js';
import { createUndiciPool } from './engines/undici-pool.js';

// A retired pool's requests may still be on their way to it (a request that matched on the old
// snapshot and waited for its identity): it takes no new connections, and closes after this grace.
const RETIRED_POOL_GRACE_MS = 60_000;

/** The pool settings both engines apply alike. */
export interface PoolSettings {
  readonly maxSockets: number;
  readonly maxFreeSockets: number;
  /** Idle keep-alive connections close after this; kept under the service's keep-alive timeout (Node's default is 5 s) so figway never writes to a socket the service closed. */
  readonly idleTimeout: number;
}

/**
 * A service figway can send traffic to, with its connection pools: Node's http.Agent for the
 * http-proxy-middleware engine and WebSocket-free Node requests, an undici Pool per connect
 * timeout for the undici engine (undici sets that timeout per pool). Each is created on first use.
 */
export class Upstream {
  /** The URL's path without its trailing slash, put in front of every request path. */
  readonly basePath: string;
  /** Pool size and idle time, alike for both engines. */
  readonly poolSettings: PoolSettings;
  private nodeAgent: http.Agent | undefined;
  private readonly pools = new Map<number, Pool>();

  constructor(
    readonly name: string,
    readonly url: URL,
    readonly config: Readonly<UpstreamConfig>,
  ) {
    this.basePath = url.pathname.replace(/\/$/, '');
    this.poolSettings = {
      maxSockets: config.pool?.maxSockets ?? 256,
      maxFreeSockets: config.pool?.maxFreeSockets ?? 64,
      idleTimeout: parseDuration(config.pool?.idleTimeout ?? '4s'),
    };
  }

  /** Node's keep-alive agent for this service. */
  get agent(): http.Agent {
    return (this.nodeAgent ??= createAgent(this.url, this.poolSettings));
  }

  /** The undici pool for this service whose connections must open within `connectTimeout` ms. */
  dispatcher(connectTimeout: number): Dispatcher {
    let pool = this.pools.get(connectTimeout);
    if (!pool) {
      pool = createUndiciPool(this, connectTimeout);
      this.pools.set(connectTimeout, pool);
    }
    return pool;
  }

  /** No longer serving: idle connections close now, busy ones once their request is done. */
  retire(): void {
    if (this.nodeAgent) {
      (this.nodeAgent as http.Agent & { keepAlive: boolean }).keepAlive = false;
      for (const sockets of Object.values(this.nodeAgent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
    }
    for (const pool of this.pools.values()) setTimeout(() => void pool.close(), RETIRED_POOL_GRACE_MS).unref();
  }

  /** Closes every connection now. */
  close(): void {
    this.nodeAgent?.destroy();
    for (const pool of this.pools.values()) void pool.destroy();
    this.pools.clear();
  }
}

/**
 * Keeps upstreams by name and configuration, so a reload that leaves a service unchanged keeps its
 * warm connections. Upstreams a new snapshot no longer uses are retired.
 */
export class UpstreamPool {
  private readonly upstreams = new Map<string, Upstream>();

  /** The upstream for this name and configuration, created on first use. */
  get(name: string, config: UpstreamConfig): Upstream {
    const key = `${name}\n${JSON.stringify(config)}`;
    let upstream = this.upstreams.get(key);
    if (!upstream) {
      upstream = new Upstream(name, new URL(config.url), config);
      this.upstreams.set(key, upstream);
    }
    return upstream;
  }

  /** Retires every upstream not in `used` (the upstreams of the snapshot now serving). */
  retainOnly(used: ReadonlySet<Upstream>): void {
    for (const [key, upstream] of this.upstreams) {
      if (used.has(upstream)) continue;
      this.upstreams.delete(key);
      upstream.retire();
    }
  }

  /** Closes every connection of every upstream. */
  close(): void {
    for (const upstream of this.upstreams.values()) upstream.close();
    this.upstreams.clear();
  }
}

function createAgent(url: URL, settings: PoolSettings): http.Agent {
  const options = {
    keepAlive: true,
    maxSockets: settings.maxSockets,
    maxFreeSockets: settings.maxFreeSockets,
    // The agent's timeout closes idle pooled sockets.
    timeout: settings.idleTimeout,
    scheduling: 'lifo' as const,
  };
  return url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
}
