// The route features compiled from their own route key alone. Adding one is its folder and a line here (and one in feature-runtimes.ts if it acts on requests itself).
import { Type, type Static, type TObject, type TOptional } from '@sinclair/typebox';
import { fallbackFeature } from './proxy/compile-fallback.js';
import { shadowFeature } from './shadow/compile-shadow.js';

/**
 * Each feature by its route key. config/schema.ts composes each key's schema into a route's, the
 * snapshot compiler compiles each into `CompiledRoute.features`, which the hot path reads, and the
 * admin route view shows each feature's view fields. Features that need more than their own key
 * (rollout: cohorts and runtime state; progressive: the stored schedule; timeouts: the upstream's
 * and the defaults) keep their compile steps in their folders; the snapshot compiler calls each
 * with what it needs.
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

/** Every feature's fields in the admin route view, as TypeBox properties. */
export function featureViewFields(): ViewFields {
  return Object.assign({}, ...KEYS.map((key) => ROUTE_FEATURES[key].view.fields)) as ViewFields;
}

/** Every feature's view of one route (`config`: the route's config as it runs). */
export function featureViews(route: { readonly id: string; readonly config: FeatureConfigs; readonly features: CompiledFeatures }, live: FeaturesLive): Static<TObject<ViewFields>> {
  return Object.assign(
    {},
    ...KEYS.map((key) => (ROUTE_FEATURES[key].view.show as (input: unknown, live: FeaturesLive) => object)({ id: route.id, config: route.config[key], compiled: route.features[key] }, live)),
  ) as Static<TObject<ViewFields>>;
}

type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
type ViewFields = Intersection<Features[FeatureKey]['view']['fields']>;
/** What the features' views read of the running gateway, all together. */
export type FeaturesLive = Intersection<Parameters<Features[FeatureKey]['view']['show']>[1]>;
type FeatureConfigs = { readonly [K in FeatureKey]?: Static<Features[K]['schema']> };

/** A route's features, each compiled from its key; one shared object for every route that has none of the keys. */
export function compileFeatures(route: FeatureConfigs): CompiledFeatures {
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
