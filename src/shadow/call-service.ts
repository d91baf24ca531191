// The shadow copy of a request sent to the service, with the same headers the proxy would send.
import type { IncomingMessage } from 'node:http';
import type { RequestContext } from '../context.js';
import { prepareRequestHeaders } from '../proxy/request-headers.js';
import { requestUpstream } from '../proxy/upstream-request.js';
import { BodyCollector } from '../proxy/body-collector.js';
import type { Captured } from './captured.js';

/**
 * Sends a body-less copy of the request to the route's service through its connection pool: the
 * path the proxy would send, headers prepared the same way (forwarding headers, identity headers
 * from the auth plugin's onProxyRequest hook). Rejects on a failure or after `timeoutMs`.
 */
export function callService(ctx: RequestContext, maxBody: number, timeoutMs: number): Promise<Captured> {
  const { upstream } = ctx.compiled;
  const headers = { ...ctx.req.headers };
  delete headers['content-length'];
  delete headers['transfer-encoding'];
  if (upstream.config.preserveHost !== true) headers.host = upstream.url.host;
  return new Promise((resolve, reject) => {
    const request = requestUpstream(upstream, ctx.upstreamPath, { method: ctx.req.method, headers, agent: upstream.agent });
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.on('response', (response: IncomingMessage) => {
      const collector = new BodyCollector(maxBody);
      response.on('data', (chunk: Buffer) => collector.add(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: collector.body() }));
      response.on('error', reject);
    });
    try {
      prepareRequestHeaders(request, ctx.req, ctx.forwarded);
      for (const hook of ctx.compiled.hooks.onProxyRequest) hook.fn(request, ctx, hook.options);
    } catch (err) {
      request.destroy(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    request.end();
  });
}
