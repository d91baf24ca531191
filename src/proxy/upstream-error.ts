// Turns what can go wrong towards a service into a stable FigwayError (502 or 504).
import { FigwayError } from '../errors.js';

/**
 * The FigwayError for an error raised while proxying to `upstream`: timeouts are 504, invalid HTTP
 * and every connection failure (refused, DNS, reset) are 502.
 */
export function toUpstreamError(err: unknown, upstream: string): FigwayError {
  if (err instanceof FigwayError) return err;
  const code = (err as { code?: unknown } | undefined)?.code;
  const text = typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
  if (code === 'ETIMEDOUT') return new FigwayError('FIGWAY_UPSTREAM_CONNECT_TIMEOUT', `${upstream} accepted no connection (${text})`, { cause: err });
  if (typeof code === 'string' && code.startsWith('HPE_')) {
    return new FigwayError('FIGWAY_UPSTREAM_BAD_RESPONSE', `${upstream} answered with invalid HTTP (${text})`, { cause: err });
  }
  return new FigwayError('FIGWAY_UPSTREAM_UNAVAILABLE', `${upstream} is unavailable (${text})`, { cause: err });
}
