// A route's plugin hooks, bound to their options: what the compile makes of the plugins and the pipeline runs.
import type { FigwayContext, ForwardStep, ProxyRequest, ProxyResponse } from '../types.js';

/** A hook of a plugin, bound to that plugin's options for one route. */
export interface BoundHook<F> {
  readonly plugin: string;
  readonly fn: F;
  readonly options: unknown;
}

type Hook = (ctx: FigwayContext, options: unknown) => void | Promise<void>;

/** A route's plugin hooks per stage, in run order. */
export interface RouteHooks {
  readonly onRequest: readonly BoundHook<Hook>[];
  readonly onIdentify: readonly BoundHook<Hook>[];
  readonly onLimit: readonly BoundHook<Hook>[];
  readonly onDecision: readonly BoundHook<Hook>[];
  readonly onForward: readonly BoundHook<(ctx: FigwayContext, forward: ForwardStep, legacy: () => void, options: unknown) => void | Promise<void>>[];
  readonly onProxyRequest: readonly BoundHook<(proxyReq: ProxyRequest, ctx: FigwayContext, options: unknown) => void>[];
  readonly onProxyResponse: readonly BoundHook<(proxyRes: ProxyResponse, ctx: FigwayContext, options: unknown) => void>[];
  readonly onResponse: readonly BoundHook<(ctx: FigwayContext, options: unknown) => void>[];
}

/** The hook stages that take (ctx, options) and may be asynchronous. */
export type StageName = 'onRequest' | 'onIdentify' | 'onLimit' | 'onDecision';
