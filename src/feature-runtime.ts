// A route feature's part in the request's path: made once per gateway, run by the pipeline, reported on by the admin API.
import type { IncomingMessage } from 'node:http';
import type { TSchema } from '@sinclair/typebox';
import type { Registry } from 'prom-client';
import type { RequestContext } from './context.js';
import type { Forwarder } from './proxy/forwarder.js';

/** The gateway's shared parts a feature's runtime is made from. */
export interface FeatureRuntimeDeps {
  /** The app's metrics registry: the runtime makes its metrics on it. */
  readonly registry: Registry;
  readonly random: () => number;
  readonly now: () => number;
  /** The engine a request of the route goes through, for a feature that sends its own request to the service. */
  readonly forwarderFor: (ctx: RequestContext) => Forwarder;
}

/** One gateway's running feature. */
export interface FeatureRuntime<C> {
  /**
   * Runs at dispatch, once the side is decided and the decision's hooks ran, on every request of a
   * route the feature is on (its compiled key is not undefined). It must not answer the response.
   */
  readonly atDispatch?: (ctx: RequestContext, compiled: NonNullable<C>) => void;
  /** A request the feature made itself for the app's own handlers: figway lets it through to them untouched. */
  readonly ownRequest?: (req: IncomingMessage) => boolean;
  /** What the feature found on one route on this replica: the answer of `GET /routes/:id/<key>`. */
  readonly report?: (route: { readonly id: string; readonly config: unknown }) => object;
}

/**
 * A route feature's runtime, listed in src/feature-runtimes.ts under the feature's key: how the
 * gateway makes it, the metrics it exports and, when it reports, its admin endpoint's documentation.
 *
 * @example
 * ```ts
 * export const shadowRuntime: FeatureRuntimePart<CompiledShadow | undefined> = {
 *   metrics: [SHADOW_COMPARISONS],
 *   report: { summary: 'What shadow traffic found on a route…', response: ShadowAnswerSchema },
 *   make: (deps) => { const book = new ShadowBook(shadowComparisons(deps.registry)); … },
 * };
 * ```
 */
export interface FeatureRuntimePart<C> {
  /** Every metric the runtime exports, by name (src/metric-names.ts lists them with the others). */
  readonly metrics: readonly string[];
  /** The `GET /routes/:id/<key>` endpoint's summary and answer schema, for a runtime that reports. */
  readonly report?: { readonly summary: string; readonly response: TSchema };
  readonly make: (deps: FeatureRuntimeDeps) => FeatureRuntime<C>;
}
