// The http-proxy-middleware engine: Node's http client under the library figway is built around; middleware mode's default.
import type { ClientRequest, InformationEvent, IncomingMessage, ServerResponse } from 'node:http';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { contextOf, type RequestContext } from '../../context.js';
import { FigwayError } from '../../errors.js';
import { BodyCollector } from '../body-collector.js';
import type { Exchange, Forwarder, ServiceCall } from '../forwarder.js';
import { asPreparingError } from '../../plugins/plugin-error.js';
import { acceptsTrailers, prepareRequestHeaders } from '../request-headers.js';
import { passEarlyHints, passTrailers } from '../response-headers.js';
import { armTimeouts } from '../timeouts.js';
import { requestUpstream } from '../upstream-request.js';

/**
 * Creates the engine: a single http-proxy-middleware instance whose router picks each request's
 * upstream (target, connection pool, Host handling) from its context, so every service shares one
 * set of event handlers.
 */
export function createHttpProxyMiddlewareForwarder(exchange: Exchange): Forwarder {
  const middleware = createProxyMiddleware<IncomingMessage, ServerResponse>({
    router: (req, _res, options) => {
      const { upstream, features } = contextOf(req).compiled;
      options.agent = upstream.agent;
      options.changeOrigin = upstream.config.preserveHost !== true;
      // A status that sends the request to legacy must be seen before anything reaches the client.
      options.selfHandleResponse = selfHandled(features.fallback);
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
          if (req) failed(callOf(req), err);
        });
      },
    ],
  });

  // Nothing in the event handlers may throw: a throw in an event handler kills the process.

  function onProxyReq(proxyReq: ClientRequest, req: IncomingMessage): void {
    const call = callOf(req);
    const { ctx } = call;
    clearTimeout(call.connectionWait);
    // Answered already: it waited too long for a connection.
    if (call.failed) {
      proxyReq.destroy();
      return;
    }
    call.reusedConnection = proxyReq.reusedSocket;
    proxyReq.on('information', (info: InformationEvent) => {
      if (info.statusCode === 103) passEarlyHints(ctx.res, req, info.headers);
    });
    try {
      prepareRequestHeaders(proxyReq, req, ctx.forwarded);
      exchange.prepare(ctx, proxyReq);
      armTimeouts(proxyReq, ctx.compiled.timeouts, ctx.compiled.upstream.name);
      // Last: writing the body sends the headers, after which none may change.
      if (call.replayBody) {
        proxyReq.setHeader('content-length', call.replayBody.length);
        proxyReq.removeHeader('transfer-encoding');
        proxyReq.write(call.replayBody);
      }
    } catch (err) {
      proxyReq.destroy(asPreparingError(err));
    }
  }

  function onProxyRes(proxyRes: IncomingMessage, req: IncomingMessage): void {
    const call = callOf(req);
    const { ctx } = call;
    const statusCode = proxyRes.statusCode ?? 502;
    if (!exchange.answered(call, statusCode) || !exchange.present(call, { statusCode, headers: proxyRes.headers })) {
      proxyRes.destroy();
      return;
    }
    // Before the library's pipe ends the response: its 'end' listener comes after this one.
    if (acceptsTrailers(req)) proxyRes.once('end', () => passTrailers(ctx.res, proxyRes.rawTrailers));
    if (selfHandled(ctx.compiled.features.fallback)) copyResponse(proxyRes, ctx.res);
  }

  function failed(call: ServiceCall, err: unknown): void {
    clearTimeout(call.connectionWait);
    exchange.fail(call, err, (err as { code?: unknown }).code === 'ECONNRESET');
  }

  return {
    engine: 'http-proxy-middleware',
    send(call) {
      const { ctx } = call;
      const { response } = ctx.compiled.timeouts;
      const { name } = ctx.compiled.upstream;
      // The library hands over a request only once it has a connection (its proxyReq event waits for
      // the socket): until then, a pool whose connections are all busy could hold it for good.
      call.connectionWait = setTimeout(
        () => exchange.fail(call, new FigwayError('FIGWAY_UPSTREAM_TIMEOUT', `${name} had no free connection for the request within ${response} ms`), false),
        response,
      );
      // The proxy library reads the path from req.url: give it the one figway matched and rewrote.
      ctx.req.url = ctx.upstreamPath;
      void middleware(ctx.req, ctx.res, (err?: unknown) => {
        failed(call, err ?? new FigwayError('FIGWAY_INTERNAL', 'the proxy declined a request figway routed to it'));
      });
    },
    fetch(ctx, limits) {
      const { upstream } = ctx.compiled;
      const headers = { ...ctx.req.headers };
      delete headers['content-length'];
      delete headers['transfer-encoding'];
      if (upstream.config.preserveHost !== true) headers.host = upstream.url.host;
      return new Promise((resolve, reject) => {
        const request = requestUpstream(upstream, ctx.upstreamPath, { method: ctx.req.method, headers, agent: upstream.agent });
        request.setTimeout(limits.timeoutMs, () => request.destroy(new FigwayError('FIGWAY_UPSTREAM_TIMEOUT', `no answer within ${limits.timeoutMs} ms`)));
        request.on('error', reject);
        request.on('response', (response: IncomingMessage) => {
          const collector = new BodyCollector(limits.maxBody);
          response.on('data', (chunk: Buffer) => collector.add(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: collector.body() }));
          response.on('error', reject);
        });
        try {
          prepareRequestHeaders(request, ctx.req, ctx.forwarded);
          exchange.prepare(ctx, request);
        } catch (err) {
          request.destroy(asPreparingError(err));
          return;
        }
        request.end();
      });
    },
  };
}

function selfHandled(fallback: RequestContext['compiled']['features']['fallback']): boolean {
  return fallback !== undefined && fallback.statuses.size > 0;
}

/** What the proxy library does when it handles the response itself: status, headers, then the body. */
function copyResponse(proxyRes: IncomingMessage, res: ServerResponse): void {
  if (res.headersSent || res.writableEnded) return;
  res.statusCode = proxyRes.statusCode ?? 502;
  if (proxyRes.statusMessage) res.statusMessage = proxyRes.statusMessage;
  for (const [name, value] of Object.entries(proxyRes.headers)) if (value !== undefined) res.setHeader(name, value);
  proxyRes.pipe(res);
}

/** The exchange of a request the library hands back in one of its events. */
function callOf(req: IncomingMessage): ServiceCall {
  return contextOf(req).service as ServiceCall;
}
