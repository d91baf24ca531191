// Which Express app a request belongs to when it reaches figway outside the app's stack.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { peekRecord, recordOf, type Arrival, type Entry, type ExpressApp } from '../request-record.js';

/** Whether the app routes paths case-sensitively (Express's `case sensitive routing`; off by default). */
export function caseSensitiveRouting(app: ExpressApp): boolean {
  return app.get?.('case sensitive routing') === true;
}

/**
 * Records that `req` arrived outside its app's stack: through server mode's listener, or through
 * the upgrade dispatcher. figway then follows that app's `trust proxy` for it.
 * The request is not given Express's request and response prototypes: swapping an object's
 * prototype costs Node's HTTP code more than the whole proxying of a request (1.6× the CPU per
 * request of a bare proxy in the benchmark), and Express does it itself for the requests figway
 * hands to the app.
 */
export function arrivedFor(req: IncomingMessage, arrival: Arrival): void {
  recordOf(req).arrival = arrival;
}

/** Whether `gateway` already took `req` in outside the app's stack (server mode, or an upgrade). */
export function arrivedThrough(req: IncomingMessage, gateway: object): boolean {
  return peekRecord(req)?.arrival?.gateway === gateway;
}

/** The Express app whose settings apply to `req`: Express's `req.app` inside its stack, else the one recorded. */
export function appOf(req: IncomingMessage): ExpressApp | undefined {
  return (req as { app?: ExpressApp }).app ?? peekRecord(req)?.arrival?.app;
}

/** The listener `req` arrived through in server mode: where a copy of it must start to be served as it was. */
export function entryOf(req: IncomingMessage): Entry | undefined {
  return peekRecord(req)?.arrival?.entry;
}
