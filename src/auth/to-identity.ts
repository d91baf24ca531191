// Turns a user object or token claims into an Identity, with the configured field names.
import type { Identity } from '../types.js';

/** Which fields hold the id, the roles and the scopes. */
export interface IdentityFields {
  readonly idField: string;
  readonly rolesField: string;
  readonly scopesField: string;
}

/**
 * The identity of `claims` (a req.user or a token payload); undefined when it has no usable id.
 * Roles and scopes may be arrays or space-separated strings (OAuth's `scope`).
 *
 * @example
 * ```ts
 * toIdentity({ sub: '42', scope: 'orders:read orders:write' }, 'jwt', { idField: 'sub', rolesField: 'roles', scopesField: 'scope' });
 * // { id: '42', source: 'jwt', roles: [], scopes: ['orders:read', 'orders:write'], claims: {...} }
 * ```
 */
export function toIdentity(claims: Readonly<Record<string, unknown>>, source: string, fields: IdentityFields): Identity | undefined {
  const raw = claims[fields.idField] ?? claims.sub ?? claims.id;
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const id = String(raw);
  if (id === '') return undefined;
  return { id, source, roles: listOf(claims[fields.rolesField]), scopes: listOf(claims[fields.scopesField] ?? claims.scp), claims };
}

function listOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number').map(String);
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return [];
}
