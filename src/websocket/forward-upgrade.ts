// The dispatch stage, service side, for WebSocket upgrades: one connection of its own to the service, piped both ways.
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { RequestContext } from '../context.js';
import { FigwayError } from '../errors.js';
import type { Forward } from '../proxy/forward.js';
import { ServiceCall } from '../proxy/forwarder.js';
import { prepareRequestHeaders } from '../proxy/request-headers.js';
import { prepareResponseHeaders } from '../proxy/response-headers.js';
import { requestUpstream } from '../proxy/upstream-request.js';

/**
 * Creates the forwarder of upgrade requests. A WebSocket never uses the upstream's keep-alive pool
 * (it would hold a pooled connection for good). The service's 101 goes to the client through the
 * request's response, so metrics and logs see status 101 when the handshake completes, not when
 * the WebSocket closes hours later; any other answer of the service is passed on, and the
 * connection then closes.
 *
 * @param headOf the bytes the client sent after its upgrade request, which belong to the WebSocket
 */
export function createUpgradeForwarder(headOf: (req: IncomingMessage) => Buffer | undefined): Forward {
  return function forwardUpgrade(ctx, next) {
    const { req, res, compiled } = ctx;
    const client = req.socket;
    const { name } = compiled.upstream;
    const proxyReq = requestUpstream(compiled.upstream, ctx.upstreamPath, { method: req.method, headers: req.headers, agent: false });
    const call = new ServiceCall(ctx, next);
    ctx.service = call;
    ctx.upstreamSentAt = performance.now();
    let upgraded = false;
    const clearTimeouts = armHandshakeTimeouts(proxyReq, compiled.timeouts, name);
    const fail = (err: unknown) => {
      clearTimeouts();
      if (upgraded) {
        client.destroy();
        return;
      }
      ctx.answerError(compiled.upstream.errorFrom(err));
    };
    try {
      prepareUpgradeHeaders(proxyReq, ctx);
    } catch (err) {
      proxyReq.destroy();
      fail(err instanceof FigwayError ? err : new FigwayError('FIGWAY_PLUGIN_FAILED', `a plugin hook failed: ${String(err)}`, { cause: err }));
      return;
    }
    proxyReq.on('error', fail);
    // A client that leaves before the handshake completes cancels it.
    const cancel = () => proxyReq.destroy();
    client.once('close', cancel);

    proxyReq.on('response', (proxyRes) => {
      // The service would not upgrade: its answer goes to the client as is, on a connection that then closes.
      clearTimeouts();
      recordAnswer(ctx, proxyRes);
      prepareResponseHeaders(proxyRes.headers, req, compiled);
      delete proxyRes.headers.connection;
      res.writeHead(proxyRes.statusCode ?? 502, proxyRes.statusMessage, proxyRes.headers);
      proxyRes.pipe(res);
    });

    proxyReq.on('upgrade', (proxyRes, service: Socket, serviceHead: Buffer) => {
      clearTimeouts();
      client.removeListener('close', cancel);
      upgraded = true;
      recordAnswer(ctx, proxyRes);
      if (client.destroyed) {
        service.destroy();
        return;
      }
      for (const [header, value] of Object.entries(proxyRes.headers)) if (value !== undefined) res.setHeader(header, value);
      res.writeHead(101, proxyRes.statusMessage || 'Switching Protocols');
      // From here on the socket belongs to the WebSocket: the response lets go of it once written,
      // and its close (which observers wait for) means the handshake is done.
      res.once('finish', () => {
        res.detachSocket(client);
        res.emit('close');
      });
      res.end();
      pipeBothWays(client, service, headOf(req), serviceHead);
    });
    proxyReq.end();
  };
}

/** The request's own headers, hop-by-hop and forwarding headers handled as for HTTP, then the upgrade itself and plugins' headers (identity, trace). */
function prepareUpgradeHeaders(proxyReq: ClientRequest, ctx: RequestContext): void {
  const { req, compiled } = ctx;
  prepareRequestHeaders(proxyReq, req, ctx.forwarded);
  proxyReq.setHeader('connection', 'upgrade');
  proxyReq.setHeader('upgrade', req.headers.upgrade ?? 'websocket');
  if (compiled.upstream.config.preserveHost !== true) proxyReq.setHeader('host', compiled.upstream.url.host);
  for (const hook of compiled.hooks.onProxyRequest) hook.fn(proxyReq, ctx, hook.options);
}

function recordAnswer(ctx: RequestContext, proxyRes: IncomingMessage): void {
  ctx.upstreamAnsweredAt = performance.now();
  ctx.upstreamStatus = proxyRes.statusCode;
}

/** `connect` while the connection opens, then `response` until the service answers the handshake. Returns the clear function. */
function armHandshakeTimeouts(proxyReq: ClientRequest, limits: { connect: number; response: number }, upstream: string): () => void {
  const expire = (code: 'FIGWAY_UPSTREAM_CONNECT_TIMEOUT' | 'FIGWAY_UPSTREAM_TIMEOUT', ms: number, what: string) =>
    setTimeout(() => proxyReq.destroy(new FigwayError(code, `${upstream} ${what} within ${ms} ms`)), ms);
  let timer = expire('FIGWAY_UPSTREAM_CONNECT_TIMEOUT', limits.connect, 'accepted no connection');
  proxyReq.once('socket', (socket) =>
    socket.once('connect', () => {
      clearTimeout(timer);
      timer = expire('FIGWAY_UPSTREAM_TIMEOUT', limits.response, 'did not answer the WebSocket handshake');
    }),
  );
  return () => clearTimeout(timer);
}

/** Frames flow both ways; either side closing closes the other once what it sent is delivered. */
function pipeBothWays(client: Socket, service: Socket, clientHead: Buffer | undefined, serviceHead: Buffer): void {
  for (const socket of [client, service]) {
    socket.setTimeout(0);
    socket.setNoDelay(true);
  }
  if (serviceHead.length > 0) service.unshift(serviceHead);
  if (clientHead && clientHead.length > 0) client.unshift(clientHead);
  service.on('error', () => client.destroy());
  client.on('error', () => service.destroy());
  service.once('close', () => client.destroySoon());
  client.once('close', () => service.destroySoon());
  service.pipe(client).pipe(service);
}
