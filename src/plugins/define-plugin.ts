// definePlugin(): a plugin with its options typed, from its TypeBox schema when it has one.
import type { Static, TSchema } from '@sinclair/typebox';
import type { FigwayPlugin } from '../types.js';

/** The options of a plugin with schema `S`: a TypeBox schema's static type, else (a plain JSON Schema, or none) any object. */
type OptionsOf<S extends object> = S extends TSchema ? (TSchema extends S ? Record<string, unknown> : Static<S>) : Record<string, unknown>;

/**
 * Declares a plugin. It returns the plugin as given; what it adds is types: with a TypeBox
 * `schema`, every hook's `options` is the schema's static type, so options and schema cannot
 * drift.
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
export function definePlugin<S extends object = TSchema>(plugin: { readonly schema?: S } & Omit<FigwayPlugin<OptionsOf<S>>, 'schema'>): FigwayPlugin<OptionsOf<S>> {
  return plugin;
}
