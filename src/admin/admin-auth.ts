// Who may use the admin API: a bearer token, compared in constant time, and never taken from a URL.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { FigwayError } from '../errors.js';

/** How the admin listener checks callers. */
export interface AdminAuth {
  /** undefined: no token (allowed on loopback only, checked at start-up). */
  readonly token: string | undefined;
  readonly required: boolean;
}

/**
 * Checks the caller's `Authorization: Bearer <token>`. Both sides are hashed first, so the
 * comparison takes the same time whatever the length or content of the guess.
 *
 * @returns undefined when the caller may proceed, else the error to answer with.
 */
export function authorize(req: IncomingMessage, auth: AdminAuth): FigwayError | undefined {
  const url = req.url ?? '';
  if (/[?&](access_token|token|api_key|apikey)=/i.test(url)) {
    return new FigwayError('FIGWAY_ADMIN_UNAUTHORIZED', 'tokens are not accepted in the URL (they end up in logs and histories); send Authorization: Bearer <token>');
  }
  if (!auth.required) return undefined;
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return new FigwayError('FIGWAY_ADMIN_UNAUTHORIZED', 'the admin API needs Authorization: Bearer <token> (FIGWAY_ADMIN_TOKEN)');
  if (auth.token === undefined || !sameSecret(match[1] as string, auth.token)) return new FigwayError('FIGWAY_ADMIN_UNAUTHORIZED', 'wrong admin token');
  return undefined;
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
