// The dispatch stage, service side: the request's body, then its engine sends it; failures are answered here, whatever the engine.
import { performance } from 'node:perf_hooks';
import type { RequestContext } from '../context.js';
import { FigwayError } from '../errors.js';
import { legacyUrl } from '../legacy-url.js';
import type { BoundHook } from '../plugins/route-hooks.js';
import type { EngineName, ProxyResponse } from '../types.js';
import type { CircuitBreakers } from './circuit-breaker.js';
import { ServiceCall, type Exchange, type Forwarder } from './forwarder.js';
import { asPreparingError, pluginError } from '../plugins/plugin-error.js';
import { bodyWasRead, hasBody, stopKeeping, takeKeptBody } from './keep-body.js';
import { createHttpProxyMiddlewareForwarder } from './engines/http-proxy-middleware.js';
import { createUndiciForwarder } from './engines/undici.js';
import { prepareResponseHeaders } from './response-headers.js';

// Only these are sent again or served again by legacy: safe, idempotent, and nothing to send a second time.
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const EMPTY = Buffer.alloc(0);

/** Sends decided-for-service requests to their upstream. */
export type Forward = (ctx: RequestContext, next: (err?: unknown) => void) => void;

/** The dispatch stage of one gateway, and the engine each request goes through (shadow copies use it too). */
export interface Dispatch {
  readonly forward: Forward;
  forwarderFor(ctx: RequestContext): Forwarder;
}

/**
 * Creates the dispatch stage. Each request goes through the engine its route's config names, else
 * `defaultEngine()` (the mode's default); engines are created on first use. Routes with a fallback
 * have their failures served by legacy and counted by their circuit breaker. `bodyReplayed` hears
 * of each body a parser read before figway, which is sent from the copy figway kept.
 */
export function createDispatch(breakers: CircuitBreakers, defaultEngine: () => EngineName, bodyReplayed: (ctx: RequestContext) => void): Dispatch {
  const exchange: Exchange = {
    prepare(ctx, outgoing) {
      runProxyHooks(ctx.compiled.hooks.onProxyRequest, outgoing, ctx);
    },
    answered,
    present,
    fail,
  };
  const engines = new Map<EngineName, Forwarder>();
  const forwarderFor = (ctx: RequestContext): Forwarder => {
    const name = ctx.compiled.engine ?? defaultEngine();
    let engine = engines.get(name);
    if (!engine) {
      engine = name === 'undici' ? createUndiciForwarder(exchange) : createHttpProxyMiddlewareForwarder(exchange);
      engines.set(name, engine);
    }
    return engine;
  };

  const send = (call: ServiceCall): void => {
    call.attempts += 1;
    call.reusedConnection = undefined;
    call.ctx.upstreamSentAt = performance.now();
    forwarderFor(call.ctx).send(call);
  };

  function answered(call: ServiceCall, statusCode: number): boolean {
    const { ctx } = call;
    ctx.upstreamAnsweredAt = performance.now();
    ctx.upstreamStatus = statusCode;
    const { fallback } = ctx.compiled.features;
    if (fallback?.statuses.has(statusCode)) {
      countFailure(ctx, `HTTP_${statusCode}`, `${ctx.compiled.upstream.name} answered ${statusCode}`);
      if (fallBack(call)) return false;
    } else if (fallback?.breaker) {
      breakers.success(ctx.compiled.id);
    }
    return true;
  }

  function present(call: ServiceCall, head: ProxyResponse): boolean {
    const { ctx } = call;
    try {
      prepareResponseHeaders(head.headers, ctx.req, ctx.compiled);
      runProxyHooks(ctx.compiled.hooks.onProxyResponse, head, ctx);
    } catch (err) {
      // Nothing is copied to the client yet, so it still gets a proper error.
      call.failed = true;
      ctx.answerError(asPreparingError(err));
      return false;
    }
    return true;
  }

  /**
   * Answers an upstream failure once: a retry when a reused connection broke before anything was
   * processed, legacy when the route falls back, else 502/504 before the response started and a
   * cut connection after.
   */
  function fail(call: ServiceCall, err: unknown, connectionReset: boolean): void {
    if (call.failed) return;
    if (connectionReset && mayRetry(call)) {
      send(call);
      return;
    }
    call.failed = true;
    const { ctx } = call;
    const error = ctx.compiled.upstream.errorFrom(err);
    // A plugin hook that threw is figway's (or the plugin's) failure, not the service's.
    if (error.code.startsWith('FIGWAY_UPSTREAM_')) countFailure(ctx, error.code, error.message);
    const kind = failureKind(error);
    if (kind && ctx.compiled.features.fallback?.on.has(kind) && fallBack(call)) return;
    ctx.answerError(error);
  }

  /** A failure of the service, kept whoever answers the client: counted (as `upstreamFailure` once legacy serves instead), shown in the route view, told to the breaker. */
  function countFailure(ctx: RequestContext, code: string, message: string): void {
    // Once per request: a listed status that could not fall back (a POST) and then a body that broke is one failure.
    if (ctx.upstreamFailure) return;
    ctx.upstreamFailure = { code, message };
    breakers.recordFailure(ctx.compiled.id, code, message);
    const breaker = ctx.compiled.features.fallback?.breaker;
    if (breaker) breakers.failure(ctx.compiled.id, breaker);
  }

  const forward: Forward = function forwardToService(ctx, next) {
    const call = new ServiceCall(ctx, next);
    ctx.service = call;
    const { req } = ctx;
    if (bodyWasRead(req)) {
      const kept = hasBody(req) ? takeKeptBody(req) : ({ ok: true, body: EMPTY } as const);
      if (!kept.ok) {
        ctx.answerError(bodyError(kept.reason, ctx.snapshot.replayBodyLimit));
        return;
      }
      call.replayBody = kept.body;
      if (kept.body.length > 0) bodyReplayed(ctx);
    } else {
      stopKeeping(req);
    }
    // Node has already answered `Expect: 100-continue`; the service must not be asked again.
    delete req.headers.expect;
    send(call);
  };
  return { forward, forwarderFor };
}

/** The `fallback.on` word for an upstream failure: a TLS failure is never `refused`, so a broken certificate is not hidden behind legacy. */
function failureKind(error: FigwayError): 'refused' | 'timeout' | 'tls' | undefined {
  if (error.code === 'FIGWAY_UPSTREAM_UNAVAILABLE') return 'refused';
  if (error.code === 'FIGWAY_UPSTREAM_TLS') return 'tls';
  return error.code.endsWith('TIMEOUT') ? 'timeout' : undefined;
}

/** Runs a stage's proxy hooks on `value`; one that throws is named in the error (pluginError). */
function runProxyHooks<T>(hooks: readonly BoundHook<(value: T, ctx: RequestContext, options: unknown) => void>[], value: T, ctx: RequestContext): void {
  for (const hook of hooks) {
    try {
      hook.fn(value, ctx, hook.options);
    } catch (err) {
      throw pluginError(hook.plugin, err);
    }
  }
}

/**
 * A connection that broke before the service sent anything, on a body-less idempotent request that
 * went out once: safe to send again (a pooled connection the service closed just as figway reused
 * it). With an engine that says whether the connection was reused, only a reused one is retried.
 */
function mayRetry(call: ServiceCall): boolean {
  const { req, res } = call.ctx;
  return call.attempts === 1 && call.reusedConnection !== false && !res.headersSent && SAFE_METHODS.has(req.method ?? '') && !hasBody(req);
}

/**
 * Hands a request whose service failed to the monolith's handler, when that is safe: a GET, HEAD or
 * OPTIONS without a body, whose response has not started. Returns whether it did.
 */
function fallBack(call: ServiceCall): boolean {
  const { ctx } = call;
  const { req, res } = ctx;
  if (res.headersSent || !SAFE_METHODS.has(req.method ?? '') || hasBody(req)) return false;
  ctx.fellBack = true;
  call.failed = true;
  // An engine may have put the service's path in req.url; the monolith routes on the public one.
  req.url = legacyUrl(ctx);
  call.legacy();
  return true;
}

function bodyError(reason: 'not-kept' | 'too-large', limit: number): FigwayError {
  return reason === 'too-large'
    ? new FigwayError('FIGWAY_REQUEST_BODY_TOO_LARGE', `request body is larger than proxy.replayBodyLimit (${limit} bytes)`)
    : new FigwayError(
        'FIGWAY_REQUEST_BODY_CONSUMED',
        'the request body was read before figway and no copy was kept: mount figway with app.use(), or call attach(app) when it is mounted on a Router',
      );
}
