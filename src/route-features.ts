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

// TypeScript cannot tie each key's schema to its own compile step through a loop, hence the casts
// below; each feature's `RouteFeature<S, C>` annotation, where it is declared, is the real check.
type Features = typeof ROUTE_FEATURES;
type FeatureKey = keyof Features;
const KEYS = Object.keys(ROUTE_FEATURES) as FeatureKey[];

/** A route's features, compiled. */
export type CompiledFeatures = { readonly [K in FeatureKey]: ReturnType<Features[K]['compile']> };

/** The features' route keys, as a route's schema fields (each optional). */
export function featureFields(): { [K in FeatureKey]: TOptional<Features[K]['schema']> } {
  return Object.fromEntries(KEYS.map((key) => [key, Type.Optional(ROUTE_FEATURES[key].schema)])) as { [K in FeatureKey]: TOptional<Features[K]['schema']> };
}

/** A route's features, each compiled from its key; one shared object for every route that has none of the keys. */
export function compileFeatures(route: { readonly [K in FeatureKey]?: Static<Features[K]['schema']> }): CompiledFeatures {
  for (const key of KEYS) if (route[key] !== undefined) return assemble((name) => ROUTE_FEATURES[name].compile(route[name] as never));
  return NO_FEATURES;
}

function assemble(compile: (key: FeatureKey) => unknown): CompiledFeatures {
  const compiled: Record<string, unknown> = {};
  // One key order, frozen alike, so every route's features share one hidden class and the hot path's reads stay monomorphic.
  for (const key of KEYS) compiled[key] = compile(key);
  return Object.freeze(compiled) as CompiledFeatures;
}

/** Most routes have none of the features: they share this, compiled once, rather than each allocating its own. */
const NO_FEATURES = assemble((key) => ROUTE_FEATURES[key].compile(undefined));
