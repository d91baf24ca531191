// Authorization rules of a route: roles (any of), scopes (all of), claims (one of the values each).
import { FigwayError } from '../errors.js';
import type { Identity } from '../types.js';

/** A route's authentication mode and rules, compiled. */
export interface RouteAuth {
  readonly mode: 'required' | 'optional' | 'none';
  readonly roles: readonly string[] | undefined;
  readonly scopes: readonly string[] | undefined;
  readonly claims: readonly { path: readonly string[]; name: string; values: readonly string[] }[] | undefined;
}

/**
 * The 403 for an identity that does not meet the route's rules; undefined when it does. Rules on a
 * route without an identity (optional mode, anonymous caller) apply too: nobody anonymous has a role.
 */
export function authorize(identity: Identity | undefined, rules: RouteAuth): FigwayError | undefined {
  if (!rules.roles && !rules.scopes && !rules.claims) return undefined;
  const who = identity ? `${identity.source} identity ${identity.id}` : 'an anonymous caller';
  if (rules.roles && !rules.roles.some((role) => identity?.roles.includes(role))) {
    return new FigwayError('FIGWAY_AUTH_FORBIDDEN', `${who} has none of the roles ${rules.roles.join(', ')}`);
  }
  const missing = rules.scopes?.filter((scope) => !identity?.scopes.includes(scope)) ?? [];
  if (missing.length > 0) return new FigwayError('FIGWAY_AUTH_FORBIDDEN', `${who} lacks the scopes ${missing.join(', ')}`);
  for (const claim of rules.claims ?? []) {
    const value = readPath(identity?.claims, claim.path);
    const values = Array.isArray(value) ? value.map(String) : value === undefined || value === null ? [] : [String(value)];
    if (!values.some((v) => claim.values.includes(v))) return new FigwayError('FIGWAY_AUTH_FORBIDDEN', `${who} does not have ${claim.name} = ${claim.values.join(' or ')}`);
  }
  return undefined;
}

function readPath(claims: Readonly<Record<string, unknown>> | undefined, path: readonly string[]): unknown {
  let value: unknown = claims;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
