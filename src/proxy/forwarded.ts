// Who the client is and which host and scheme it used, following the app's `trust proxy` setting.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

type TrustFn = (address: string, hop: number) => boolean;
type ExpressLike = IncomingMessage & { app?: { get?: (setting: string) => unknown }; ip?: string };

/** What figway tells services about the original request. */
export interface ForwardedFacts {
  /** X-Forwarded-For to send: the incoming chain plus the peer when the peer is a trusted proxy, else the peer alone. */
  readonly forwardedFor: string;
  /** The client address, as Express resolves it (req.ip). */
  readonly clientIp: string;
  /** The scheme the client used. */
  readonly proto: string;
  /** The host the client asked for (with port, if any). */
  readonly host: string;
  /** Whether the immediate peer is a trusted proxy, so its Forwarded/X-Forwarded-* headers count. */
  readonly peerTrusted: boolean;
}

/**
 * Reads the forwarding facts of a request. With `trust proxy` off (Express's default) every
 * X-Forwarded-* header from the client is ignored and replaced, so nobody can forge an address.
 */
export function forwardedFacts(req: IncomingMessage): ForwardedFacts {
  const expressReq = req as ExpressLike;
  const trust = expressReq.app?.get?.('trust proxy fn') as TrustFn | undefined;
  const peer = req.socket.remoteAddress ?? '';
  const peerTrusted = trust !== undefined && trust(peer, 0);
  const incomingFor = firstHeader(req, 'x-forwarded-for', false);
  const encrypted = (req.socket as TLSSocket).encrypted === true;
  return {
    forwardedFor: peerTrusted && incomingFor ? `${incomingFor}, ${peer}` : peer,
    clientIp: expressReq.ip ?? peer,
    proto: (peerTrusted && firstHeader(req, 'x-forwarded-proto', true)) || (encrypted ? 'https' : 'http'),
    host: (peerTrusted && firstHeader(req, 'x-forwarded-host', true)) || req.headers.host || '',
    peerTrusted,
  };
}

/** A header's value; with `first`, only the first of a comma-separated list (the client-most hop). */
function firstHeader(req: IncomingMessage, name: string, first: boolean): string | undefined {
  const raw = req.headers[name];
  const value = Array.isArray(raw) ? raw.join(', ') : raw;
  if (!value) return undefined;
  return first ? value.split(',')[0]?.trim() : value;
}
