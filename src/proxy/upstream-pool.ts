// One keep-alive connection pool per service and engine, kept across reloads while its configuration is unchanged.
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Dispatcher, Pool } from 'undici';
import { defaultsFiller } from '../config-kit/schema-defaults.js';
import { UpstreamPoolSettings, type UpstreamConfig } from './upstream-schema.js';
import { parseDuration } from '../config-kit/units.js';
import type { FigwayError } from '../errors.js';
import type { RouteInfo } from '../types.js';
import type { CertificateWatch } from './certificate-watch.js';
import { createUndiciPool } from './engines/undici-pool.js';
import { toUpstreamError } from './upstream-error.js';
import { UpstreamTls, type TlsOptions } from './upstream-tls.js';
import type { Diagnostics } from '../diagnostics.js';

// A retired pool's requests may still be on their way to it (a request that matched on the old
// snapshot and waited for its identity): it takes no new connections, and closes after this grace.
const RETIRED_POOL_GRACE_MS = 60_000;

const fillPool = defaultsFiller(UpstreamPoolSettings, ['maxSockets', 'maxFreeSockets', 'idleTimeout']);

/** The pool settings both engines apply alike. */
export interface PoolSettings {
  readonly maxSockets: number;
  readonly maxFreeSockets: number;
  /** Idle keep-alive connections close after this; kept under the service's keep-alive timeout (Node's default is 5 s) so figway never writes to a socket the service closed. */
  readonly idleTimeout: number;
}

/** What upstreams share: where relative TLS files start, the log, the certificate watch. */
export interface UpstreamDeps {
  readonly diagnostics: Diagnostics;
  readonly certificates: CertificateWatch;
}

/**
 * A service figway can send traffic to, with its connection pools: Node's http.Agent for the
 * http-proxy-middleware engine and WebSocket-free Node requests, an undici Pool per connect
 * timeout for the undici engine (undici sets that timeout per pool). Each is created on first use,
 * and again once the TLS files changed (the old ones finish what they carry, then close).
 */
export class Upstream {
  /** The URL's path without its trailing slash, put in front of every request path. */
  readonly basePath: string;
  /** Pool size and idle time, alike for both engines. */
  readonly poolSettings: PoolSettings;
  /** TLS towards an https:// service (the config's `tls`, or Node's defaults). */
  readonly tls: UpstreamTls | undefined;
  /** The service as routes show it (RouteInfo.upstream): one object however many routes use it. */
  readonly info: RouteInfo['upstream'];
  private nodeAgent: http.Agent | undefined;
  private readonly pools = new Map<number, Pool>();
  /** Pools a TLS change retired, still finishing their requests: closed for good by close(). */
  private readonly retiredPools = new Set<Pool>();
  /** The TLS version the pools were opened with. */
  private poolsTls = 0;

  /** @throws TlsSettingProblem when the TLS settings cannot be used. */
  constructor(
    readonly name: string,
    readonly url: URL,
    readonly config: Readonly<UpstreamConfig>,
    baseDir: string,
    private readonly deps: UpstreamDeps,
  ) {
    this.basePath = url.pathname.replace(/\/$/, '');
    const pool = fillPool(config.pool);
    this.poolSettings = { maxSockets: pool.maxSockets, maxFreeSockets: pool.maxFreeSockets, idleTimeout: parseDuration(pool.idleTimeout) };
    this.tls = url.protocol === 'https:' ? new UpstreamTls(name, config.tls ?? {}, url, baseDir, deps.diagnostics) : undefined;
    this.requestTlsFields = this.tls ? { servername: url.hostname } : {};
    this.info = Object.freeze({ name, url: url.href, ...(this.tls ? { tls: this.tls.info } : {}) });
  }

  /** What connections to this service are opened with (undefined for http://). */
  get tlsOptions(): TlsOptions | undefined {
    return this.tls?.options;
  }

  /**
   * Spread into every undici request to the service (`{ servername }` for https, made once): undici
   * would take the TLS name from each request's Host header (the client's, with preserveHost), check
   * the certificate against it and reconnect whenever it changes. Its connector then uses the
   * service's own name (see undici-pool.ts). undici reads the field though its types leave it out.
   */
  readonly requestTlsFields: object;

  /** Node's keep-alive agent for this service. */
  get agent(): http.Agent {
    this.followTls();
    return (this.nodeAgent ??= createAgent(this));
  }

  /** The undici pool for this service whose connections must open within `connectTimeout` ms. */
  dispatcher(connectTimeout: number): Dispatcher {
    this.followTls();
    let pool = this.pools.get(connectTimeout);
    if (!pool) {
      pool = createUndiciPool(this, connectTimeout);
      this.pools.set(connectTimeout, pool);
    }
    return pool;
  }

  /** A new connection's handshake succeeded. */
  connected(socket: TLSSocket): void {
    this.deps.certificates.connected(this.name, socket);
  }

  /**
   * The FigwayError for a failure towards this service (see toUpstreamError); a failed TLS handshake
   * is also reported, with the certificate the service presents, once a minute.
   */
  errorFrom(err: unknown): FigwayError {
    const error = toUpstreamError(err, this.name);
    if (error.code === 'FIGWAY_UPSTREAM_TLS') this.deps.certificates.failed(this, error);
    return error;
  }


  /** No longer serving: idle connections close now, busy ones once their request is done. */
  retire(): void {
    this.tls?.close();
    this.retirePools();
  }

  /** Closes every connection now, those of pools a TLS change retired included. */
  close(): void {
    this.tls?.close();
    this.nodeAgent?.destroy();
    for (const pool of [...this.pools.values(), ...this.retiredPools]) void pool.destroy();
    this.pools.clear();
    this.retiredPools.clear();
  }

  /** Once the TLS files changed, new requests go through new pools; the old ones finish theirs. */
  private followTls(): void {
    if (this.tls === undefined || this.tls.version === this.poolsTls) return;
    this.poolsTls = this.tls.version;
    this.retirePools();
    this.nodeAgent = undefined;
    this.pools.clear();
  }

  private retirePools(): void {
    if (this.nodeAgent) {
      (this.nodeAgent as http.Agent & { keepAlive: boolean }).keepAlive = false;
      for (const sockets of Object.values(this.nodeAgent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
    }
    for (const pool of this.pools.values()) {
      this.retiredPools.add(pool);
      setTimeout(() => {
        this.retiredPools.delete(pool);
        void pool.close();
      }, RETIRED_POOL_GRACE_MS).unref();
    }
  }
}

/**
 * Keeps upstreams by name and configuration, so a reload that leaves a service unchanged keeps its
 * warm connections. Upstreams a new snapshot no longer uses are retired.
 */
export class UpstreamPool {
  private readonly upstreams = new Map<string, Upstream>();

  constructor(private readonly deps: UpstreamDeps) {}

  /**
   * The upstream for this name and configuration, created on first use (relative TLS files from `baseDir`).
   *
   * @throws TlsSettingProblem when its TLS settings cannot be used.
   */
  get(name: string, config: UpstreamConfig, baseDir: string): Upstream {
    const key = `${name}\n${baseDir}\n${JSON.stringify(config)}`;
    let upstream = this.upstreams.get(key);
    if (!upstream) {
      upstream = new Upstream(name, new URL(config.url), config, baseDir, this.deps);
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
    const names = new Set([...used].map((upstream) => upstream.name));
    for (const upstream of this.upstreams.values()) names.add(upstream.name);
    this.deps.certificates.retain(names);
  }

  /** Closes every connection of every upstream. */
  close(): void {
    for (const upstream of this.upstreams.values()) upstream.close();
    this.upstreams.clear();
  }
}

function createAgent(upstream: Upstream): http.Agent {
  const settings = upstream.poolSettings;
  const options = {
    keepAlive: true,
    maxSockets: settings.maxSockets,
    maxFreeSockets: settings.maxFreeSockets,
    // The agent's timeout closes idle pooled sockets.
    timeout: settings.idleTimeout,
    scheduling: 'lifo' as const,
  };
  if (!upstream.tlsOptions) return new http.Agent(options);
  // The agent's options win over a request's, so the service's TLS settings apply whatever the proxy library sets.
  const agent = new https.Agent({ ...options, ...upstream.tlsOptions });
  const open = agent.createConnection.bind(agent);
  agent.createConnection = (connectOptions, callback) => {
    const socket = open(connectOptions, callback) as Duplex as TLSSocket;
    socket.once('secureConnect', () => upstream.connected(socket));
    return socket;
  };
  return agent;
}
