// A route feature compiled from its own route key alone: the key's schema, the step that compiles it for the hot path, and its part of the admin route view.
import type { Static, TObject, TProperties, TSchema } from '@sinclair/typebox';

/**
 * A route feature: the schema of its route key, composed into a route's, its compile step, run
 * once per route when a snapshot is built, and its part of the admin API's route view. Listed in
 * src/route-features.ts. A feature that acts on requests itself has a runtime too, listed apart
 * (src/feature-runtimes.ts).
 *
 * @example
 * ```ts
 * export const shadowFeature: RouteFeature<typeof Shadow, CompiledShadow | undefined, typeof ShadowView> = {
 *   schema: Shadow,
 *   compile: compileShadow,
 *   view: { fields: ShadowView, show: ({ config }) => ({ shadow: config ?? null }) },
 * };
 * ```
 */
export interface RouteFeature<S extends TSchema, C, V extends TProperties, L extends object = object> {
  readonly schema: S;
  /**
   * What the hot path reads, from the route's key as written, or from undefined when the route leaves
   * the key out. That result may be shared by many routes: it must not depend on the route, and
   * nothing may change it.
   */
  readonly compile: (config: Static<S> | undefined) => C;
  readonly view: FeatureView<S, C, V, L>;
}

/** A feature's fields in the admin API's route view. */
export interface FeatureView<S extends TSchema, C, V extends TProperties, L extends object> {
  /**
   * The fields, as TypeBox properties: they are in the route view's schema and the OpenAPI
   * document. A field named as the route key replaces the key as written.
   */
  readonly fields: V;
  /** The fields' values for one route; `live` is what only the running gateway knows (a breaker's state...). */
  readonly show: (route: FeatureRoute<S, C>, live: L) => Static<TObject<V>>;
}

/** One route, as a feature's view sees it. */
export interface FeatureRoute<S extends TSchema, C> {
  readonly id: string;
  /** The route's key as it runs (runtime changes applied), undefined when left out. */
  readonly config: Static<S> | undefined;
  readonly compiled: C;
}
