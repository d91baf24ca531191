// The dispatch stage, service side: send the request through its route's upstream, answer failures.
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { contextOf, type RequestContext } from '../context.js';
import { sendError } from '../error-response.js';
import { FigwayError } from '../errors.js';
import { bodyWasRead, hasBody, stopKeeping, takeKeptBody } from './keep-body.js';
import { prepareRequestHeaders } from './request-headers.js';
import { prepareResponseHeaders } from './response-headers.js';
import { armTimeouts } from './timeouts.js';
import type { ProxyEvents } from './upstream-pool.js';
import { toUpstreamError } from './upstream-error.js';

const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Sends a decided-for-service request to its upstream. A body that a parser already read is sent
 * from figway's kept copy, byte-identical; if no complete copy exists the request is refused rather
 * than forwarded with a wrong body.
 */
export function forwardToService(ctx: RequestContext): void {
  const { req } = ctx;
  if (bodyWasRead(req)) {
    const kept = takeKeptBody(req);
    if (!kept.ok) {
      const error =
        kept.reason === 'too-large'
          ? new FigwayError('FIGWAY_REQUEST_BODY_TOO_LARGE', `request body is larger than proxy.replayBodyLimit (${ctx.snapshot.replayBodyLimit} bytes)`)
          : new FigwayError(
              'FIGWAY_REQUEST_BODY_CONSUMED',
              'the request body was read before figway and no copy was kept: mount figway with app.use(), or call attach(app) when it is mounted on a Router',
            );
      sendError(ctx.res, error, ctx.snapshot.errorFormat);
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
}

function send(ctx: RequestContext): void {
  ctx.attempts += 1;
  ctx.proxyReq = undefined;
  ctx.compiled.upstream.proxy(ctx.req, ctx.res, (err) => {
    if (err !== undefined) failed(ctx, err);
  });
}

/** The proxy events every upstream shares. Nothing here may throw: a throw in an event handler kills the process. */
export const proxyEvents: ProxyEvents = {
  pathOf: (req) => contextOf(req).upstreamPath,

  proxyReq(proxyReq: ClientRequest, req: IncomingMessage) {
    const ctx = contextOf(req);
    ctx.proxyReq = proxyReq;
    try {
      prepareRequestHeaders(proxyReq, req, ctx.forwarded);
      if (ctx.replayBody) {
        proxyReq.setHeader('content-length', ctx.replayBody.length);
        proxyReq.removeHeader('transfer-encoding');
        proxyReq.write(ctx.replayBody);
      }
      armTimeouts(proxyReq, ctx.compiled.timeouts, ctx.compiled.upstream.name);
      for (const hook of ctx.compiled.hooks.onProxyRequest) hook.fn(proxyReq, ctx, hook.options);
    } catch (err) {
      proxyReq.destroy(asPluginError(err));
    }
  },

  proxyRes(proxyRes: IncomingMessage, req: IncomingMessage) {
    const ctx = contextOf(req);
    ctx.upstreamStatus = proxyRes.statusCode;
    const { upstream, rewrite } = ctx.compiled;
    try {
      prepareResponseHeaders(proxyRes, {
        upstreamUrl: upstream.url,
        rewrite,
        publicOrigin: `${ctx.forwarded.proto}://${ctx.forwarded.host}`,
        rewriteLocation: upstream.config.rewriteLocation !== false,
        rewriteCookies: upstream.config.rewriteCookies !== false,
      });
      for (const hook of ctx.compiled.hooks.onProxyResponse) hook.fn(proxyRes, ctx, hook.options);
    } catch (err) {
      proxyRes.destroy();
      failed(ctx, asPluginError(err));
    }
  },

  error(err: Error, req?: IncomingMessage, _res?: ServerResponse | Socket) {
    // Without a request there is nobody to answer; the proxy library reports such errors through the middleware too.
    if (req) failed(contextOf(req), err);
  },
};

/** Answers an upstream failure once: 502/504 before the response started, a cut connection after. */
function failed(ctx: RequestContext, err: unknown): void {
  if (ctx.failed) return;
  if (shouldRetry(ctx, err)) {
    send(ctx);
    return;
  }
  ctx.failed = true;
  sendError(ctx.res, toUpstreamError(err, ctx.compiled.upstream.name), ctx.snapshot.errorFormat);
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
