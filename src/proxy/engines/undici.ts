// The undici engine: a connection pool per upstream, each request dispatched with a handler writing straight to the response; server mode's default.
import type { RequestContext } from '../../context.js';
import { BodyCollector } from '../body-collector.js';
import type { Exchange, Forwarder } from '../forwarder.js';
import { hasBody } from '../keep-body.js';
import { asPluginError } from '../plugin-error.js';
import { HeaderBag } from './header-bag.js';
import { fromUndiciError } from './undici-errors.js';
import { ResponseWriter } from './undici-response.js';

/**
 * Creates the engine. A request's connect timeout is its pool's; its response and idle timeouts
 * are figway's (see ExchangeTimeouts), so undici's own are off.
 */
export function createUndiciForwarder(exchange: Exchange): Forwarder {
  return {
    engine: 'undici',
    send(ctx) {
      const { req } = ctx;
      const { upstream, timeouts } = ctx.compiled;
      const outgoing = outgoingHeaders(ctx, exchange);
      if (outgoing instanceof Error) {
        exchange.fail(ctx, outgoing, false);
        return;
      }
      const replay = ctx.replayBody;
      if (replay) outgoing.setHeader('content-length', replay.length);
      const body = replay ?? (hasBody(req) ? req : null);
      upstream.dispatcher(timeouts.connect).dispatch(
        { path: outgoing.path, method: outgoing.method, headers: outgoing.headers, body, headersTimeout: 0, bodyTimeout: 0 },
        new ResponseWriter(ctx, exchange, body !== null),
      );
    },
    async fetch(ctx, limits) {
      const { upstream, timeouts } = ctx.compiled;
      const outgoing = outgoingHeaders(ctx, exchange);
      if (outgoing instanceof Error) throw outgoing;
      outgoing.removeHeader('content-length');
      const signal = AbortSignal.timeout(limits.timeoutMs);
      try {
        const response = await upstream.dispatcher(timeouts.connect).request({
          path: outgoing.path,
          method: outgoing.method as 'GET',
          headers: outgoing.headers,
          headersTimeout: limits.timeoutMs,
          bodyTimeout: limits.timeoutMs,
          signal,
        });
        const collector = new BodyCollector(limits.maxBody);
        for await (const chunk of response.body) collector.add(chunk as Buffer);
        return { status: response.statusCode, headers: response.headers, body: collector.body() };
      } catch (err) {
        throw signal.aborted ? new Error(`no answer within ${limits.timeoutMs} ms`) : fromUndiciError(err, upstream.name);
      }
    },
  };
}

/**
 * The request's headers as the service gets them: prepared by the exchange, Host the service's own
 * unless preserved, and without the fields undici frames itself (it refuses to be given them).
 * An Error when a plugin's hook threw.
 */
function outgoingHeaders(ctx: RequestContext, exchange: Exchange): HeaderBag | Error {
  const { upstream } = ctx.compiled;
  const outgoing = new HeaderBag(ctx.req.method ?? 'GET', upstream.basePath + ctx.upstreamPath, ctx.req.headers);
  if (upstream.config.preserveHost !== true) outgoing.setHeader('host', upstream.url.host);
  try {
    exchange.prepare(ctx, outgoing);
  } catch (err) {
    return asPluginError(err);
  }
  const { headers } = outgoing;
  headers.connection = undefined;
  headers['transfer-encoding'] = undefined;
  headers['keep-alive'] = undefined;
  headers.upgrade = undefined;
  headers.expect = undefined;
  return outgoing;
}
