// The undici engine: a connection pool per upstream, each request dispatched with a handler writing straight to the response; server mode's default.
import type { RequestContext } from '../../context.js';
import { BodyCollector } from '../body-collector.js';
import type { Exchange, Forwarder } from '../forwarder.js';
import { hasBody } from '../keep-body.js';
import { asPreparingError } from '../../plugins/plugin-error.js';
import { appendForwardingFields, connectionListed, isLeftOut } from '../request-headers.js';
import { HeaderList } from './header-list.js';
import { fromUndiciError } from './undici-errors.js';
import { ResponseWriter } from './undici-response.js';
import { FigwayError } from '../../errors.js';

// Fields undici frames itself and refuses to be given (Node has already answered `Expect`).
const FRAMED_BY_UNDICI = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect']);

/**
 * Creates the engine. A request's connect timeout is its pool's; its response and idle timeouts
 * are figway's (see ExchangeTimeouts), so undici's own are off.
 */
export function createUndiciForwarder(exchange: Exchange): Forwarder {
  return {
    engine: 'undici',
    send(call) {
      const { ctx } = call;
      const { req } = ctx;
      const { upstream, timeouts } = ctx.compiled;
      const replay = call.replayBody;
      const outgoing = outgoingRequest(ctx, exchange, replay?.length);
      if (outgoing instanceof Error) {
        exchange.fail(call, outgoing, false);
        return;
      }
      const body = replay ?? (hasBody(req) ? req : null);
      upstream.dispatcher(timeouts.connect).dispatch(
        { ...upstream.requestTlsFields, path: outgoing.path, method: outgoing.method, headers: outgoing.fields, body, headersTimeout: 0, bodyTimeout: 0 },
        new ResponseWriter(call, exchange, body !== null),
      );
    },
    async fetch(ctx, limits) {
      const { upstream, timeouts } = ctx.compiled;
      const outgoing = outgoingRequest(ctx, exchange, undefined);
      if (outgoing instanceof Error) throw outgoing;
      outgoing.removeHeader('content-length');
      const signal = AbortSignal.timeout(limits.timeoutMs);
      try {
        const response = await upstream.dispatcher(timeouts.connect).request({
          path: outgoing.path,
          method: outgoing.method as 'GET',
          headers: outgoing.fields,
          ...upstream.requestTlsFields,
          headersTimeout: limits.timeoutMs,
          bodyTimeout: limits.timeoutMs,
          signal,
        });
        const collector = new BodyCollector(limits.maxBody);
        for await (const chunk of response.body) collector.add(chunk as Buffer);
        return { status: response.statusCode, headers: response.headers, body: collector.body() };
      } catch (err) {
        throw signal.aborted ? new FigwayError('FIGWAY_UPSTREAM_TIMEOUT', `no answer within ${limits.timeoutMs} ms`) : fromUndiciError(err, upstream.name);
      }
    },
  };
}

/**
 * The request to the service, built in one pass over the client's headers: the header rules of
 * request-headers.ts, Host the service's own unless preserved, a replayed body's length, without the
 * fields undici frames itself; then the plugins' hooks. An Error when a hook threw.
 */
function outgoingRequest(ctx: RequestContext, exchange: Exchange, replayLength: number | undefined): HeaderList | Error {
  const { req } = ctx;
  const { upstream } = ctx.compiled;
  const facts = ctx.forwarded;
  const listed = connectionListed(req);
  const ownHost = upstream.config.preserveHost !== true;
  const headers = req.headers;
  const fields: string[] = [];
  for (const name in headers) {
    if (isLeftOut(name, listed, facts) || FRAMED_BY_UNDICI.has(name) || (ownHost && name === 'host') || (replayLength !== undefined && name === 'content-length')) continue;
    const value = headers[name] as string | string[];
    if (typeof value === 'string') fields.push(name, value);
    else for (const item of value) fields.push(name, item);
  }
  if (ownHost) fields.push('host', upstream.url.host);
  if (replayLength !== undefined) fields.push('content-length', String(replayLength));
  appendForwardingFields(fields, req, facts);
  const outgoing = new HeaderList(req.method ?? 'GET', upstream.basePath + ctx.upstreamPath, fields);
  try {
    exchange.prepare(ctx, outgoing);
  } catch (err) {
    return asPreparingError(err);
  }
  return outgoing;
}
