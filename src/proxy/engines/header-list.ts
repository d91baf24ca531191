// The outgoing headers of a request the undici engine sends, editable by plugins as Node's ClientRequest's are.
import type { ProxyRequest } from '../../types.js';

/**
 * A flat header list, [name, value, name, value, ...] with lower-case names (a field given several
 * values appears once per value), behind the ClientRequest-like methods `onProxyRequest` hooks use.
 * A request carries a dozen headers or so, so a lookup is a short scan, cheaper than building a map.
 *
 * @example
 * ```ts
 * const outgoing = new HeaderList('GET', '/orders/7', ['accept', 'application/json']);
 * outgoing.setHeader('x-route', 'orders');
 * pool.dispatch({ method: outgoing.method, path: outgoing.path, headers: outgoing.fields }, handler);
 * ```
 */
export class HeaderList implements ProxyRequest {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly fields: string[],
  ) {}

  getHeader(name: string): string | string[] | undefined {
    const lower = name.toLowerCase();
    const { fields } = this;
    let found: string | string[] | undefined;
    for (let i = 0; i < fields.length; i += 2) {
      if (fields[i] !== lower) continue;
      const value = fields[i + 1] as string;
      found = found === undefined ? value : typeof found === 'string' ? [found, value] : [...found, value];
    }
    return found;
  }

  setHeader(name: string, value: number | string | readonly string[]): this {
    const lower = name.toLowerCase();
    this.removeHeader(lower);
    if (typeof value === 'number') this.fields.push(lower, String(value));
    else if (typeof value === 'string') this.fields.push(lower, value);
    else for (const item of value) this.fields.push(lower, item);
    return this;
  }

  removeHeader(name: string): void {
    const lower = name.toLowerCase();
    const { fields } = this;
    for (let i = fields.length - 2; i >= 0; i -= 2) if (fields[i] === lower) fields.splice(i, 2);
  }

  hasHeader(name: string): boolean {
    const lower = name.toLowerCase();
    const { fields } = this;
    for (let i = 0; i < fields.length; i += 2) if (fields[i] === lower) return true;
    return false;
  }
}
