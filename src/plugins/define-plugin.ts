// definePlugin(): a plugin with its options and config sections typed, from its TypeBox schemas.
import type { Static, TSchema } from '@sinclair/typebox';
import type { FigwayPlugin } from '../types.js';

/** The value of schema `S`: a TypeBox schema's static type, else (a plain JSON Schema, or none) any object. */
type ValueOf<S> = S extends TSchema ? (TSchema extends S ? Record<string, unknown> : Static<S>) : Record<string, unknown>;
/** The values of a map of schemas, key by key. */
type ValuesOf<K> = { [P in keyof K]: ValueOf<K[P]> };

type Declared<S, C, R> = { readonly schema?: S; readonly configKeys?: C; readonly routeKeys?: R };

/**
 * Declares a plugin. It returns the plugin as given; what it adds is types: with TypeBox schemas,
 * every hook's `options` is the options schema's static type, and setup's `sections` and each
 * route's `sections` are those of `configKeys` and `routeKeys`, so config and code cannot drift.
 *
 * @example
 * ```ts
 * import { Type } from '@sinclair/typebox';
 * import { definePlugin } from 'figway';
 *
 * export const stamp = definePlugin({
 *   name: 'stamp',
 *   schema: Type.Object({ header: Type.String({ description: 'Header that carries the route id.' }) }, { additionalProperties: false }),
 *   setup: () => ({
 *     onProxyRequest: (proxyReq, ctx, options) => proxyReq.setHeader(options.header, ctx.route.id), // options: { header: string }
 *   }),
 * });
 * app.use(figway({ config: 'figway.yaml', plugins: [stamp] }));
 * ```
 */
export function definePlugin<S extends object = TSchema, C extends Readonly<Record<string, object>> = {}, R extends Readonly<Record<string, object>> = {}>(
  plugin: Declared<S, C, R> & Omit<FigwayPlugin<ValueOf<S>, ValuesOf<C>, ValuesOf<R>>, 'schema' | 'configKeys' | 'routeKeys'>,
): FigwayPlugin<ValueOf<S>, ValuesOf<C>, ValuesOf<R>> {
  return plugin;
}
