// RouteTable: which route takes a (normalised) path — segment-boundary prefixes, precedence
// (depth, literal over :param, exact over prefix, declaration order), backtracking, case
// sensitivity, method/host/header conditions, and a large table.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { compileConditions, type MatchConditionsConfig } from '../../src/routing/match-conditions.js';
import { parsePathPattern, type PathPattern } from '../../src/routing/path-pattern.js';
import { RouteTable } from '../../src/routing/route-table.js';

interface TestRoute {
  readonly id: string;
  readonly pattern: PathPattern;
  readonly conditions: ReturnType<typeof compileConditions>;
}

function route(id: string, path: string, options: MatchConditionsConfig & { exact?: boolean } = {}): TestRoute {
  const { exact, ...conditions } = options;
  const pattern = parsePathPattern(path, exact);
  if (typeof pattern === 'string') throw new Error(pattern);
  return { id, pattern, conditions: compileConditions(conditions) };
}

function req(method = 'GET', headers: Record<string, string | string[]> = {}): IncomingMessage {
  return { method, headers } as unknown as IncomingMessage;
}

function table(routes: TestRoute[], caseSensitive = false): RouteTable<TestRoute> {
  return new RouteTable(routes, { caseSensitive });
}

/** The id of the route taking `path`, or undefined. */
function idOf(t: RouteTable<TestRoute>, path: string, request: IncomingMessage = req()): string | undefined {
  return t.find(request, path)?.id;
}

describe('RouteTable: prefixes', () => {
  const t = table([route('orders', '/api/orders')]);

  it('matches a prefix on segment boundaries only', () => {
    expect(idOf(t, '/api/orders')).toBe('orders');
    expect(idOf(t, '/api/orders/7')).toBe('orders');
    expect(idOf(t, '/api/orders/')).toBe('orders');
    expect(idOf(t, '/api/orders/7/lines')).toBe('orders');
    expect(idOf(t, '/api/ordersx')).toBeUndefined();
    expect(idOf(t, '/api/order')).toBeUndefined();
    expect(idOf(t, '/api')).toBeUndefined();
    expect(idOf(t, '/')).toBeUndefined();
  });

  it('reports its size and case sensitivity', () => {
    expect(t.size).toBe(1);
    expect(t.caseSensitive).toBe(false);
  });

  it('lets a root prefix catch everything', () => {
    const withRoot = table([route('root', '/'), route('api', '/api')]);
    expect(idOf(withRoot, '/')).toBe('root');
    expect(idOf(withRoot, '/anything/deep/below')).toBe('root');
    expect(idOf(withRoot, '/apix')).toBe('root');
    expect(idOf(withRoot, '/api/x')).toBe('api');
  });
});

describe('RouteTable: precedence', () => {
  it('prefers deeper paths to shallower ones, whatever the order', () => {
    const t = table([route('api', '/api'), route('orders', '/api/orders'), route('lines', '/api/orders/:id/lines')]);
    expect(idOf(t, '/api/orders/7/lines')).toBe('lines');
    expect(idOf(t, '/api/orders/7/other')).toBe('orders');
    expect(idOf(t, '/api/orders/7')).toBe('orders');
    expect(idOf(t, '/api/users')).toBe('api');
  });

  it('prefers a literal segment to a :param at the same depth', () => {
    const t = table([route('user', '/users/:id'), route('me', '/users/me')]);
    expect(idOf(t, '/users/me')).toBe('me');
    expect(idOf(t, '/users/42')).toBe('user');
  });

  it('prefers an exact pattern to a prefix ending at the same node', () => {
    const t = table([route('prefix', '/api/orders'), route('exact', '/api/orders', { exact: true })]);
    expect(idOf(t, '/api/orders')).toBe('exact');
    expect(idOf(t, '/api/orders/7')).toBe('prefix');
  });

  it('takes, among routes with the same path, the first whose conditions hold', () => {
    const t = table([
      route('post', '/api', { methods: ['POST'] }),
      route('get', '/api', { methods: ['GET'] }),
      route('any', '/api'),
      route('later', '/api'),
    ]);
    expect(idOf(t, '/api/x', req('POST'))).toBe('post');
    expect(idOf(t, '/api/x', req('GET'))).toBe('get');
    expect(idOf(t, '/api/x', req('DELETE'))).toBe('any');
  });

  it('backtracks from a literal branch that leads nowhere to a :param branch', () => {
    const t = table([route('info', '/shop/special/info', { exact: true }), route('reviews', '/shop/:id/reviews')]);
    expect(idOf(t, '/shop/special/reviews')).toBe('reviews');
    expect(idOf(t, '/shop/special/info')).toBe('info');
    expect(idOf(t, '/shop/other/info')).toBeUndefined();
  });

  it('backtracks when the literal route exists but its conditions do not hold', () => {
    const t = table([route('special', '/shop/special', { methods: ['POST'] }), route('item', '/shop/:id')]);
    expect(idOf(t, '/shop/special', req('POST'))).toBe('special');
    expect(idOf(t, '/shop/special', req('GET'))).toBe('item');
  });

  it('falls back to a shallower prefix after both branches fail', () => {
    const t = table([route('shop', '/shop'), route('info', '/shop/special/info', { exact: true }), route('item', '/shop/:id', { methods: ['PUT'] })]);
    expect(idOf(t, '/shop/special/other')).toBe('shop');
    expect(idOf(t, '/shop/42')).toBe('shop');
    expect(idOf(t, '/shop/42', req('PUT'))).toBe('item');
  });
});

describe('RouteTable: :params and wildcards', () => {
  const t = table([route('user', '/api/users/:id'), route('below', '/api/items/:id/*')]);

  it('matches a :param pattern with exactly that many segments', () => {
    expect(idOf(t, '/api/users/42')).toBe('user');
    expect(idOf(t, '/api/users/42/')).toBe('user');
    expect(idOf(t, '/api/users')).toBeUndefined();
    expect(idOf(t, '/api/users/')).toBeUndefined();
    expect(idOf(t, '/api/users/42/orders')).toBeUndefined();
  });

  it('matches everything below a pattern ending in /*', () => {
    expect(idOf(t, '/api/items/7')).toBe('below');
    expect(idOf(t, '/api/items/7/a/b')).toBe('below');
    expect(idOf(t, '/api/items')).toBeUndefined();
  });
});

describe('RouteTable: case', () => {
  it('is case-insensitive by default, for the route and the path', () => {
    const t = table([route('orders', '/API/Orders')]);
    expect(idOf(t, '/api/orders')).toBe('orders');
    expect(idOf(t, '/Api/ORDERS/7')).toBe('orders');
  });

  it('is case-sensitive when configured', () => {
    const t = table([route('orders', '/api/Orders')], true);
    expect(t.caseSensitive).toBe(true);
    expect(idOf(t, '/api/Orders/7')).toBe('orders');
    expect(idOf(t, '/api/orders')).toBeUndefined();
    expect(idOf(t, '/API/Orders')).toBeUndefined();
  });
});

describe('RouteTable: conditions', () => {
  it('takes HEAD for a route that takes GET, and compares methods in any case', () => {
    const t = table([route('get', '/a', { methods: ['get'] }), route('post', '/b', { methods: ['POST'] })]);
    expect(idOf(t, '/a', req('GET'))).toBe('get');
    expect(idOf(t, '/a', req('HEAD'))).toBe('get');
    expect(idOf(t, '/a', req('POST'))).toBeUndefined();
    expect(idOf(t, '/b', req('POST'))).toBe('post');
    expect(idOf(t, '/b', req('HEAD'))).toBeUndefined();
    expect(idOf(t, '/b', { headers: {} } as unknown as IncomingMessage)).toBeUndefined();
  });

  it('matches an exact host, without its port, in any case', () => {
    const t = table([route('api', '/', { host: 'API.example.com' })]);
    expect(idOf(t, '/x', req('GET', { host: 'api.example.com' }))).toBe('api');
    expect(idOf(t, '/x', req('GET', { host: 'Api.Example.COM:8080' }))).toBe('api');
    expect(idOf(t, '/x', req('GET', { host: 'other.example.com' }))).toBeUndefined();
    expect(idOf(t, '/x', req('GET', { host: 'x.api.example.com' }))).toBeUndefined();
    expect(idOf(t, '/x', req('GET'))).toBeUndefined();
  });

  it('matches any subdomain with *.', () => {
    const t = table([route('sub', '/', { host: '*.Example.com' })]);
    expect(idOf(t, '/', req('GET', { host: 'a.example.com' }))).toBe('sub');
    expect(idOf(t, '/', req('GET', { host: 'a.b.EXAMPLE.com:443' }))).toBe('sub');
    expect(idOf(t, '/', req('GET', { host: 'example.com' }))).toBeUndefined();
    expect(idOf(t, '/', req('GET', { host: 'badexample.com' }))).toBeUndefined();
    expect(idOf(t, '/', req('GET', { host: '.example.com' }))).toBeUndefined();
  });

  it('takes a list of hosts and IPv6 literals', () => {
    const t = table([route('hosts', '/', { host: ['a.test', '[::1]'] })]);
    expect(idOf(t, '/', req('GET', { host: 'a.test:3000' }))).toBe('hosts');
    expect(idOf(t, '/', req('GET', { host: '[::1]:3000' }))).toBe('hosts');
    expect(idOf(t, '/', req('GET', { host: 'b.test' }))).toBeUndefined();
  });

  it('requires a header to be present when its rule is true', () => {
    const t = table([route('beta', '/', { headers: { 'X-Beta': true } })]);
    expect(idOf(t, '/', req('GET', { 'x-beta': 'anything' }))).toBe('beta');
    expect(idOf(t, '/', req('GET', { 'x-beta': '' }))).toBe('beta');
    expect(idOf(t, '/', req('GET', { 'x-other': '1' }))).toBeUndefined();
  });

  it('requires a header value, or one of a list', () => {
    const t = table([route('one', '/one', { headers: { 'x-beta': '1' } }), route('list', '/list', { headers: { 'x-beta': ['1', 'yes'] } })]);
    expect(idOf(t, '/one', req('GET', { 'x-beta': '1' }))).toBe('one');
    expect(idOf(t, '/one', req('GET', { 'x-beta': 'yes' }))).toBeUndefined();
    expect(idOf(t, '/list', req('GET', { 'x-beta': 'yes' }))).toBe('list');
    expect(idOf(t, '/list', req('GET', { 'x-beta': 'YES' }))).toBeUndefined();
    expect(idOf(t, '/list', req('GET', { 'x-beta': ['no', 'yes'] }))).toBe('list');
    expect(idOf(t, '/list', req('GET', { 'x-beta': ['no', 'nope'] }))).toBeUndefined();
  });

  it('requires every condition at once', () => {
    const t = table([route('all', '/api', { methods: ['POST'], host: 'a.test', headers: { 'x-beta': '1' } })]);
    const headers = { host: 'a.test', 'x-beta': '1' };
    expect(idOf(t, '/api', req('POST', headers))).toBe('all');
    expect(idOf(t, '/api', req('GET', headers))).toBeUndefined();
    expect(idOf(t, '/api', req('POST', { ...headers, host: 'b.test' }))).toBeUndefined();
    expect(idOf(t, '/api', req('POST', { host: 'a.test' }))).toBeUndefined();
  });

  it('compiles a match without conditions to undefined', () => {
    expect(compileConditions({})).toBeUndefined();
  });
});

describe('RouteTable: a large table', () => {
  const routes = Array.from({ length: 10_000 }, (_, i) => route(`svc${i}`, `/svc${i}/items/:id`));
  const t = table([...routes, route('svc-root', '/svc')]);

  it('holds every route', () => {
    expect(t.size).toBe(10_001);
  });

  it.each([
    ['/svc0/items/1', 'svc0'],
    ['/svc42/items/abc', 'svc42'],
    ['/SVC4242/Items/7', 'svc4242'],
    ['/svc9999/items/x', 'svc9999'],
    ['/svc/anything', 'svc-root'],
  ])('finds %s on %s', (path, id) => {
    expect(idOf(t, path)).toBe(id);
  });

  it.each(['/svc10000/items/1', '/svc5000/items', '/svc5000/items/1/2', '/svc5000/other/1'])('finds no route for %s', (path) => {
    expect(idOf(t, path)).toBeUndefined();
  });
});

describe('RouteTable: withRoutes', () => {
  const routes = [route('orders', '/api/orders', { methods: ['POST'] }), route('users', '/api/users')];
  const t = table(routes);

  it('answers with the new routes, matching as before', () => {
    const renamed = routes.map((r) => ({ ...r, id: `${r.id}-v2` }));
    const next = t.withRoutes(renamed);
    expect(idOf(next, '/api/users/7')).toBe('users-v2');
    expect(idOf(next, '/api/orders', req('POST'))).toBe('orders-v2');
    expect(idOf(next, '/api/orders', req('GET'))).toBeUndefined();
    expect(idOf(t, '/api/users/7')).toBe('users');
    expect(next.size).toBe(2);
  });

  it('refuses a list of another length', () => {
    expect(() => t.withRoutes(routes.slice(1))).toThrow(expect.objectContaining({ code: 'FIGWAY_INTERNAL', message: `withRoutes needs ${routes.length} routes, got ${routes.length - 1}` }));
  });
});
