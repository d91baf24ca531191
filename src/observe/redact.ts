// What never reaches a log: credentials in headers and token-like query parameters.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

export const REDACTED = '[Redacted]';

/** Headers redacted by default. */
export const DEFAULT_REDACTED_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-auth-token', 'x-csrf-token'];

// Query parameter names that carry credentials, matched anywhere in the (lower-cased) name.
const SENSITIVE_QUERY = /token|secret|password|passwd|pwd|signature|sig$|api[-_]?key|apikey|auth|session|credential|^code$|^key$/;

/** Whether a query parameter or JSON field of this name carries a credential. */
export function isSensitiveName(name: string): boolean {
  return SENSITIVE_QUERY.test(name.toLowerCase());
}

/** Copies headers with the values of `names` (lower-case) replaced by [Redacted]. */
export function redactHeaders(headers: IncomingHttpHeaders | OutgoingHttpHeaders, names: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name in headers) out[name] = names.has(name.toLowerCase()) ? REDACTED : headers[name];
  return out;
}

/** The URL with the values of token-like query parameters (and any in `extra`) replaced by [Redacted]. */
export function redactUrl(url: string, extra: ReadonlySet<string>): string {
  const query = url.indexOf('?');
  if (query === -1) return url;
  const params = url
    .slice(query + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return pair;
      const name = safeDecode(pair.slice(0, eq)).toLowerCase();
      return isSensitiveName(name) || extra.has(name) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
    });
  return `${url.slice(0, query)}?${params.join('&')}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
