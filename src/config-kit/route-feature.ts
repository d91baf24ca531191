// A route feature compiled from its own route key alone: the key's schema, and the step that compiles it for the hot path.
import type { Static, TSchema } from '@sinclair/typebox';

/**
 * A route feature: the schema of its route key, composed into a route's, and its compile step, run
 * once per route when a snapshot is built. Listed in src/route-features.ts.
 *
 * @example
 * ```ts
 * export const shadowFeature: RouteFeature<typeof Shadow, CompiledShadow | undefined> = { schema: Shadow, compile: compileShadow };
 * ```
 */
export interface RouteFeature<S extends TSchema, C> {
  readonly schema: S;
  /**
   * What the hot path reads, from the route's key as written, or from undefined when the route leaves
   * the key out. That result may be shared by many routes: it must not depend on the route, and
   * nothing may change it.
   */
  readonly compile: (config: Static<S> | undefined) => C;
}
