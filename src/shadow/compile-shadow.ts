// A route's `shadow` config, compiled to what the shadower reads on each request.
import { parseDuration, parseSize } from '../config-kit/units.js';
import { percentToThreshold } from '../rollout/decide-side.js';
import { parseIgnore, type IgnorePattern } from './ignore-paths.js';
import type { ShadowConfig } from './shadow-schema.js';

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
  return {
    threshold: percentToThreshold(shadow.percent),
    methods: new Set((shadow.methods ?? ['GET', 'HEAD']).map((method) => method.toUpperCase())),
    headers: (shadow.compare?.headers ?? ['content-type']).map((name) => name.toLowerCase()),
    ignore: (shadow.compare?.ignore ?? []).map(parseIgnore),
    samples: shadow.samples ?? 20,
    maxBodyBytes: parseSize(shadow.maxBody ?? '256kb'),
    timeoutMs: parseDuration(shadow.timeout ?? '5s'),
    concurrency: shadow.concurrency ?? 8,
  };
}
