// Server mode: figway as the server's request listener, in front of the Express app's whole stack.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pipeline } from '../pipeline.js';
import type { FigwayConfig } from '../config/schema.js';
import type { Diagnostics } from '../diagnostics.js';
import type { ExpressApp } from '../request-record.js';
import { listedPaths } from '../session/session-schema.js';
import { arrivedFor, arrivedThrough } from './express-request.js';

/**
 * The request listener of `gateway.wrap(app)`. Every request runs figway's pipeline first: one
 * decided for a service is proxied without Express ever running, everything else (unmatched,
 * legacy, fallback) goes to `app(req, res)` with the decision recorded on it, as in middleware mode.
 * The arrival marks the request as `gateway`'s, so that an `app.use(gateway)` still in the app lets it pass.
 */
export function createServerListener(pipeline: Pipeline, app: ExpressApp, gateway: object): (req: IncomingMessage, res: ServerResponse) => void {
  const arrival = { gateway, app, entry: figwayServer };
  return figwayServer;

  function figwayServer(req: IncomingMessage, res: ServerResponse): void {
    const toApp = () => app(req, res);
    // Already through figway: an upgrade figway left to plain HTTP comes back this way.
    if (arrivedThrough(req, gateway)) return toApp();
    arrivedFor(req, arrival);
    // Express keeps an originalUrl it finds, so the app sees the URL as received even when figway
    // gives the legacy handler the normalised path in req.url, exactly as in middleware mode.
    (req as { originalUrl?: string }).originalUrl ??= req.url;
    pipeline(req, res, toApp);
  }
}

/**
 * Says once, at wrap(), what server mode cannot give a config written for middleware mode: the
 * app's session middleware has not run when figway identifies a request, so `session` finds no
 * req.user there, and routes that share (or write) session keys have no req.session to share.
 */
export function warnAboutServerMode(config: FigwayConfig, diagnostics: Diagnostics): void {
  if (config.auth?.sources?.includes('session')) {
    diagnostics.warnOnce(
      'FIGWAY_SERVER_NO_SESSION',
      "figway: server mode runs before the app's middleware, so the auth source 'session' never sees req.user; identify callers with jwt, apiKey or passport strategies that need no app middleware, or keep figway in middleware mode",
    );
  }
  const sharing = config.routes.filter((route) => listedPaths(config.session, route.session, 'share').length > 0 || listedPaths(config.session, route.session, 'write').length > 0).map((route) => route.id);
  if (sharing.length > 0) {
    diagnostics.warnOnce(
      'FIGWAY_SERVER_NO_SESSION_SHARE',
      `figway: server mode runs before the app's middleware, so there is no req.session to share: ${sharing.join(', ')} send their services no session and take no changes back; keep figway in middleware mode to share it`,
      { routes: sharing },
    );
  }
}
