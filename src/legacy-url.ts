// The URL the monolith's own handler gets, when figway hands it a request: after a legacy decision, and after a fallback.
import type { IncomingMessage } from 'node:http';

/** What legacyUrl reads of a request figway matched. */
export interface LegacyUrlInput {
  readonly req: IncomingMessage;
  /** The normalised path figway matched. */
  readonly path: string;
  /** The path as the client sent it. */
  readonly receivedPath: string;
  readonly search: string;
}

/**
 * The path figway matched, relative to the router figway is mounted on (as Express gives `req.url`),
 * so both sides act on the same path; the path as received when the matched one is no longer under
 * the mount path (normalising took it out), which is the URL Express gave.
 *
 * @example
 * ```ts
 * // Mounted at /api, a request for /api//orders/./7?x=1 matched /api/orders/7:
 * legacyUrl({ req, path: '/api/orders/7', receivedPath: '/api//orders/./7', search: '?x=1' }); // '/orders/7?x=1'
 * ```
 */
export function legacyUrl({ req, path, receivedPath, search }: LegacyUrlInput): string {
  const base = (req as { baseUrl?: string }).baseUrl ?? '';
  const under = path.startsWith(base) ? path : receivedPath;
  return `${under.slice(base.length) || '/'}${search}`;
}
