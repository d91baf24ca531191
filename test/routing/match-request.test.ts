// matchRequest: from a request to its route on the normalised path — originalUrl over url, the
// query string, absolute-form targets, and refusing ambiguous paths only when they could reach a route.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { compileConditions } from '../../src/routing/match-conditions.js';
import { isUnder, matchRequest } from '../../src/routing/match-request.js';
import { parsePathPattern, type PathPattern } from '../../src/routing/path-pattern.js';
import { RouteTable } from '../../src/routing/route-table.js';

interface TestRoute {
  readonly id: string;
  readonly pattern: PathPattern;
  readonly conditions: ReturnType<typeof compileConditions>;
}

function route(id: string, path: string, methods?: string[]): TestRoute {
  const pattern = parsePathPattern(path);
  if (typeof pattern === 'string') throw new Error(pattern);
  return { id, pattern, conditions: compileConditions({ methods }) };
}

const orders = route('orders', '/api/orders');
const users = route('users', '/api/users/:id');
const admin = route('admin', '/admin', ['POST']);
const table = new RouteTable([orders, users, admin], { caseSensitive: false });

function req(target: { url?: string; originalUrl?: string }, method = 'GET'): IncomingMessage {
  return { ...target, method, headers: {} } as unknown as IncomingMessage;
}

describe('matchRequest: the path and query', () => {
  it('uses originalUrl over url and splits off the query string', () => {
    expect(matchRequest(table, req({ originalUrl: '/api/orders/7?x=1&y=/z', url: '/orders/7?x=1&y=/z' }))).toMatchObject({
      route: orders,
      path: '/api/orders/7',
      search: '?x=1&y=/z',
    });
    expect(matchRequest(table, req({ originalUrl: '/nothing', url: '/api/orders' }))).toBeUndefined();
  });

  it('falls back to url without originalUrl', () => {
    expect(matchRequest(table, req({ url: '/api/orders' }))).toMatchObject({ route: orders, path: '/api/orders', search: '' });
    expect(matchRequest(table, req({ url: '/api/orders?' }))).toMatchObject({ route: orders, path: '/api/orders', search: '?' });
  });

  it('reads a request without url as /', () => {
    const root = route('root', '/');
    expect(matchRequest(new RouteTable([root], { caseSensitive: false }), req({}))).toMatchObject({ route: root, path: '/', search: '' });
    expect(matchRequest(table, req({}))).toBeUndefined();
  });

  it('matches on, and returns, the normalised path', () => {
    expect(matchRequest(table, req({ url: '/api/./x/../orders//7?q' }))).toMatchObject({ route: orders, path: '/api/orders/7', search: '?q' });
    expect(matchRequest(table, req({ url: '/api/%2e%2e/api/users/%7Eme' }))).toMatchObject({ route: users, path: '/api/users/~me', search: '' });
  });

  it('reads the path of an absolute-form target', () => {
    expect(matchRequest(table, req({ url: 'http://h/api/x' }))).toBeUndefined();
    expect(matchRequest(table, req({ url: 'http://h.example:8080/api/orders/1?a=b' }))).toMatchObject({
      route: orders,
      path: '/api/orders/1',
      search: '?a=b',
    });
    expect(matchRequest(table, req({ url: 'HTTPS://h/api/users/9' }))).toMatchObject({ route: users, path: '/api/users/9', search: '' });
  });

  it('reads an absolute-form target without a path as /', () => {
    const root = route('root', '/');
    const withRoot = new RouteTable([root], { caseSensitive: false });
    expect(matchRequest(withRoot, req({ url: 'http://h' }))).toMatchObject({ route: root, path: '/', search: '' });
    expect(matchRequest(withRoot, req({ url: 'http://h?x=1' }))).toMatchObject({ route: root, path: '/', search: '?x=1' });
  });

  it('matches nothing for other request targets', () => {
    const withRoot = new RouteTable([route('root', '/')], { caseSensitive: false });
    expect(matchRequest(withRoot, req({ url: '*' }, 'OPTIONS'))).toBeUndefined();
    expect(matchRequest(withRoot, req({ url: 'mailto' }))).toBeUndefined();
    expect(matchRequest(withRoot, req({ url: 'api/orders' }))).toBeUndefined();
  });
});

describe('matchRequest: targets Express reads differently', () => {
  it('refuses a fragment whose reading before or after the cut reaches a route', () => {
    expect(matchRequest(table, req({ url: '/api/orders#x' }))).toEqual({ refused: 'fragment in request target' });
    expect(matchRequest(table, req({ url: '/api/orders/7#x?y=1' }))).toEqual({ refused: 'fragment in request target' });
    expect(matchRequest(table, req({ url: '/home#/api/orders' }))).toBeUndefined();
  });

  it('refuses non-http absolute forms that Express would route to a figway path', () => {
    expect(matchRequest(table, req({ url: 'ws://h/api/orders' }))).toEqual({ refused: 'unusual request target' });
    expect(matchRequest(table, req({ url: 'ftp:/api/orders' }))).toEqual({ refused: 'unusual request target' });
    expect(matchRequest(table, req({ url: 'ftp://h/home' }))).toBeUndefined();
  });

  it('records the path as received, so the legacy side can be given the matched form', () => {
    expect(matchRequest(table, req({ url: '/api/x/../orders?q' }))).toMatchObject({ path: '/api/orders', receivedPath: '/api/x/../orders' });
  });
});

describe('matchRequest: ambiguous paths', () => {
  it('refuses an ambiguous path whose lenient reading reaches a route', () => {
    expect(matchRequest(table, req({ url: '/api%2Forders' }))).toEqual({ refused: 'encoded slash in path' });
    expect(matchRequest(table, req({ url: '/api/orders/a%2Fb?x=1' }))).toEqual({ refused: 'encoded slash in path' });
    expect(matchRequest(table, req({ url: '/api\\orders' }))).toEqual({ refused: 'backslash in path' });
    expect(matchRequest(table, req({ url: '/api/orders/%zz' }))).toEqual({ refused: 'malformed percent-encoding' });
    expect(matchRequest(table, req({ url: '/api/orders/%C0%AE' }))).toEqual({ refused: 'percent-encoded bytes are not valid UTF-8' });
  });

  it('refuses an ambiguous path whose strict reading reaches a :param route', () => {
    expect(matchRequest(table, req({ url: '/api/users/a%2Fb' }))).toEqual({ refused: 'encoded slash in path' });
  });

  it('refuses an overlong-UTF-8 traversal that leniently escapes to another route', () => {
    expect(matchRequest(table, req({ url: '/x/%C0%AE%C0%AE/admin' }, 'POST'))).toEqual({ refused: 'percent-encoded bytes are not valid UTF-8' });
  });

  it('refuses a traversal that leniently escapes to another route', () => {
    expect(matchRequest(table, req({ url: '/files%2F..%2Fadmin' }, 'POST'))).toEqual({ refused: 'encoded slash in path' });
  });

  it('lets through an ambiguous path that no route takes, even read leniently', () => {
    expect(matchRequest(table, req({ url: '/files/a%2Fb' }))).toBeUndefined();
    expect(matchRequest(table, req({ url: '/api%2F..%2Fnothing' }))).toBeUndefined();
    expect(matchRequest(table, req({ url: '/files%2F..%2Fadmin' }, 'GET'))).toBeUndefined();
  });
});

describe('isUnder', () => {
  it('is true for the mount path and below it, segment by segment', () => {
    expect(isUnder('/shop', '/shop')).toBe(true);
    expect(isUnder('/shop/cart', '/shop')).toBe(true);
    expect(isUnder('/shopping/cart', '/shop')).toBe(false);
    expect(isUnder('/api/orders', '/shop')).toBe(false);
  });
});
