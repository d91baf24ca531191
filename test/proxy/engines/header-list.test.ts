// The undici engine's outgoing header list: ClientRequest-like edits over a flat [name, value] list.
import { describe, expect, it } from 'vitest';
import { HeaderList } from '../../../src/proxy/engines/header-list.js';

describe('HeaderList', () => {
  const list = () => new HeaderList('GET', '/orders/7', ['accept', 'application/json', 'cookie', 'a=1', 'x-many', 'one', 'x-many', 'two']);

  it('reads a header by any case, several values as a list', () => {
    const headers = list();
    expect(headers.getHeader('Accept')).toBe('application/json');
    expect(headers.getHeader('x-many')).toEqual(['one', 'two']);
    expect(headers.getHeader('x-none')).toBeUndefined();
    expect(headers.hasHeader('COOKIE')).toBe(true);
    expect(headers.hasHeader('x-none')).toBe(false);
  });

  it('replaces every value of a header it sets, lower-cased, numbers as strings and lists as one field per value', () => {
    const headers = list();
    headers.setHeader('X-Many', 'only');
    headers.setHeader('Content-Length', 12);
    headers.setHeader('x-list', ['a', 'b']);
    expect(headers.fields).toEqual(['accept', 'application/json', 'cookie', 'a=1', 'x-many', 'only', 'content-length', '12', 'x-list', 'a', 'x-list', 'b']);
  });

  it('removes every value of a header, and nothing for one it does not have', () => {
    const headers = list();
    headers.removeHeader('X-MANY');
    headers.removeHeader('x-none');
    expect(headers.fields).toEqual(['accept', 'application/json', 'cookie', 'a=1']);
    expect({ method: headers.method, path: headers.path }).toEqual({ method: 'GET', path: '/orders/7' });
  });
});
