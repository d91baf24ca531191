// The URL the monolith's own handler gets, when figway hands it a request: after a legacy decision, and after a fallback.
import type { IncomingMessage } from 'node:http';

/** What legacyUrl reads of a request figway matched. */
export interface LegacyUrlInput {
  readonly req: IncomingMessage;
  /** The normalised path figway matched: under the mount path, or matching refused it. */
  readonly path: string;
  readonly search: string;
}

/**
 * The path figway matched, relative to the router figway is mounted on (as Express gives `req.url`),
 * so both sides act on the same path.
 *
 * @example
 * ```ts
 * // Mounted at /api, a request for /api//orders/./7?x=1 matched /api/orders/7:
 * legacyUrl({ req, path: '/api/orders/7', search: '?x=1' }); // '/orders/7?x=1'
 * ```
 */
export function legacyUrl({ req, path, search }: LegacyUrlInput): string {
  const base = (req as { baseUrl?: string }).baseUrl ?? '';
  return `${path.slice(base.length) || '/'}${search}`;
}
