// Who the client is and which host and scheme it used, following the app's `trust proxy` setting.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import proxyaddr from 'proxy-addr';
import { appOf } from './express-request.js';

type TrustFn = (address: string, hop: number) => boolean;

/** What figway tells services about the original request. */
export interface ForwardedFacts {
  /** The immediate peer's address. */
  readonly peer: string;
  /** X-Forwarded-For to send: the incoming chain plus the peer when the peer is a trusted proxy, else the peer alone. */
  readonly forwardedFor: string;
  /** The client address, as Express resolves it (req.ip). */
  readonly clientIp: string;
  /** The scheme the client used. */
  readonly proto: string;
  /** The host the client asked for (with port, if any). */
  readonly host: string;
  /** The port the client connected to. */
  readonly port: string;
  /** Whether the immediate peer is a trusted proxy, so its Forwarded/X-Forwarded-* headers count. */
  readonly peerTrusted: boolean;
}

/**
 * Reads the forwarding facts of a request. With `trust proxy` off (Express's default) every
 * X-Forwarded-* header from the client is ignored and replaced, so nobody can forge an address.
 */
export function forwardedFacts(req: IncomingMessage): ForwardedFacts {
  const trust = appOf(req)?.get?.('trust proxy fn') as TrustFn | undefined;
  const peer = req.socket.remoteAddress ?? '';
  const peerTrusted = trust !== undefined && trust(peer, 0);
  const incomingFor = peerTrusted ? header(req, 'x-forwarded-for', false) : undefined;
  const encrypted = (req.socket as TLSSocket).encrypted === true;
  const proto = (peerTrusted && header(req, 'x-forwarded-proto', true)) || (encrypted ? 'https' : 'http');
  return {
    peer,
    forwardedFor: incomingFor ? `${incomingFor}, ${peer}` : peer,
    clientIp: clientIp(req, trust, peer, peerTrusted),
    proto,
    host: (peerTrusted && header(req, 'x-forwarded-host', true)) || req.headers.host || '',
    port: (peerTrusted && header(req, 'x-forwarded-port', true)) || String(req.socket.localPort ?? (proto === 'https' ? 443 : 80)),
    peerTrusted,
  };
}

/** A header's value; with `first`, only the first of a comma-separated list (the client-most hop). */
function header(req: IncomingMessage, name: string, first: boolean): string | undefined {
  const raw = req.headers[name];
  const value = Array.isArray(raw) ? raw.join(', ') : raw;
  if (!value) return undefined;
  return first ? value.split(',')[0]?.trim() : value;
}

/**
 * req.ip as Express works it out; a request outside the app's stack has no req.ip, so figway does
 * the same. From an untrusted peer that is the peer itself, without parsing X-Forwarded-For.
 */
function clientIp(req: IncomingMessage & { ip?: string }, trust: TrustFn | undefined, peer: string, peerTrusted: boolean): string {
  if (req.ip !== undefined) return req.ip;
  return trust === undefined || !peerTrusted ? peer : proxyaddr(req, trust);
}
