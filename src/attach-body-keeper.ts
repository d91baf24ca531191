// Puts figway in front of the app's body parsers, so bodies it forwards stay byte-identical.
import type { IncomingMessage } from 'node:http';
import { FigwayError } from './errors.js';
import { matchRequest, type Matched, type Refused } from './routing/match-request.js';
import { peekRecord, recordOf } from './request-record.js';
import type { CompiledRoute, Snapshot } from './snapshot/snapshot.js';
import { hasBody, keepBody } from './proxy/keep-body.js';

type App = { handle: Function };

/** The match the body keeper already made for this request on this snapshot, so nobody matches twice. */
export function recallMatch(req: IncomingMessage, snapshot: Snapshot): Matched<CompiledRoute> | Refused | undefined {
  // The keeper only matches requests with a body; for the rest (most), a header check is cheaper
  // than looking for a symbol along Express's request prototype chain.
  if (!hasBody(req)) return undefined;
  const early = peekRecord(req)?.early;
  return early?.snapshot === snapshot ? early.matched : undefined;
}

// Several figway instances may sit on one app; the app's handle is wrapped once and asks each.
const keepers = new WeakMap<App, (() => Snapshot)[]>();

/**
 * Wraps `app.handle` so that, before any middleware of the app runs, a request with a body that
 * matches a route which may go to a service starts having its body kept (see keepBody). Requests
 * without a body cost one header check.
 */
export function attachBodyKeeper(target: object, current: () => Snapshot): void {
  if (typeof (target as Partial<App>).handle !== 'function') {
    throw new FigwayError('FIGWAY_USAGE_INVALID', 'attach(app) needs an Express app (an object with a handle function)');
  }
  const app = target as App;
  const existing = keepers.get(app);
  if (existing) {
    if (!existing.includes(current)) existing.push(current);
    return;
  }
  const snapshots = [current];
  keepers.set(app, snapshots);
  const handle = app.handle;
  app.handle = function figwayKeepBody(this: unknown, req: IncomingMessage, ...rest: unknown[]) {
    if (hasBody(req)) {
      for (const snapshotOf of snapshots) {
        const snapshot = snapshotOf();
        if (!snapshot.mayProxy) continue;
        const matched = matchRequest(snapshot.table, req);
        if (matched === undefined) continue;
        recordOf(req).early = { snapshot, matched };
        if ('route' in matched && matched.route.mayProxy) keepBody(req, snapshot.replayBodyLimit);
        break;
      }
    }
    return handle.call(this, req, ...rest);
  };
}
