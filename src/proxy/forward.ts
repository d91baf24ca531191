// The dispatch stage, service side: send the request through its route's upstream, answer failures.
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { contextOf, type RequestContext } from '../context.js';
import { FigwayError } from '../errors.js';
import { bodyWasRead, hasBody, stopKeeping, takeKeptBody } from './keep-body.js';
import { prepareRequestHeaders } from './request-headers.js';
import { prepareResponseHeaders } from './response-headers.js';
import type { CircuitBreakers } from './circuit-breaker.js';
import { armTimeouts } from './timeouts.js';
import { toUpstreamError } from './upstream-error.js';

const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const EMPTY = Buffer.alloc(0);

/** Sends decided-for-service requests to their upstream. */
export type Forward = (ctx: RequestContext, next: (err?: unknown) => void) => void;

// Only these may be served again by legacy: safe, idempotent, and nothing to send a second time.
const FALLBACK_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Creates the forwarder of one gateway: a single http-proxy-middleware instance whose router picks
 * each request's upstream (target, connection pool, Host handling) from its context, so every
 * service shares one set of event handlers. Routes with a fallback have their failures served by
 * legacy and counted by their circuit breaker.
 */
export function createForwarder(breakers: CircuitBreakers): Forward {
  const middleware = createProxyMiddleware<IncomingMessage, ServerResponse>({
    router: (req, _res, options) => {
      const { upstream, fallback } = contextOf(req).compiled;
      options.agent = upstream.agent;
      options.changeOrigin = upstream.config.preserveHost !== true;
      // A status that sends the request to legacy must be seen before anything reaches the client.
      options.selfHandleResponse = fallback !== undefined && fallback.statuses.size > 0;
      return upstream.url;
    },
    // The default plugins log to the console and answer errors in their own shape; figway's
    // handlers replace them (and the 'error' listener keeps a proxy error from ever throwing).
    ejectPlugins: true,
    plugins: [
      (server) => {
        server.on('proxyReq', onProxyReq);
        server.on('proxyRes', onProxyRes);
        server.on('error', (err: Error, req?: IncomingMessage) => {
          // Without a request there is nobody to answer.
          if (req) failed(contextOf(req), err);
        });
      },
    ],
  });

  const send = (ctx: RequestContext): void => {
    ctx.attempts += 1;
    ctx.proxyReq = undefined;
    ctx.upstreamSentAt = performance.now();
    // The proxy library reads the path from req.url: give it the one figway matched and rewrote.
    ctx.req.url = ctx.upstreamPath;
    void middleware(ctx.req, ctx.res, (err?: unknown) => {
      failed(ctx, err ?? new FigwayError('FIGWAY_INTERNAL', 'the proxy declined a request figway routed to it'));
    });
  };

  /**
   * Answers an upstream failure once: legacy serves it when the route falls back, else 502/504
   * before the response started, a cut connection after.
   */
  function failed(ctx: RequestContext, err: unknown): void {
    if (ctx.failed) return;
    if (shouldRetry(ctx, err)) {
      send(ctx);
      return;
    }
    ctx.failed = true;
    const error = toUpstreamError(err, ctx.compiled.upstream.name);
    countFailure(ctx);
    const kind = error.code === 'FIGWAY_UPSTREAM_UNAVAILABLE' ? 'refused' : error.code.endsWith('TIMEOUT') ? 'timeout' : undefined;
    const fallback = ctx.compiled.fallback;
    if (fallback && ((kind === 'refused' && fallback.onRefused) || (kind === 'timeout' && fallback.onTimeout)) && fallBack(ctx)) return;
    ctx.answerError(error);
  }

  function countFailure(ctx: RequestContext): void {
    const breaker = ctx.compiled.fallback?.breaker;
    if (breaker) breakers.failure(ctx.compiled.id, breaker);
  }

  function onProxyRes(proxyRes: IncomingMessage, req: IncomingMessage): void {
    const ctx = contextOf(req);
    ctx.upstreamAnsweredAt = performance.now();
    ctx.upstreamStatus = proxyRes.statusCode;
    const { fallback } = ctx.compiled;
    const status = proxyRes.statusCode ?? 0;
    if (fallback?.statuses.has(status)) {
      countFailure(ctx);
      if (fallBack(ctx)) {
        proxyRes.resume();
        return;
      }
    } else if (fallback?.breaker) {
      breakers.success(ctx.compiled.id);
    }
    try {
      prepareResponseHeaders(proxyRes, req, ctx.compiled);
      for (const hook of ctx.compiled.hooks.onProxyResponse) hook.fn(proxyRes, ctx, hook.options);
    } catch (err) {
      // Nothing is copied to the client yet, so it still gets a proper error; the proxy then sees an answered response.
      ctx.failed = true;
      ctx.answerError(asPluginError(err));
      proxyRes.destroy();
      return;
    }
    if (fallback !== undefined && fallback.statuses.size > 0) copyResponse(proxyRes, ctx.res);
  }

  return function forwardToService(ctx, next) {
    ctx.legacy = next;
    const { req } = ctx;
    if (bodyWasRead(req)) {
      const kept = hasBody(req) ? takeKeptBody(req) : ({ ok: true, body: EMPTY } as const);
      if (!kept.ok) {
        ctx.answerError(bodyError(kept.reason, ctx.snapshot.replayBodyLimit));
        return;
      }
      ctx.replayBody = kept.body;
    } else {
      stopKeeping(req);
    }
    // Node has already answered `Expect: 100-continue`; forwarded, it would also stop the proxy
    // library from emitting its proxyReq event, where figway sets headers and timeouts.
    delete req.headers.expect;
    send(ctx);
  };
}

/**
 * Hands a request whose service failed to the monolith's handler, when that is safe: a GET, HEAD or
 * OPTIONS without a body, whose response has not started. Returns whether it did.
 */
function fallBack(ctx: RequestContext): boolean {
  const { req, res } = ctx;
  if (res.headersSent || !ctx.legacy || !FALLBACK_METHODS.has(req.method ?? '') || hasBody(req)) return false;
  ctx.fellBack = true;
  ctx.failed = true;
  // The proxy had the service's path in req.url; the monolith routes on the public one.
  const base = (req as { baseUrl?: string }).baseUrl ?? '';
  req.url = `${ctx.path.slice(base.length) || '/'}${ctx.search}`;
  ctx.legacy();
  return true;
}

/** What the proxy library does when it handles the response itself: status, headers, then the body. */
function copyResponse(proxyRes: IncomingMessage, res: ServerResponse): void {
  if (res.headersSent || res.writableEnded) return;
  res.statusCode = proxyRes.statusCode ?? 502;
  if (proxyRes.statusMessage) res.statusMessage = proxyRes.statusMessage;
  for (const [name, value] of Object.entries(proxyRes.headers)) if (value !== undefined) res.setHeader(name, value);
  proxyRes.pipe(res);
}

function bodyError(reason: 'not-kept' | 'too-large', limit: number): FigwayError {
  return reason === 'too-large'
    ? new FigwayError('FIGWAY_REQUEST_BODY_TOO_LARGE', `request body is larger than proxy.replayBodyLimit (${limit} bytes)`)
    : new FigwayError(
        'FIGWAY_REQUEST_BODY_CONSUMED',
        'the request body was read before figway and no copy was kept: mount figway with app.use(), or call attach(app) when it is mounted on a Router',
      );
}

// Nothing in the event handlers may throw: a throw in an event handler kills the process.

function onProxyReq(proxyReq: ClientRequest, req: IncomingMessage): void {
  const ctx = contextOf(req);
  ctx.proxyReq = proxyReq;
  try {
    prepareRequestHeaders(proxyReq, req, ctx.forwarded);
    armTimeouts(proxyReq, ctx.compiled.timeouts, ctx.compiled.upstream.name);
    for (const hook of ctx.compiled.hooks.onProxyRequest) hook.fn(proxyReq, ctx, hook.options);
    // Last: writing the body sends the headers, after which none may change.
    if (ctx.replayBody) {
      proxyReq.setHeader('content-length', ctx.replayBody.length);
      proxyReq.removeHeader('transfer-encoding');
      proxyReq.write(ctx.replayBody);
    }
  } catch (err) {
    proxyReq.destroy(asPluginError(err));
  }
}

/**
 * A pooled connection the service closed just as figway reused it fails with ECONNRESET before
 * anything was processed; a body-less idempotent request is safe to send once more.
 */
function shouldRetry(ctx: RequestContext, err: unknown): boolean {
  return (
    ctx.attempts === 1 &&
    ctx.proxyReq?.reusedSocket === true &&
    (err as { code?: unknown }).code === 'ECONNRESET' &&
    !ctx.res.headersSent &&
    RETRYABLE_METHODS.has(ctx.req.method ?? '') &&
    !hasBody(ctx.req)
  );
}

function asPluginError(err: unknown): FigwayError {
  return err instanceof FigwayError ? err : new FigwayError('FIGWAY_PLUGIN_FAILED', `a plugin hook failed: ${String(err)}`, { cause: err });
}
