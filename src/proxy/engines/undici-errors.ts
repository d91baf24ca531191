// What undici reports going wrong towards a service, as figway's upstream errors.
import { FigwayError } from '../../errors.js';
import { tlsReason, toUpstreamError } from '../upstream-error.js';

/**
 * The FigwayError for an error undici raised: responses that are not HTTP, heads over Node's size
 * limit and bodies shorter than their Content-Length are 502 FIGWAY_UPSTREAM_BAD_RESPONSE, the rest as Node's errors
 * are (figway's own timeouts and refusals pass through unchanged).
 */
export function fromUndiciError(err: unknown, upstream: string): FigwayError {
  const code = (err as { code?: unknown } | undefined)?.code;
  // undici's parser errors do not always carry their HPE_ code; it drops a connection on an
  // unsolicited 100 Continue as a "bad response".
  if (
    code === 'UND_ERR_HEADERS_OVERFLOW' ||
    code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' ||
    (err as Error | undefined)?.name === 'HTTPParserError' ||
    (code === 'UND_ERR_SOCKET' && (err as Error).message === 'bad response')
  ) {
    return new FigwayError('FIGWAY_UPSTREAM_BAD_RESPONSE', `${upstream} answered with invalid HTTP (${(err as Error).message})`, { cause: err });
  }
  // A TLS alert undici replaced by its own "other side closed" (see the connection watch in undici-pool.ts).
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  if (code === 'UND_ERR_SOCKET' && typeof cause?.code === 'string' && tlsReason(cause.code)) return toUpstreamError(cause, upstream);
  return toUpstreamError(err, upstream);
}

/** The connection broke before the service answered (reset, or closed by the other side). */
export function isConnectionReset(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') && (err as Error).message !== 'bad response';
}
