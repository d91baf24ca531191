// A request to a service outside the proxy library: shadow copies and WebSocket handshakes.
import http, { type ClientRequest, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { Upstream } from './upstream-pool.js';

/**
 * Opens a request to `upstream` for `path` (the service path figway computed, query included),
 * under the upstream URL's own path, over http or https as its URL says.
 *
 * @example
 * ```ts
 * const request = requestUpstream(ctx.compiled.upstream, ctx.upstreamPath, { method: 'GET', headers, agent: upstream.agent });
 * ```
 */
export function requestUpstream(upstream: Upstream, path: string, options: { method: string | undefined; headers: OutgoingHttpHeaders; agent: http.Agent | false }): ClientRequest {
  const { url } = upstream;
  return (url.protocol === 'https:' ? https : http).request({
    protocol: url.protocol,
    // A URL keeps an IPv6 literal in brackets; the socket wants the bare address.
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port,
    path: `${url.pathname.replace(/\/$/, '')}${path}`,
    // Without an agent (WebSocket handshakes), the service's TLS settings go with the request itself.
    ...upstream.tlsOptions,
    ...options,
  });
}
