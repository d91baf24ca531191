// Everything figway knows about one request, in one record on it, from the first entry point that saw it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Matched, Refused } from './routing/match-request.js';
import type { CompiledRoute, Snapshot } from './snapshot/snapshot.js';
import type { FigwayContext } from './types.js';

// A symbol of this copy of figway's own: another copy on the same app (a second version) keeps its
// own record, so neither takes the other's kept body or early match for its own.
const RECORD = Symbol('figway.request');

/** What figway needs of an Express app outside its middleware stack. */
export interface ExpressApp {
  (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void;
  /** An app setting; figway reads `trust proxy fn` (the compiled `trust proxy`) and `case sensitive routing`. */
  get?(setting: string): unknown;
}

/** A server's request listener. */
export type Entry = (req: IncomingMessage, res: ServerResponse) => void;

/** How requests reach figway outside an app's stack: made once per listener or dispatcher, not per request. */
export interface Arrival {
  /** The gateway that took the request in: its own middleware, if still in the app, lets the request pass. */
  readonly gateway: object;
  /** The app, once known (an upgrade may come before the gateway is mounted on one). */
  readonly app: ExpressApp | undefined;
  /** Server mode's listener; none for the upgrade dispatcher. */
  readonly entry?: Entry;
}

/** What the body keeper (proxy/keep-body.ts) keeps of a request's body while it arrives. */
export interface KeptBody {
  readonly collector: { add(chunk: Buffer): void; body(): Buffer | undefined };
  complete: boolean;
}

type Recorded = IncomingMessage & { [RECORD]?: RequestRecord };

/**
 * The one record of a request. Whichever entry point meets the request first makes it: server
 * mode's listener or the upgrade dispatcher (how it arrived), the body keeper (the early match and
 * the kept body), or the pipeline once a route matched (the context). Every field exists from the
 * start, so each record has one shape; it is one property on the request, not an entry in a weak
 * collection, which costs every request several times as much to add and again in the collector.
 */
export class RequestRecord {
  /** How the request reached figway outside its app's stack (server mode, an upgrade); undefined inside it. */
  arrival: Arrival | undefined = undefined;
  /** The match the body keeper made before the app's middleware ran, on the snapshot it used. */
  early: { readonly snapshot: Snapshot; readonly matched: Matched<CompiledRoute> | Refused } | undefined = undefined;
  /** The body's bytes as the client sent them: undefined until kept, null once keeping stopped. */
  kept: KeptBody | null | undefined = undefined;
  /** The bytes the client sent after its upgrade request (the start of the WebSocket). */
  head: Buffer | undefined = undefined;
  /** The context (the pipeline's RequestContext), once a route matched. */
  context: FigwayContext | undefined = undefined;
}

/** The record of `req`, made now if no entry point made one yet. */
export function recordOf(req: IncomingMessage): RequestRecord {
  return ((req as Recorded)[RECORD] ??= new RequestRecord());
}

/** The record of `req`, if an entry point made one. */
export function peekRecord(req: IncomingMessage): RequestRecord | undefined {
  return (req as Recorded)[RECORD];
}
