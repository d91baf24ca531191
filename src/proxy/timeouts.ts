// Connect, response and idle timeouts towards a service, per route.
import type { ClientRequest } from 'node:http';
import { FigwayError } from '../errors.js';

/**
 * Arms the timeouts of one request to a service. `connect` runs while a new connection opens;
 * `response` runs from the moment the request (with its body) is fully sent until response
 * headers arrive, so a long upload is not cut short; `idle` limits silence while a body streams,
 * the request's (a service that stops reading an upload would otherwise hold both connections
 * for good) and the response's. A timeout destroys the request with a FigwayError: a 504 before
 * the response started, a cut connection after.
 */
export function armTimeouts(proxyReq: ClientRequest, limits: { connect: number; response: number; idle: number }, upstream: string): void {
  let timer: NodeJS.Timeout | undefined;
  let responded = false;
  const fail = (code: 'FIGWAY_UPSTREAM_CONNECT_TIMEOUT' | 'FIGWAY_UPSTREAM_TIMEOUT', ms: number, what: string) => () => {
    proxyReq.destroy(new FigwayError(code, `${upstream} ${what} within ${ms} ms`));
  };
  const clear = () => clearTimeout(timer);
  const startResponseTimer = () => {
    // A service may answer before the request body is done (an early error, a stream).
    if (responded) return;
    clear();
    if (limits.idle > 0) proxyReq.setTimeout(0);
    timer = setTimeout(fail('FIGWAY_UPSTREAM_TIMEOUT', limits.response, 'sent no response headers'), limits.response);
  };
  if (limits.idle > 0) {
    proxyReq.setTimeout(limits.idle, () =>
      fail('FIGWAY_UPSTREAM_TIMEOUT', limits.idle, responded ? 'went silent mid-response' : 'stopped taking the request body')(),
    );
  }
  const socket = proxyReq.socket;
  if (socket?.connecting) {
    timer = setTimeout(fail('FIGWAY_UPSTREAM_CONNECT_TIMEOUT', limits.connect, 'accepted no connection'), limits.connect);
    socket.once('connect', clear);
  }
  proxyReq.once('finish', startResponseTimer);
  proxyReq.once('response', () => {
    responded = true;
    clear();
    if (limits.idle > 0) proxyReq.setTimeout(limits.idle);
  });
  proxyReq.once('close', clear);
}
