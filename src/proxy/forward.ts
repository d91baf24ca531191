// The dispatch stage, service side: send the request through its route's upstream, answer failures.
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { contextOf, type RequestContext } from '../context.js';
import { FigwayError } from '../errors.js';
import { bodyWasRead, hasBody, stopKeeping, takeKeptBody } from './keep-body.js';
import { prepareRequestHeaders } from './request-headers.js';
import { prepareResponseHeaders } from './response-headers.js';
import { armTimeouts } from './timeouts.js';
import { toUpstreamError } from './upstream-error.js';

const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const EMPTY = Buffer.alloc(0);

/** Sends decided-for-service requests to their upstream. */
export type Forward = (ctx: RequestContext) => void;

/**
 * Creates the forwarder of one gateway: a single http-proxy-middleware instance whose router picks
 * each request's upstream (target, connection pool, Host handling) from its context, so every
 * service shares one set of event handlers.
 */
export function createForwarder(): Forward {
  const middleware = createProxyMiddleware<IncomingMessage, ServerResponse>({
    router: (req, _res, options) => {
      const { upstream } = contextOf(req).compiled;
      options.agent = upstream.agent;
      options.changeOrigin = upstream.config.preserveHost !== true;
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

  /** Answers an upstream failure once: 502/504 before the response started, a cut connection after. */
  function failed(ctx: RequestContext, err: unknown): void {
    if (ctx.failed) return;
    if (shouldRetry(ctx, err)) {
      send(ctx);
      return;
    }
    ctx.failed = true;
    ctx.answerError(toUpstreamError(err, ctx.compiled.upstream.name));
  }

  return function forwardToService(ctx) {
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

function onProxyRes(proxyRes: IncomingMessage, req: IncomingMessage): void {
  const ctx = contextOf(req);
  ctx.upstreamAnsweredAt = performance.now();
  ctx.upstreamStatus = proxyRes.statusCode;
  try {
    prepareResponseHeaders(proxyRes, req, ctx.compiled);
    for (const hook of ctx.compiled.hooks.onProxyResponse) hook.fn(proxyRes, ctx, hook.options);
  } catch (err) {
    // Nothing is copied to the client yet, so it still gets a proper error; the proxy then sees an answered response.
    ctx.failed = true;
    ctx.answerError(asPluginError(err));
    proxyRes.destroy();
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
