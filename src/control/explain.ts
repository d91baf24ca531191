// Explain: what figway would do with a request, without sending one.
import type { IncomingMessage } from 'node:http';
import type { Static } from '@sinclair/typebox';
import { decideSide } from '../rollout/decide-side.js';
import type { RequestView } from '../rollout/request-view.js';
import { toUpstreamPath } from '../routing/upstream-path.js';
import { matchRequest } from '../routing/match-request.js';
import { spellAsRoute } from '../routing/path-pattern.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import type { ExplanationSchema } from './explanation-schema.js';

/** The request to simulate. */
export interface ExplainInput {
  readonly method: string;
  /** Path, with a query string if any. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly cookies?: Readonly<Record<string, string>>;
  /** The client address (as Express would resolve it). */
  readonly ip?: string;
  /** Fields of req.user (the authenticated user), e.g. { id: '42', role: 'staff' }. */
  readonly user?: Readonly<Record<string, unknown>>;
}

/** What figway would do. */
export type Explanation = Static<typeof ExplanationSchema>;

/**
 * Matches and decides a simulated request on `snapshot`, exactly as a real one would be.
 *
 * @example
 * ```ts
 * explain(snapshot, { method: 'GET', path: '/api/orders/7', headers: { 'x-user-id': 'alice' } });
 * // { matched: true, route: 'orders', decision: { side: 'legacy', reason: 'bucket', bucket: 1609, ... }, ... }
 * ```
 */
export function explain(snapshot: Snapshot, input: ExplainInput): Explanation {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) headers[name.toLowerCase()] = value;
  const req = { method: input.method.toUpperCase(), url: input.path, headers } as unknown as IncomingMessage;
  const matched = matchRequest(snapshot.table, req);
  if (matched === undefined) return { matched: false };
  if ('refused' in matched) return { matched: false, refused: matched.refused };
  const { route } = matched;
  const user = input.user;
  const userId = user?.[snapshot.userIdField];
  const view: RequestView = {
    user,
    userId: userId === undefined || userId === null ? undefined : String(userId),
    ip: input.ip,
    header: (name) => headers[name],
    cookie: (name) => input.cookies?.[name],
  };
  let random = false;
  const decision = decideSide(route.rollout, view, () => {
    random = true;
    return Math.random();
  });
  return {
    matched: true,
    route: route.id,
    path: matched.path,
    upstream: route.info.upstream,
    upstreamPath: toUpstreamPath(route.rewrite, spellAsRoute(route.pattern, matched.path)) + matched.search,
    decision,
    sticky: route.rollout.sticky.map((source) => source.label),
    ...(random ? { random: true as const } : {}),
  };
}

