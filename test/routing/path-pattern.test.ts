// parsePathPattern: prefix, exact, :param and trailing /* patterns, and the messages for bad ones.
import { describe, expect, it } from 'vitest';
import { parsePathPattern } from '../../src/routing/path-pattern.js';

describe('parsePathPattern: valid patterns', () => {
  it('parses a literal path as a prefix', () => {
    expect(parsePathPattern('/api/orders')).toEqual({
      source: '/api/orders',
      segments: [
        { kind: 'literal', value: 'api' },
        { kind: 'literal', value: 'orders' },
      ],
      prefix: true,
    });
  });

  it('parses a literal path with exact as not a prefix', () => {
    expect(parsePathPattern('/api/orders', true)).toEqual({
      source: '/api/orders',
      segments: [
        { kind: 'literal', value: 'api' },
        { kind: 'literal', value: 'orders' },
      ],
      prefix: false,
    });
  });

  it('parses :params as exact', () => {
    expect(parsePathPattern('/api/users/:id/orders/:order_2')).toEqual({
      source: '/api/users/:id/orders/:order_2',
      segments: [
        { kind: 'literal', value: 'api' },
        { kind: 'literal', value: 'users' },
        { kind: 'param', name: 'id' },
        { kind: 'literal', value: 'orders' },
        { kind: 'param', name: 'order_2' },
      ],
      prefix: false,
    });
  });

  it('parses a trailing /* as a prefix, without a segment for it', () => {
    expect(parsePathPattern('/api/users/:id/*')).toEqual({
      source: '/api/users/:id/*',
      segments: [
        { kind: 'literal', value: 'api' },
        { kind: 'literal', value: 'users' },
        { kind: 'param', name: 'id' },
      ],
      prefix: true,
    });
    expect(parsePathPattern('/*')).toEqual({ source: '/*', segments: [], prefix: true });
  });

  it('parses the root as a prefix with no segments', () => {
    expect(parsePathPattern('/')).toEqual({ source: '/', segments: [], prefix: true });
    expect(parsePathPattern('/', true)).toEqual({ source: '/', segments: [], prefix: false });
  });

  it('ignores one trailing slash but keeps the source as written', () => {
    expect(parsePathPattern('/api/')).toEqual({ source: '/api/', segments: [{ kind: 'literal', value: 'api' }], prefix: true });
  });
});

describe('parsePathPattern: errors', () => {
  it.each([
    ['/api/:', false, '":" is not a valid parameter name (letters, digits, "_")'],
    ['/api/:1id', false, '":1id" is not a valid parameter name (letters, digits, "_")'],
    ['/api/:a-b', false, '":a-b" is not a valid parameter name (letters, digits, "_")'],
    ['/a/:id/b/:id', false, 'parameter ":id" appears twice'],
    ['/a/*/b', false, '"*" may only be the last segment'],
    ['/*/*', false, '"*" may only be the last segment'],
    ['/a/*', true, '"*" cannot be combined with exact: true'],
    ['/a//b', false, 'must not contain empty, "." or ".." segments'],
    ['/api//', false, 'must not contain empty, "." or ".." segments'],
    ['/a/./b', false, 'must not contain empty, "." or ".." segments'],
    ['/a/../b', false, 'must not contain empty, "." or ".." segments'],
    ['/..', false, 'must not contain empty, "." or ".." segments'],
    ['/a%2Fb', false, 'segment "a%2Fb" contains a character that is not allowed here (?, #, %, \\, *)'],
    ['/a*', false, 'segment "a*" contains a character that is not allowed here (?, #, %, \\, *)'],
    ['/a?b', false, 'segment "a?b" contains a character that is not allowed here (?, #, %, \\, *)'],
    ['/a\\b', false, 'segment "a\\b" contains a character that is not allowed here (?, #, %, \\, *)'],
  ])('%j (exact: %s) is refused with %j', (source, exact, message) => {
    expect(parsePathPattern(source, exact)).toBe(message);
  });
});
