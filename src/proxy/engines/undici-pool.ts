// An undici connection pool for one upstream, with figway's connect timeout and a watch for connections reset mid-response.
import http from 'node:http';
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import type { buildConnector, Pool } from 'undici';
import { FigwayError } from '../../errors.js';
import type { Upstream } from '../upstream-pool.js';

// Loaded on first use: an app that forwards only through http-proxy-middleware never loads undici (~100 ms at start-up).
const load = createRequire(import.meta.url);

/**
 * The pool of `upstream` whose connections must open within `connectTimeout` ms: as many
 * connections as `pool.maxSockets`, idle ones closed after `pool.idleTimeout`.
 */
export function createUndiciPool(upstream: Upstream, connectTimeout: number): Pool {
  const undici = load('undici') as typeof import('undici');
  const settings = upstream.poolSettings;
  return new undici.Pool(upstream.url.origin, {
    connections: settings.maxSockets,
    // A service's `Keep-Alive: timeout=N` may shorten the idle time, never lengthen it past ours.
    keepAliveTimeout: settings.idleTimeout,
    keepAliveMaxTimeout: settings.idleTimeout,
    connect: connectWithin(undici.buildConnector({ timeout: 0 }), connectTimeout, upstream.name),
    // Node's own limit, as the other engine has it: larger response heads are a 502.
    maxHeaderSize: http.maxHeaderSize,
  });
}

let resetting = false;

/**
 * Whether the response undici is completing right now ended because its connection was reset.
 * undici takes a reset during a body delimited by the connection closing as the body's end (a
 * workaround for macOS); figway must cut such a response instead, or the client takes a partial
 * body for a whole one. The reset is seen first, by the listener every connection gets here before
 * undici's own, and undici completes the response synchronously within that same event.
 */
export function completedByReset(): boolean {
  return resetting;
}

function noteReset(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ECONNRESET') return;
  resetting = true;
  queueMicrotask(() => (resetting = false));
}

/**
 * undici's connector with the connect timeout on Node's own timer (undici's fires up to a second
 * late, too late for a connect timeout of a few hundred milliseconds that a fallback relies on),
 * and the reset watch on each connection.
 */
function connectWithin(connect: buildConnector.connector, ms: number, upstream: string): buildConnector.connector {
  return (options, callback) => {
    let settled = false;
    let socket: unknown;
    const timer = setTimeout(() => {
      settled = true;
      if (socket instanceof Socket) socket.destroy();
      callback(new FigwayError('FIGWAY_UPSTREAM_CONNECT_TIMEOUT', `${upstream} accepted no connection within ${ms} ms`), null);
    }, ms);
    // undici's connector returns the socket it opens (its types say void), so a late one is closed at once.
    socket = connect(options, (...result) => {
      clearTimeout(timer);
      const [, connected] = result;
      if (settled) connected?.destroy();
      else {
        connected?.on('error', noteReset);
        callback(...result);
      }
    });
  };
}
