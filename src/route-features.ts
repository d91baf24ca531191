// The route features compiled from their own route key alone. Adding one is its folder and a line here.
import { Type, type Static, type TOptional } from '@sinclair/typebox';
import { fallbackFeature } from './proxy/compile-fallback.js';
import { shadowFeature } from './shadow/compile-shadow.js';

/**
 * Each feature by its route key. config/schema.ts composes each key's schema into a route's, and the
 * snapshot compiler compiles each into `CompiledRoute.features`, which the hot path reads. Features
 * that need more than their own key (rollout: cohorts and runtime state; progressive: the stored
 * schedule; timeouts: the upstream's and the defaults) are compiled by the snapshot compiler itself.
 */
export const ROUTE_FEATURES = { shadow: shadowFeature, fallback: fallbackFeature };

type Features = typeof ROUTE_FEATURES;
type FeatureKey = keyof Features;
const KEYS = Object.keys(ROUTE_FEATURES) as FeatureKey[];

/** A route's features, compiled. */
export type CompiledFeatures = { readonly [K in FeatureKey]: ReturnType<Features[K]['compile']> };

/** The features' route keys, as a route's schema fields (each optional). */
export function featureFields(): { [K in FeatureKey]: TOptional<Features[K]['schema']> } {
  return Object.fromEntries(KEYS.map((key) => [key, Type.Optional(ROUTE_FEATURES[key].schema)])) as { [K in FeatureKey]: TOptional<Features[K]['schema']> };
}

/** A route's features, each compiled from its key. */
export function compileFeatures(route: { readonly [K in FeatureKey]?: Static<Features[K]['schema']> }): CompiledFeatures {
  const compiled: Record<string, unknown> = {};
  // One key order for every route, so every route's features share one hidden class.
  for (const key of KEYS) compiled[key] = ROUTE_FEATURES[key].compile(route[key] as never);
  return compiled as CompiledFeatures;
}
