// Headers of the request to the service: hop-by-hop headers removed, X-Forwarded-* rebuilt.
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { ForwardedFacts } from './forwarded.js';

/** RFC 9110 section 7.6.1 hop-by-hop headers, plus the non-standard ones proxies still see. */
export const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate'];

// Framing and target headers are never removed because a client listed them in Connection.
const PROTECTED = new Set(['host', 'content-length', 'transfer-encoding', 'close', 'keep-alive']);

/**
 * Removes hop-by-hop headers (and those the client named in Connection), then sets
 * X-Forwarded-For/Proto/Host and X-Real-IP from `facts`, dropping a client's Forwarded header
 * unless it came through a trusted proxy. `Connection: close` stays when the body is chunked:
 * the proxy library forces it so a chunked request never shares a connection.
 */
export function prepareRequestHeaders(proxyReq: ClientRequest, req: IncomingMessage, facts: ForwardedFacts): void {
  const connection = req.headers.connection;
  if (connection) {
    for (const token of connection.split(',')) {
      const name = token.trim().toLowerCase();
      if (name && !PROTECTED.has(name)) proxyReq.removeHeader(name);
    }
  }
  for (const name of HOP_BY_HOP) {
    if (name !== 'connection' || req.headers['transfer-encoding'] === undefined) proxyReq.removeHeader(name);
  }
  proxyReq.setHeader('x-forwarded-for', facts.forwardedFor);
  proxyReq.setHeader('x-forwarded-proto', facts.proto);
  proxyReq.setHeader('x-forwarded-host', facts.host);
  proxyReq.setHeader('x-real-ip', facts.clientIp);
  if (!facts.peerTrusted) proxyReq.removeHeader('forwarded');
}
