// One keep-alive connection pool per service, kept across reloads while its configuration is unchanged.
import http from 'node:http';
import https from 'node:https';
import type { UpstreamConfig } from '../config/schema.js';
import { parseDuration } from '../config/units.js';

/** A service figway can send traffic to, with its connection pool. */
export interface Upstream {
  readonly name: string;
  readonly url: URL;
  readonly config: Readonly<UpstreamConfig>;
  readonly agent: http.Agent;
}

/**
 * Keeps upstreams by name and configuration, so a reload that leaves a service unchanged keeps its
 * warm connections. Upstreams a new snapshot no longer uses are retired: their idle connections
 * close now, busy ones once their request is done.
 */
export class UpstreamPool {
  private readonly upstreams = new Map<string, Upstream>();

  /** The upstream for this name and configuration, created on first use. */
  get(name: string, config: UpstreamConfig): Upstream {
    const key = `${name}\n${JSON.stringify(config)}`;
    let upstream = this.upstreams.get(key);
    if (!upstream) {
      upstream = { name, url: new URL(config.url), config, agent: createAgent(config) };
      this.upstreams.set(key, upstream);
    }
    return upstream;
  }

  /** Retires every upstream not in `used` (the upstreams of the snapshot now serving). */
  retainOnly(used: ReadonlySet<Upstream>): void {
    for (const [key, upstream] of this.upstreams) {
      if (used.has(upstream)) continue;
      this.upstreams.delete(key);
      retire(upstream.agent);
    }
  }

  /** Closes every connection of every upstream. */
  close(): void {
    for (const upstream of this.upstreams.values()) upstream.agent.destroy();
    this.upstreams.clear();
  }
}

function createAgent(config: UpstreamConfig): http.Agent {
  const options = {
    keepAlive: true,
    maxSockets: config.pool?.maxSockets ?? 256,
    maxFreeSockets: config.pool?.maxFreeSockets ?? 64,
    // The agent's timeout closes idle pooled sockets; keep it under the service's keep-alive
    // timeout (Node's default is 5 s) so figway never writes to a socket the service closed.
    timeout: parseDuration(config.pool?.idleTimeout ?? '4s'),
    scheduling: 'lifo' as const,
  };
  return config.url.startsWith('https:') ? new https.Agent(options) : new http.Agent(options);
}

/** Without keep-alive, Node's agent closes each socket when its request is done; idle ones close now. */
function retire(agent: http.Agent): void {
  (agent as http.Agent & { keepAlive: boolean }).keepAlive = false;
  for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
}
