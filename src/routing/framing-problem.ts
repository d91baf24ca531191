// Request framing a service could read differently from Node, found before anything is forwarded.
import type { IncomingMessage } from 'node:http';

/**
 * Why this request's framing is unsafe to forward, or undefined when it is plain. Node's parser
 * already refuses conflicting or repeated Content-Length, Content-Length with Transfer-Encoding,
 * and a Transfer-Encoding that does not end in `chunked`; it still accepts codings before
 * `chunked` (`identity, chunked`, `x, chunked`, two headers joined into one) and reads an empty
 * Transfer-Encoding as no body at all. Servers disagree on those (a proxy that forwards them as
 * sent lets the service see a different request boundary than Node did), so only exactly
 * `chunked` passes.
 */
export function findFramingProblem(req: IncomingMessage): string | undefined {
  const codings = req.headers['transfer-encoding'];
  if (codings === undefined || codings.trim().toLowerCase() === 'chunked') return undefined;
  return `Transfer-Encoding ${JSON.stringify(codings)} is not exactly "chunked"`;
}
