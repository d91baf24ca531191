// An undici connection pool for one upstream, with figway's connect timeout and a watch on each connection it opens.
import http from 'node:http';
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { buildConnector, Pool } from 'undici';
import { FigwayError } from '../../errors.js';
import type { TlsOptions } from '../upstream-tls.js';
import { tlsReason } from '../upstream-error.js';
import { releaseHeld } from './held-responses.js';

// Loaded on first use: an app that forwards only through http-proxy-middleware never loads undici (~100 ms at start-up).
const load = createRequire(import.meta.url);

/** What a pool needs of its upstream (proxy/upstream-pool.ts's Upstream is one). */
export interface PoolTarget {
  readonly name: string;
  readonly url: URL;
  readonly poolSettings: { readonly maxSockets: number; readonly idleTimeout: number };
  readonly tlsOptions: TlsOptions | undefined;
  /** A TLS connection to the service is secure (its certificate is watched). */
  connected(socket: TLSSocket): void;
}

/**
 * The pool of `upstream` whose connections must open within `connectTimeout` ms: as many
 * connections as `pool.maxSockets`, idle ones closed after `pool.idleTimeout`.
 */
export function createUndiciPool(upstream: PoolTarget, connectTimeout: number): Pool {
  const undici = load('undici') as typeof import('undici');
  const settings = upstream.poolSettings;
  return new undici.Pool(upstream.url.origin, {
    connections: settings.maxSockets,
    // A service's `Keep-Alive: timeout=N` may shorten the idle time, never lengthen it past ours.
    keepAliveTimeout: settings.idleTimeout,
    keepAliveMaxTimeout: settings.idleTimeout,
    connect: connectWithin(undici.buildConnector({ timeout: 0, ...upstream.tlsOptions }), connectTimeout, upstream),
    // Node's own limit, as the other engine has it: larger response heads are a 502.
    maxHeaderSize: http.maxHeaderSize,
  });
}

/**
 * Watches a new connection, ahead of undici's own listeners. undici takes a reset during a response
 * whose connection closes after it (`Connection: close`, or a body delimited by the close) as that
 * body's end (a workaround for macOS), so the client would take a partial body for a whole one: the
 * reset is passed on under another code, which undici treats as the failure it is. And any response
 * held back for a slow client is let go before undici finishes its parser (see releaseHeld).
 */
function watchConnection(socket: Socket): void {
  let tlsAlert: NodeJS.ErrnoException | undefined;
  socket.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ECONNRESET') err.code = 'UND_ERR_SOCKET';
    // A service refusing figway's client certificate (TLS 1.3) sends an alert and closes; undici
    // then fails the request with its own "other side closed", which is given the alert as its cause.
    if (err.code !== undefined && tlsReason(err.code)) tlsAlert = err;
    else if (tlsAlert && err.code === 'UND_ERR_SOCKET') Object.assign(err, { cause: tlsAlert });
    releaseHeld();
  });
  socket.on('end', releaseHeld);
  socket.on('close', releaseHeld);
}

/**
 * undici's connector with the connect timeout on Node's own timer (undici's fires up to a second
 * late, too late for a connect timeout of a few hundred milliseconds that a fallback relies on),
 * the watch on each connection, and the certificate of each secure one.
 */
function connectWithin(connect: buildConnector.connector, ms: number, upstream: PoolTarget): buildConnector.connector {
  return (options, callback) => {
    let settled = false;
    let socket: unknown;
    const timer = setTimeout(() => {
      settled = true;
      if (socket instanceof Socket) socket.destroy();
      callback(new FigwayError('FIGWAY_UPSTREAM_CONNECT_TIMEOUT', `${upstream.name} accepted no connection within ${ms} ms`), null);
    }, ms);
    // undici's connector returns the socket it opens (its types say void), so a late one is closed at once.
    // The TLS name is the service's (tls.servername or its URL's host), never one a request's Host header made.
    const tls = upstream.tlsOptions;
    socket = connect(tls ? { ...options, servername: tls.servername } : options, (...result) => {
      clearTimeout(timer);
      const [, connected] = result;
      if (settled) connected?.destroy();
      else {
        if (connected) watchConnection(connected);
        // undici calls back once a TLS connection is secure.
        if (connected instanceof TLSSocket) upstream.connected(connected);
        callback(...result);
      }
    });
  };
}
