// Gives a request the Express app's request and response prototypes before Express itself has run.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What figway needs of an Express app outside its middleware stack. */
export interface ExpressApp {
  (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void;
  /** The app's request prototype: `req.ip`, `req.app` (and so `trust proxy`), `req.get`... */
  readonly request?: object;
  /** The app's response prototype: `res.status`, `res.json`... */
  readonly response?: object;
}

/**
 * Does what Express does first for every request (its `app.handle`), so figway reads the client
 * address and scheme through the app's `trust proxy` setting, and plugins find Express's helpers,
 * on requests that never reach the app's stack. Express doing it again later changes nothing.
 */
export function adoptExpressPrototypes(app: ExpressApp, req: IncomingMessage, res: ServerResponse): void {
  if (app.request === undefined || app.response === undefined) return;
  (req as { res?: ServerResponse }).res = res;
  (res as { req?: IncomingMessage }).req = req;
  Object.setPrototypeOf(req, app.request);
  Object.setPrototypeOf(res, app.response);
}
