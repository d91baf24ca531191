// Headers of the request to the service: hop-by-hop headers removed, forwarding headers rebuilt.
import type { IncomingMessage } from 'node:http';
import type { ProxyRequest } from '../types.js';
import type { ForwardedFacts } from '../server/forwarded.js';

/** RFC 9110 section 7.6.1 hop-by-hop headers, plus the non-standard ones proxies still see. */
export const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate'];
const HOP = new Set(HOP_BY_HOP);

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

// The forwarding headers figway writes itself, whoever the peer is.
const SET_BY_FIGWAY = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-real-ip']);

/** The names a client's Connection header lists (besides framing ones): hop-by-hop for this request. */
export function connectionListed(req: IncomingMessage): ReadonlySet<string> | undefined {
  const connection = req.headers.connection;
  if (!connection) return undefined;
  let listed: Set<string> | undefined;
  for (const token of connection.split(',')) {
    const name = token.trim().toLowerCase();
    if (name && !PROTECTED.has(name)) (listed ??= new Set()).add(name);
  }
  return listed;
}

/**
 * Whether the client's header `name` (lower-case) is left out of the request to the service:
 * hop-by-hop (standard, or listed in Connection), a forwarding header figway writes itself, and,
 * from an untrusted peer, every X-Forwarded-* and client-address header.
 */
export function isLeftOut(name: string, listed: ReadonlySet<string> | undefined, facts: ForwardedFacts): boolean {
  if (HOP.has(name) || SET_BY_FIGWAY.has(name) || listed?.has(name)) return true;
  if (facts.peerTrusted) return name === 'forwarded';
  return name.startsWith('x-forwarded-') || FORWARDING.has(name);
}

/** Whether the client accepts response trailers (`TE: trailers`). */
export function acceptsTrailers(req: IncomingMessage): boolean {
  const te = req.headers.te;
  return te !== undefined && /(?:^|,)\s*trailers\s*(?:[;,]|$)/i.test(String(te));
}

/**
 * Appends the forwarding headers figway sends to `fields` ([name, value, name, value, ...]):
 * X-Forwarded-For, -Proto, -Host, -Port and X-Real-IP from `facts`, and from a trusted proxy its
 * Forwarded chain extended. TE is hop-by-hop, but its `trailers` is passed on: the client takes
 * trailers, and figway passes them back.
 */
export function appendForwardingFields(fields: string[], req: IncomingMessage, facts: ForwardedFacts): void {
  fields.push('x-forwarded-for', facts.forwardedFor, 'x-forwarded-proto', facts.proto, 'x-forwarded-host', facts.host, 'x-forwarded-port', facts.port, 'x-real-ip', facts.clientIp);
  const forwarded = req.headers.forwarded;
  if (facts.peerTrusted && forwarded) fields.push('forwarded', `${forwarded}, for=${forwardedNode(facts.peer)}`);
  if (acceptsTrailers(req)) fields.push('te', 'trailers');
}

/**
 * Applies the rules above to a request that starts with all of the client's headers (Node's
 * ClientRequest, as the proxy library and figway's own Node requests build it). `Connection: close`
 * stays when the body is chunked: the proxy library forces it so a chunked request never shares a
 * connection.
 */
export function prepareRequestHeaders(proxyReq: ProxyRequest, req: IncomingMessage, facts: ForwardedFacts): void {
  const listed = connectionListed(req);
  const chunked = req.headers['transfer-encoding'] !== undefined;
  for (const name of Object.keys(req.headers)) {
    if (isLeftOut(name, listed, facts) && !(name === 'connection' && chunked)) proxyReq.removeHeader(name);
  }
  const fields: string[] = [];
  appendForwardingFields(fields, req, facts);
  for (let i = 0; i < fields.length; i += 2) proxyReq.setHeader(fields[i] as string, fields[i + 1] as string);
}

/** RFC 7239 node: IPv6 addresses are quoted and bracketed. */
function forwardedNode(address: string): string {
  return address.includes(':') ? `"[${address}]"` : address;
}
