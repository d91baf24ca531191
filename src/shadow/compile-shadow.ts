// A route's `shadow` config, compiled to what the shadower reads on each request.
import { parseDuration, parseSize } from '../config-kit/units.js';
import { percentToThreshold } from '../rollout/decide-side.js';
import { parseIgnore, type IgnorePattern } from './ignore-paths.js';
import type { RouteFeature } from '../config-kit/route-feature.js';
import { defaultsFiller } from '../config-kit/schema-defaults.js';
import { Shadow, ShadowCompare, ShadowView, type ShadowConfig } from './shadow-schema.js';

const fillShadow = defaultsFiller(Shadow, ['methods', 'samples', 'maxBody', 'timeout', 'concurrency']);
const fillCompare = defaultsFiller(ShadowCompare, ['headers']);

/** A route's `shadow`, compiled. */
export interface CompiledShadow {
  /** The share copied, in buckets (0 to 10000) like a rollout's threshold. */
  readonly threshold: number;
  readonly methods: ReadonlySet<string>;
  /** Response headers compared besides the status, lower-case. */
  readonly headers: readonly string[];
  readonly ignore: readonly IgnorePattern[];
  readonly samples: number;
  readonly maxBodyBytes: number;
  readonly timeoutMs: number;
  readonly concurrency: number;
}

/** The route's `shadow` with its defaults applied; undefined without one. */
export function compileShadow(shadow: ShadowConfig | undefined): CompiledShadow | undefined {
  if (!shadow) return undefined;
  const filled = fillShadow(shadow);
  const compare = fillCompare(filled.compare);
  return {
    threshold: percentToThreshold(filled.percent),
    methods: new Set(filled.methods.map((method) => method.toUpperCase())),
    headers: compare.headers.map((name) => name.toLowerCase()),
    ignore: (compare.ignore ?? []).map(parseIgnore),
    samples: filled.samples,
    maxBodyBytes: parseSize(filled.maxBody),
    timeoutMs: parseDuration(filled.timeout),
    concurrency: filled.concurrency,
  };
}

/** Shadow traffic as a route feature: the `shadow` key's schema and its compile step. */
export const shadowFeature: RouteFeature<typeof Shadow, CompiledShadow | undefined, typeof ShadowView> = {
  schema: Shadow,
  compile: compileShadow,
  view: { fields: ShadowView, show: ({ config }) => ({ shadow: config ?? null }) },
};
