// Headers of the request to the service: hop-by-hop headers removed, forwarding headers rebuilt.
import type { IncomingMessage } from 'node:http';
import type { ProxyRequest } from '../types.js';
import type { ForwardedFacts } from './forwarded.js';

/** RFC 9110 section 7.6.1 hop-by-hop headers, plus the non-standard ones proxies still see. */
export const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate'];

// Framing and target headers are never removed because a client listed them in Connection.
const PROTECTED = new Set(['host', 'content-length', 'transfer-encoding', 'close', 'keep-alive']);

// Headers some servers and frameworks take as the client address or the original URL. From an
// untrusted peer they are forgeries, so they never reach a service.
const FORWARDING = new Set([
  'forwarded',
  'x-real-ip',
  'x-client-ip',
  'x-cluster-client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
  'x-original-url',
  'x-rewrite-url',
  'x-original-forwarded-for',
]);

/**
 * Removes hop-by-hop headers (and those the client named in Connection), then rebuilds the
 * forwarding headers from `facts`: from an untrusted peer every X-Forwarded-* and client-address
 * header is dropped first; from a trusted proxy the chain is extended. `Connection: close` stays
 * when the body is chunked: the proxy library forces it so a chunked request never shares a connection.
 */
export function prepareRequestHeaders(proxyReq: ProxyRequest, req: IncomingMessage, facts: ForwardedFacts): void {
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
  if (!facts.peerTrusted) {
    for (const name of Object.keys(req.headers)) {
      if (name.startsWith('x-forwarded-') || FORWARDING.has(name)) proxyReq.removeHeader(name);
    }
  } else if (req.headers.forwarded) {
    proxyReq.setHeader('forwarded', `${req.headers.forwarded}, for=${forwardedNode(facts.peer)}`);
  }
  proxyReq.setHeader('x-forwarded-for', facts.forwardedFor);
  proxyReq.setHeader('x-forwarded-proto', facts.proto);
  proxyReq.setHeader('x-forwarded-host', facts.host);
  proxyReq.setHeader('x-forwarded-port', facts.port);
  proxyReq.setHeader('x-real-ip', facts.clientIp);
}

/** RFC 7239 node: IPv6 addresses are quoted and bracketed. */
function forwardedNode(address: string): string {
  return address.includes(':') ? `"[${address}]"` : address;
}
