// The request pipeline: match → identify → limit → decide → dispatch → observe, as one readable list.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { contextOf, RequestContext } from './context.js';
import { sendError } from './error-response.js';
import { legacyUrl } from './legacy-url.js';
import { pluginError } from './plugins/plugin-error.js';
import { FigwayError } from './errors.js';
import type { Diagnostics } from './diagnostics.js';
import { recallMatch } from './attach-body-keeper.js';
import type { Forward } from './proxy/forward.js';
import { stopKeeping } from './proxy/keep-body.js';
import type { CircuitBreakers } from './proxy/circuit-breaker.js';
import { decideSide } from './rollout/decide-side.js';
import type { Decision } from './rollout/decision.js';
import { findFramingProblem } from './routing/framing-problem.js';
import { matchRequest } from './routing/match-request.js';
import type { BoundHook, RouteHooks, StageName } from './plugins/route-hooks.js';
import type { Snapshot } from './snapshot/snapshot.js';
import type { FigwayContext, ForwardStep } from './types.js';
import type { RunningFeatures } from './feature-runtimes.js';

type Next = (err?: unknown) => void;
/** Answers a request that failed inside figway or a plugin with the error's code. */
type Failed = (ctx: RequestContext, err: unknown) => void;

/** The pipeline as every entry point runs it (middleware, server mode, upgrades): a request, its response, and what comes after figway. */
export type Pipeline = (req: IncomingMessage, res: ServerResponse, next: Next) => void;
/** A step returns a promise only when it has to wait; the common path stays synchronous. */
type Step = (ctx: RequestContext, next: Next) => void | Promise<void>;

/** What the pipeline needs from the gateway. */
export interface PipelineDeps {
  /** The snapshot to run a new request on (read once per request). */
  current(): Snapshot;
  random(): number;
  /** Sends a request decided for the service to it. */
  forward: Forward;
  /** Circuit breakers of routes with a fallback. */
  breakers: CircuitBreakers;
  /** The route features' runtimes (shadow traffic's copies...). */
  features: RunningFeatures;
  /** A request no route matched, before it goes on to the app (the migration map counts it by the Express route serving it). */
  unmatched(res: ServerResponse): void;
  /** While runtime state is still loading, a promise requests wait for (so none serves without it). */
  starting(): Promise<void> | undefined;
  /** Where an error nobody else will see (a bug, a plugin's response hook) is reported. */
  diagnostics: Diagnostics;
}

/**
 * Builds the middleware. An unmatched request calls `next()` after one table lookup and nothing
 * else; a matched one runs the steps below in order until one answers the response.
 */
export function createPipeline(deps: PipelineDeps): Pipeline {
  const failed: Failed = (ctx, err) => fail(ctx, err, deps.diagnostics);
  const steps: readonly Step[] = [
    hooks('onRequest'),
    hooks('onIdentify'),
    hooks('onLimit'),
    (ctx) => ctx.decide(decide(ctx, deps)),
    hooks('onDecision'),
    (ctx, next) => {
      atDispatch(deps.features.atDispatch, ctx);
      if (ctx.decision?.side !== 'service') return toLegacy(ctx, next);
      const around = ctx.compiled.hooks.onForward;
      const legacy = () => next();
      return around.length === 0 ? deps.forward(ctx, legacy) : forwardThrough(around, 0, deps.forward as ForwardStep, ctx, legacy, failed);
    },
  ];
  /**
   * The response finished, or the client went away first: a request still on its way to a service
   * is cancelled, then the observers run. One listener for every request (it finds the request's
   * context through the response), not a closure per request.
   */
  const responseClosed = function responseClosed(this: ServerResponse): void {
    const ctx = contextOf(this.req);
    if (!this.writableFinished) ctx.service?.clientGone();
    observe(ctx, deps.diagnostics);
  };

  return function figway(req, res, next) {
    const starting = deps.starting();
    if (starting !== undefined) {
      starting.then(
        () => figway(req, res, next),
        () => figway(req, res, next),
      );
      return;
    }
    const snapshot = deps.current();
    if (snapshot.endpoints !== undefined && (req.method === 'GET' || req.method === 'HEAD')) {
      const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
      const endpoint = snapshot.endpoints.get(url.split('?', 1)[0] as string);
      if (endpoint) return endpoint(req, res);
    }
    const matched = recallMatch(req, snapshot) ?? matchRequest(snapshot.table, req);
    if (matched === undefined) {
      deps.unmatched(res);
      return next();
    }
    if (ownRequest(deps.features.ownRequests, req)) return next();
    if ('refused' in matched) {
      sendError(res, new FigwayError('FIGWAY_REQUEST_BAD_PATH', `ambiguous request path: ${matched.refused}`), snapshot.errorFormat);
      return;
    }
    const framing = findFramingProblem(req);
    if (framing !== undefined) {
      // Whatever follows on this connection was framed by a reading figway refused: it ends here.
      res.setHeader('connection', 'close');
      sendError(res, new FigwayError('FIGWAY_REQUEST_BAD_FRAMING', framing), snapshot.errorFormat);
      return;
    }
    const ctx = new RequestContext(req, res, snapshot, matched);
    res.on('close', responseClosed);
    run(steps, 0, ctx, next, failed);
  };
}

/**
 * Decide: the rollout's side, unless the route's circuit breaker is open (the service failed
 * repeatedly), which sends the request to legacy until a probe finds the service well again.
 */
function decide(ctx: RequestContext, deps: PipelineDeps): Decision {
  const decision = decideSide(ctx.compiled.rollout, ctx.view, deps.random);
  const breaker = ctx.compiled.features.fallback?.breaker;
  if (decision.side !== 'service' || !breaker || deps.breakers.allow(ctx.compiled.id, breaker)) return decision;
  return { ...decision, side: 'legacy', reason: 'breaker-open' };
}

/** Each feature runtime that acts at dispatch, on a route it is on. */
function atDispatch(runtimes: RunningFeatures['atDispatch'], ctx: RequestContext): void {
  for (let i = 0; i < runtimes.length; i++) {
    const runtime = runtimes[i] as (typeof runtimes)[number];
    const compiled = ctx.compiled.features[runtime.key];
    if (compiled !== undefined) runtime.run(ctx, compiled);
  }
}

/** A request a feature made itself (a shadow copy for legacy) goes to the app's handlers untouched. */
function ownRequest(checks: RunningFeatures['ownRequests'], req: IncomingMessage): boolean {
  for (let i = 0; i < checks.length; i++) if ((checks[i] as (typeof checks)[number])(req)) return true;
  return false;
}

/**
 * Dispatch, legacy side: the monolith's own handler serves the request. When normalising changed
 * the path, the monolith is given the path figway matched, so both sides act on the same path.
 */
function toLegacy(ctx: RequestContext, next: Next): void {
  stopKeeping(ctx.req);
  if (ctx.receivedPath !== ctx.path) ctx.req.url = legacyUrl(ctx);
  next();
}

function run(steps: readonly Step[], from: number, ctx: RequestContext, next: Next, failed: Failed): void {
  for (let i = from; i < steps.length; i++) {
    let waiting: void | Promise<void>;
    try {
      waiting = (steps[i] as Step)(ctx, next);
    } catch (err) {
      failed(ctx, err);
      return;
    }
    if (waiting !== undefined) {
      waiting.then(
        () => {
          if (!answered(ctx.res)) run(steps, i + 1, ctx, next, failed);
        },
        (err: unknown) => failed(ctx, err),
      );
      return;
    }
    if (answered(ctx.res)) return;
  }
}

/** A step running one stage's plugin hooks in order; it stops as soon as a hook answers. */
function hooks(stage: StageName): Step {
  return (ctx) => runHooks(ctx.compiled.hooks[stage], 0, ctx);
}

function runHooks(list: readonly BoundHook<(ctx: FigwayContext, options: unknown) => void | Promise<void>>[], from: number, ctx: RequestContext): void | Promise<void> {
  for (let i = from; i < list.length; i++) {
    const hook = list[i] as (typeof list)[number];
    let result: void | Promise<void>;
    try {
      result = hook.fn(ctx, hook.options);
    } catch (err) {
      throw pluginError(hook.plugin, err);
    }
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
      return (result as Promise<void>).then(
        () => (answered(ctx.res) ? undefined : runHooks(list, i + 1, ctx)),
        (err: unknown) => {
          throw pluginError(hook.plugin, err);
        },
      );
    }
    if (answered(ctx.res)) return;
  }
}

/**
 * Dispatch through the route's `onForward` hooks, from `from` on, the first outermost. A hook that
 * throws (or rejects) before the request went to the service is named in the error; once it went,
 * a throw is figway's own dispatch failing, answered as before hooks wrapped it. With one hook (the
 * common case) it is given figway's own step, so nothing is allocated per request.
 */
function forwardThrough(hooks: RouteHooks['onForward'], from: number, forward: ForwardStep, ctx: RequestContext, legacy: () => void, failed: Failed): void | Promise<void> {
  const hook = hooks[from] as RouteHooks['onForward'][number];
  const inner: ForwardStep =
    from + 1 === hooks.length
      ? forward
      : (c, l) => {
          // An inner hook's rejection has no step left to answer it: it is answered here.
          forwardThrough(hooks, from + 1, forward, c as RequestContext, l, failed)?.catch((err: unknown) => failed(c as RequestContext, err));
        };
  let result: unknown;
  try {
    result = hook.fn(ctx, inner, legacy, hook.options);
  } catch (err) {
    throw hookFailure(hook.plugin, ctx, err);
  }
  // A hook that waits before forwarding: its rejection is answered as a throw would be.
  if (result instanceof Promise) {
    return result.then(
      () => undefined,
      (err: unknown) => {
        throw hookFailure(hook.plugin, ctx, err);
      },
    );
  }
}

/** A plugin's failure until the request went to the service; after, figway's own dispatch failed. */
function hookFailure(plugin: string, ctx: RequestContext, err: unknown): unknown {
  return ctx.service === undefined ? pluginError(plugin, err) : err;
}

function observe(ctx: RequestContext, diagnostics: Diagnostics): void {
  for (const hook of ctx.compiled.hooks.onResponse) {
    try {
      hook.fn(ctx, hook.options);
    } catch (err) {
      diagnostics.reportError(pluginError(hook.plugin, err), `figway: plugin "${hook.plugin}" failed after the response`, { route: ctx.compiled.id });
    }
  }
}

/** The response is answered, or the client is gone and nobody is left to answer. */
function answered(res: ServerResponse): boolean {
  return res.headersSent || res.writableEnded || res.destroyed || res.socket?.destroyed === true;
}

function fail(ctx: RequestContext, err: unknown, diagnostics: Diagnostics): void {
  const error = err instanceof FigwayError ? err : new FigwayError('FIGWAY_INTERNAL', 'internal figway error', { cause: err });
  if (error.code === 'FIGWAY_INTERNAL' || error.code === 'FIGWAY_PLUGIN_FAILED') diagnostics.reportError(error, `figway: ${error.message}`, { route: ctx.compiled.id });
  ctx.answerError(error);
}
