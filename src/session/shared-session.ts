// The session keys one request shares with its service, checked for size: what figway signs into a token.
import type { IncomingMessage } from 'node:http';
import { parseSize } from '../config-kit/units.js';
import { FigwayError } from '../errors.js';
import { compileShare, type SessionPicker } from './pick-session.js';
import { fillSession, listedPaths, type RouteSessionConfig, type SessionConfig } from './session-schema.js';

/** The session keys a request shares, as JSON: its size is checked, it tells two sessions apart, and it is what is signed. */
export interface SharedSession {
  readonly json: string;
}

/** A route's sharing: the session it shares on a request, or undefined when the request has no session (`missing` is told). */
export type ShareSession = (req: IncomingMessage, routeId: string) => SharedSession | undefined;

/** The request header the session token travels in, when no identity token carries the session. */
export const sessionHeader = (section: SessionConfig | undefined): string => fillSession(section).header.toLowerCase();

/**
 * Compiles each route's sharing: its own `session.share`, else the section's. A route sharing
 * nothing has none (undefined). Over `session.maxBytes` a request fails with
 * FIGWAY_SESSION_TOO_LARGE (500, in the log and the route's error shape): a service never gets a
 * session cut short.
 */
export function compileSessionSharing(section: SessionConfig | undefined, route: RouteSessionConfig | undefined, missing: (routeId: string) => void): ShareSession | undefined {
  const paths = listedPaths(section, route, 'share');
  if (paths.length === 0) return undefined;
  const pick: SessionPicker = compileShare(paths);
  const maxBytes = parseSize(fillSession(section).maxBytes);
  return (req, routeId) => {
    const session = (req as { session?: unknown }).session;
    if (session === null || typeof session !== 'object') {
      missing(routeId);
      return undefined;
    }
    let json: string;
    try {
      json = JSON.stringify(pick(session));
    } catch {
      // The reason would name the session's keys, and it goes to the client: it stays in the process.
      throw new FigwayError('FIGWAY_SESSION_NOT_JSON', `route ${routeId} shares session keys whose values JSON cannot carry (a BigInt, a cycle)`);
    }
    const bytes = Buffer.byteLength(json);
    if (bytes > maxBytes) throw new FigwayError('FIGWAY_SESSION_TOO_LARGE', `route ${routeId} shares ${bytes} bytes of the session, more than session.maxBytes (${maxBytes})`);
    // Only the JSON goes on: what is signed is exactly what was measured (and cached by), not the session's live objects.
    return { json };
  };
}
