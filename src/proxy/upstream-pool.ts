// One keep-alive connection pool and one http-proxy-middleware instance per service, kept across reloads.
import http from 'node:http';
import https from 'node:https';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { UpstreamConfig } from '../config/schema.js';
import { parseDuration } from '../config/units.js';

/** The proxy event handlers every upstream shares; they find the request's context on `req`. */
export interface ProxyEvents {
  pathOf(req: IncomingMessage): string;
  proxyReq(proxyReq: ClientRequest, req: IncomingMessage, res: ServerResponse): void;
  proxyRes(proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse): void;
  error(err: Error, req?: IncomingMessage, res?: ServerResponse | Socket): void;
}

/** A service figway can send traffic to. */
export interface Upstream {
  readonly name: string;
  readonly url: URL;
  readonly config: Readonly<UpstreamConfig>;
  /** Sends the request to the service; `onError` gets failures the proxy could not report as events. */
  proxy(req: IncomingMessage, res: ServerResponse, onError: (err?: unknown) => void): void;
}

interface PooledUpstream extends Upstream {
  readonly agent: http.Agent;
}

/**
 * Keeps upstreams by name and configuration, so a reload that leaves a service unchanged keeps its
 * warm connections, and requests in flight on an old snapshot keep working.
 */
export class UpstreamPool {
  private readonly upstreams = new Map<string, PooledUpstream>();

  constructor(private readonly events: ProxyEvents) {}

  /** The upstream for this name and configuration, created on first use. */
  get(name: string, config: UpstreamConfig): Upstream {
    const key = `${name}\n${JSON.stringify(config)}`;
    let upstream = this.upstreams.get(key);
    if (!upstream) {
      upstream = this.create(name, config);
      this.upstreams.set(key, upstream);
    }
    return upstream;
  }

  /** Closes every connection of every upstream. */
  close(): void {
    for (const upstream of this.upstreams.values()) upstream.agent.destroy();
    this.upstreams.clear();
  }

  private create(name: string, config: UpstreamConfig): PooledUpstream {
    const url = new URL(config.url);
    const agentOptions = {
      keepAlive: true,
      maxSockets: config.pool?.maxSockets ?? 256,
      maxFreeSockets: config.pool?.maxFreeSockets ?? 64,
      // The agent's timeout closes idle pooled sockets; keep it under the service's keep-alive
      // timeout (Node's default is 5 s) so figway never writes to a socket the service closed.
      timeout: parseDuration(config.pool?.idleTimeout ?? '4s'),
      scheduling: 'lifo' as const,
    };
    const agent = url.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    const events = this.events;
    const middleware = createProxyMiddleware<IncomingMessage, ServerResponse>({
      target: url.href,
      agent,
      changeOrigin: config.preserveHost !== true,
      xfwd: false,
      // The default plugins log to the console and answer errors in their own shape; figway's
      // handlers replace them (and the 'error' listener keeps a proxy error from ever throwing).
      ejectPlugins: true,
      plugins: [
        (server) => {
          server.on('proxyReq', events.proxyReq);
          server.on('proxyRes', events.proxyRes);
          server.on('error', events.error);
        },
      ],
      pathRewrite: (_path, req) => events.pathOf(req),
    });
    return {
      name,
      url,
      config,
      agent,
      proxy: (req, res, onError) => {
        middleware(req, res, onError).catch(onError);
      },
    };
  }
}
