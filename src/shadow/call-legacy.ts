// The shadow copy of a request run through the monolith in-process, its response captured.
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { RequestContext } from '../context.js';
import { appOf, entryOf } from '../server/express-request.js';
import { captureResponse } from './capture-response.js';
import type { Captured } from '../proxy/captured.js';
import { FigwayError } from '../errors.js';

/** The header that marks a copy, so the figway that made it lets the monolith's handler serve it. */
export const SHADOW_HEADER = 'x-figway-shadow';

interface MountedApp {
  (req: IncomingMessage, res: ServerResponse): void;
  parent?: MountedApp;
}

/**
 * Runs a body-less copy of the request through the whole app (its session, its own middleware,
 * then figway, which sees `marker` and passes it on, then the legacy handler) on a socket that
 * goes nowhere. The request and response are Node's own classes, so Express treats them like any
 * other (a test-injection library would rewrite Express's prototypes for the whole app). The copy
 * starts where the request did: at the top Express app, so the full path routes as it did for the
 * client, or in server mode at figway's listener, which takes the marker off before the app. A
 * handler cannot be stopped from outside: the promise settles when it answers, so callers time it
 * out themselves.
 */
export function callLegacy(ctx: RequestContext, marker: string, maxBody: number): Promise<Captured> {
  const handler = entryOf(ctx.req) ?? topApp(appOf(ctx.req) as MountedApp | undefined);
  if (handler === undefined) return Promise.reject(new FigwayError('FIGWAY_USAGE_INVALID', 'legacy copies need figway mounted in an Express app'));
  const socket = nowhere(ctx.req.socket);
  const req = new IncomingMessage(socket);
  req.method = ctx.req.method as string;
  req.url = `${ctx.path}${ctx.search}`;
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  req.httpVersion = '1.1';
  const headers = { ...ctx.req.headers, [SHADOW_HEADER]: marker };
  delete headers['content-length'];
  delete headers['transfer-encoding'];
  req.headers = headers;
  req.rawHeaders = Object.entries(headers).flatMap(([name, value]) => (Array.isArray(value) ? value.flatMap((v) => [name, v]) : [name, String(value)]));
  req.complete = true;
  req.push(null);
  const res = new ServerResponse(req);
  res.assignSocket(socket);
  return new Promise<Captured>((resolve, reject) => {
    captureResponse(res, maxBody, resolve);
    try {
      handler(req, res);
    } catch (err) {
      // The handler's own throw, as it threw it: the shadow sample shows its message.
      reject(err);
    }
  }).finally(() => socket.destroy());
}

function topApp(app: MountedApp | undefined): MountedApp | undefined {
  if (typeof app !== 'function') return undefined;
  while (typeof app.parent === 'function') app = app.parent;
  return app;
}

/** A socket whose writes are dropped (the capture keeps what matters), with the client's address. */
function nowhere(client: Socket | null): Socket {
  const socket = new Duplex({
    read() {},
    write(_chunk, _encoding, done) {
      done();
    },
  });
  return Object.assign(socket, {
    remoteAddress: client?.remoteAddress ?? '127.0.0.1',
    remotePort: client?.remotePort,
    encrypted: (client as { encrypted?: boolean } | null)?.encrypted,
    setTimeout: () => socket,
    setNoDelay: () => socket,
    setKeepAlive: () => socket,
  }) as unknown as Socket;
}
