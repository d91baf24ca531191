// The compiled, immutable configuration a request runs on; a reload swaps the whole snapshot.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoadedConfig } from '../config/load-config.js';
import type { FigwayConfig } from '../config/schema.js';
import type { IgnoredOverride } from '../state/apply-state.js';
import type { ProgressiveEntry, RuntimeState } from '../state/runtime-state.js';
import type { ProgressiveSettings } from '../progressive/schedule.js';
import type { ErrorFormat } from '../error-response.js';
import type { BreakerSettings } from '../proxy/circuit-breaker.js';
import type { IgnorePattern } from '../shadow/ignore-paths.js';
import type { Upstream } from '../proxy/upstream-pool.js';
import type { Rewrite } from '../proxy/upstream-path.js';
import type { Cohort } from '../rollout/cohorts.js';
import type { Rollout } from '../rollout/decide-side.js';
import type { Override } from '../rollout/override.js';
import type { MatchConditions } from '../routing/match-conditions.js';
import type { PathPattern } from '../routing/path-pattern.js';
import type { RouteTable } from '../routing/route-table.js';
import type { RouteHooks } from '../plugins/route-hooks.js';
import type { EngineName, FigwayContext, RouteInfo } from '../types.js';

/** A route, compiled. */
export interface CompiledRoute {
  readonly id: string;
  readonly info: RouteInfo;
  readonly pattern: PathPattern;
  readonly conditions: MatchConditions | undefined;
  readonly upstream: Upstream;
  readonly rewrite: Rewrite;
  readonly rollout: Rollout;
  readonly timeouts: { readonly connect: number; readonly response: number; readonly idle: number };
  /** The forwarding engine the config names for this route's upstream (`upstreams.<name>.engine`, else `proxy.engine`); undefined: the mode's default. */
  readonly engine: EngineName | undefined;
  readonly hooks: RouteHooks;
  /** False when no request can reach the service (0%, no cohort sends to it, no override). */
  readonly mayProxy: boolean;
  /** Fallback to legacy, when configured: on which failures, and the route's circuit breaker. */
  readonly fallback: CompiledFallback | undefined;
  /** A progressive rollout (rollout.steps): its settings and where its schedule is. */
  readonly progressive: CompiledProgressive | undefined;
  /** Shadow traffic, when configured: which requests are copied to the other side, and what is compared. */
  readonly shadow: CompiledShadow | undefined;
}

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

/** A route's progressive rollout, compiled with its schedule from the runtime state. */
export interface CompiledProgressive {
  readonly settings: ProgressiveSettings;
  /** The schedule (reconciled with the config's steps), as it serves now. */
  readonly entry: ProgressiveEntry;
  /** False until the state store holds this schedule (new route, or changed steps). */
  readonly stored: boolean;
}

/** A route's `fallback`, compiled. */
export interface CompiledFallback {
  /** The connection failures legacy serves: refused, timeout, tls. */
  readonly on: ReadonlySet<'refused' | 'timeout' | 'tls'>;
  readonly statuses: ReadonlySet<number>;
  readonly breaker: BreakerSettings | undefined;
}

/** One immutable, compiled configuration. */
export interface Snapshot {
  /** Goes up by one with every snapshot (a reload or a runtime change). */
  readonly version: number;
  readonly loadedAt: Date;
  /** The validated file config this snapshot was built from (kept to rebuild on a runtime change). */
  readonly loaded: LoadedConfig;
  /** The runtime state applied over the file. */
  readonly state: RuntimeState;
  /** Runtime overrides that no longer fit the file and were skipped. */
  readonly ignoredOverrides: readonly IgnoredOverride[];
  readonly config: Readonly<FigwayConfig>;
  readonly routes: readonly CompiledRoute[];
  readonly table: RouteTable<CompiledRoute>;
  /** The config's cohorts, compiled: a runtime change may point a route at any of them. */
  readonly cohorts: ReadonlyMap<string, Cohort>;
  /** The config's `override` (a header or cookie that chooses the side), compiled; undefined when off. */
  readonly override: Override | undefined;
  readonly errorFormat: ErrorFormat;
  readonly userIdField: string;
  /** Identity headers (X-User-*) are removed from clients' requests and set by figway only. */
  readonly identityHeaderPrefix: string;
  readonly replayBodyLimit: number;
  /** Whether any route may proxy, i.e. whether request bodies may need keeping. */
  readonly mayProxy: boolean;
  /** Paths plugins answer themselves (e.g. the identity JWKS), checked before matching. */
  readonly endpoints: ReadonlyMap<string, (req: IncomingMessage, res: ServerResponse) => void> | undefined;
}
