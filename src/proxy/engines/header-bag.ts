// The outgoing headers of a request the undici engine sends, editable by figway and plugins as Node's ClientRequest's are.
import type { IncomingHttpHeaders } from 'node:http';
import type { ProxyRequest } from '../../types.js';

/** Header values as undici takes them; a removed header is left undefined (undici skips it) rather than deleted. */
export type HeaderRecord = Record<string, string | string[] | undefined>;

/**
 * The request's headers, copied, behind the ClientRequest-like methods `onProxyRequest` hooks use.
 *
 * @example
 * ```ts
 * const outgoing = new HeaderBag('GET', '/orders/7', req.headers);
 * outgoing.setHeader('x-forwarded-proto', 'https');
 * pool.dispatch({ method: outgoing.method, path: outgoing.path, headers: outgoing.headers }, handler);
 * ```
 */
export class HeaderBag implements ProxyRequest {
  readonly headers: HeaderRecord;

  constructor(
    readonly method: string,
    readonly path: string,
    incoming: IncomingHttpHeaders,
  ) {
    this.headers = { ...incoming };
  }

  getHeader(name: string): string | string[] | undefined {
    return this.headers[name.toLowerCase()];
  }

  setHeader(name: string, value: number | string | readonly string[]): this {
    this.headers[name.toLowerCase()] = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : [...value];
    return this;
  }

  removeHeader(name: string): void {
    this.headers[name.toLowerCase()] = undefined;
  }

  hasHeader(name: string): boolean {
    return this.headers[name.toLowerCase()] !== undefined;
  }
}
