// The compiled, immutable configuration a request runs on; a reload swaps the whole snapshot.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoadedConfig } from '../config/load-config.js';
import type { FigwayConfig } from '../config/schema.js';
import type { IgnoredOverride } from '../state/apply-state.js';
import type { RuntimeState } from '../state/runtime-state.js';
import type { CompiledProgressive } from '../progressive/compile-progressive.js';
import type { ErrorFormat } from '../error-response.js';
import type { CompiledFeatures } from '../route-features.js';
import type { CompiledTimeouts } from '../proxy/compile-timeouts.js';
import type { Upstream } from '../proxy/upstream-pool.js';
import type { Rewrite } from '../routing/upstream-path.js';
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
  readonly timeouts: CompiledTimeouts;
  /** The forwarding engine the config names for this route's upstream (`upstreams.<name>.engine`, else `proxy.engine`); undefined: the mode's default. */
  readonly engine: EngineName | undefined;
  readonly hooks: RouteHooks;
  /** False when no request can reach the service (0%, no cohort sends to it, no override). */
  readonly mayProxy: boolean;
  /** A progressive rollout (rollout.steps): its settings and where its schedule is. */
  readonly progressive: CompiledProgressive | undefined;
  /** The features compiled from their own route key, by key: see ROUTE_FEATURES in src/route-features.ts. */
  readonly features: CompiledFeatures;
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
  /** The request headers figway's signed tokens travel in (identity, session; lower case), when `auth.token` is configured: removed from clients' requests too. */
  readonly signedTokenHeaders: readonly string[];
  readonly replayBodyLimit: number;
  /** Whether any route may proxy, i.e. whether request bodies may need keeping. */
  readonly mayProxy: boolean;
  /** Paths plugins answer themselves (e.g. the identity JWKS), checked before matching. */
  readonly endpoints: ReadonlyMap<string, (req: IncomingMessage, res: ServerResponse) => void> | undefined;
}
