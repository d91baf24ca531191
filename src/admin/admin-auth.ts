// Who may use the admin API and for what: a named bearer token with a role, never taken from a URL.
import type { IncomingMessage } from 'node:http';
import { FigwayError } from '../errors.js';
import { permits, type AdminRole, type AdminTokens, type TokenHolder } from './admin-tokens.js';

/** How the admin listener checks callers. */
export interface AdminAuth {
  readonly tokens: AdminTokens;
  /** false: loopback callers without a token act as `anonymous` with every role (admin.requireToken: false, or no token at all). */
  readonly required: boolean;
}

/** Who is calling: a token's holder, or `anonymous@<address>` where no token is asked for. */
export interface AdminCaller extends TokenHolder {
  /** false for `anonymous`: no token was presented. */
  readonly authenticated: boolean;
}

/**
 * Checks the caller's `Authorization: Bearer <token>` against the named tokens, then the role the
 * endpoint needs. A token presented where none is required is still checked: a caller always acts
 * as the token it sent.
 *
 * @returns the caller, or the error to answer with (401 who are you, 403 not allowed to).
 * @example
 * ```ts
 * const caller = await authorize(req, auth, 'operate');
 * if (caller instanceof FigwayError) throw caller;
 * ```
 */
export async function authorize(req: IncomingMessage, auth: AdminAuth, needed: AdminRole, what: string): Promise<AdminCaller | FigwayError> {
  const url = req.url ?? '';
  if (/[?&](access_token|token|api_key|apikey)=/i.test(url)) {
    return new FigwayError('FIGWAY_ADMIN_UNAUTHORIZED', 'tokens are not accepted in the URL (they end up in logs and histories); send Authorization: Bearer <token>');
  }
  const header = req.headers.authorization;
  if (header === undefined && !auth.required) return { name: `anonymous@${req.socket.remoteAddress ?? 'unknown'}`, role: 'admin', authenticated: false };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return new FigwayError('FIGWAY_ADMIN_UNAUTHORIZED', 'the admin API needs Authorization: Bearer <token> (FIGWAY_ADMIN_TOKEN)');
  const holder = await auth.tokens.find(match[1] as string);
  if (!holder) return new FigwayError('FIGWAY_ADMIN_UNAUTHORIZED', 'wrong admin token');
  if (!permits(holder.role, needed)) {
    return new FigwayError('FIGWAY_ADMIN_FORBIDDEN', `the token "${holder.name}" has the role ${holder.role}; ${what} needs ${needed} (roles: read < operate < admin)`);
  }
  return { ...holder, authenticated: true };
}
