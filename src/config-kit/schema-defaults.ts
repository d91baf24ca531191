// Defaults are one fact: written once in the schema (`default`), shown to editors, and filled in for compile steps by ajv's useDefaults.
// They are figway's own annotations: the `{...} | false` fields (guard, breaker) carry theirs inside the union, where ajv fills none, so each has a filler of its own.
import { Ajv, type ValidateFunction } from 'ajv';
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import { FigwayError } from '../errors.js';

const ajv = new Ajv({ useDefaults: true, strict: true });

/** `schema` with `value` as its default: the schema's `default`, and said at the end of its description, so the two cannot differ. */
export function defaulted<S extends TSchema>(schema: S, value: Static<S>, said?: string): S {
  return { ...saidDefault(schema, value, said), default: value };
}

/**
 * `schema` with `value` said as its default in the description only, for a field whose default holds
 * only while another field is absent (a route's percent, unless it has steps): as a schema `default`,
 * a tool that fills defaults in would write a config figway refuses. The caller keeps `value` in one
 * constant, which the code reads.
 */
export function saidDefault<S extends TSchema>(schema: S, value: Static<S>, said: string = Array.isArray(value) ? value.join(', ') : String(value)): S {
  return { ...schema, description: schema.description === undefined ? `Default ${said}.` : `${schema.description} Default ${said}.` };
}

/** `T` with the keys `K` always present: what a filler returns for the fields whose schema has a default. */
export type Filled<T, K extends keyof T> = T & { readonly [P in K]-?: Exclude<T[P], undefined> };

/**
 * Fills in the defaults an object schema declares on its own fields, by ajv's useDefaults, on a
 * shallow copy: the validated config stays as written (the route view and audits show the file).
 * A nested object with defaults of its own (a breaker in a fallback) has its own filler. A section
 * left out (undefined) gets every default.
 * `keys` are the fields the caller relies on: each must have a default, checked when the filler is made.
 *
 * @example
 * ```ts
 * const fillBreaker = defaultsFiller(Breaker, ['failures', 'cooldown']);
 * fillBreaker({ failures: 3 }); // { failures: 3, cooldown: '30s' }
 * ```
 */
export function defaultsFiller<S extends TObject, K extends keyof Static<S>>(schema: S, keys: readonly K[]): (value: Static<S> | undefined) => Filled<Static<S>, K> {
  const properties: Record<string, { default: unknown }> = {};
  for (const [key, field] of Object.entries(schema.properties)) {
    if (field.default !== undefined) properties[key] = { default: field.default };
  }
  const missing = keys.filter((key) => !(String(key) in properties));
  if (missing.length > 0) throw new FigwayError('FIGWAY_INTERNAL', `no default in the schema for ${missing.join(', ')}`);
  // Only the defaults are checked again: the value has passed the whole config's schema already.
  const fill: ValidateFunction = ajv.compile({ type: 'object', properties });
  return (value) => {
    const copy = { ...value };
    fill(copy);
    return copy as Filled<Static<S>, K>;
  };
}
