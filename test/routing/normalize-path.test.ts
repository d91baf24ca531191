// normalizePath: the one reading of a request path (decoding, slash merging, dot segments) and the
// ambiguous paths it refuses to guess, with the lenient reading a permissive server would make.
import { describe, expect, it } from 'vitest';
import { normalizePath, removeDotSegments } from '../../src/routing/normalize-path.js';

describe('normalizePath: paths that are already normal', () => {
  it.each(['/', '/api/orders/7', '/api/orders/', '/files/report.v2.pdf', '/.well-known/thing', '/a/..b/c.', '/a-b_c~d'])(
    'returns %s unchanged',
    (path) => {
      expect(normalizePath(path)).toBe(path);
    },
  );
});

describe('normalizePath: decoding', () => {
  it('decodes percent-encoded unreserved characters', () => {
    expect(normalizePath('/%7Euser')).toBe('/~user');
    expect(normalizePath('/%7euser')).toBe('/~user');
    expect(normalizePath('/%41%62%2D%5f%30')).toBe('/Ab-_0');
    expect(normalizePath('/a%2eb')).toBe('/a.b');
  });

  it('upper-cases the escapes it keeps', () => {
    expect(normalizePath('/caf%c3%a9')).toBe('/caf%C3%A9');
    expect(normalizePath('/a%20b%3ac')).toBe('/a%20b%3Ac');
  });

  it('does not decode twice', () => {
    expect(normalizePath('/a%252e%252e/b')).toBe('/a%252e%252e/b');
    expect(normalizePath('/%25')).toBe('/%25');
  });
});

describe('normalizePath: slashes and dot segments', () => {
  it('merges repeated slashes', () => {
    expect(normalizePath('/a//b')).toBe('/a/b');
    expect(normalizePath('//a///b//')).toBe('/a/b/');
  });

  it('resolves . and .. segments', () => {
    expect(normalizePath('/a/./b/../c')).toBe('/a/c');
    expect(normalizePath('/a/b/..')).toBe('/a/');
    expect(normalizePath('/a/b/.')).toBe('/a/b/');
    expect(normalizePath('/a/./')).toBe('/a/');
  });

  it('resolves percent-encoded dot segments', () => {
    expect(normalizePath('/api/%2e%2e/admin')).toBe('/admin');
    expect(normalizePath('/api/%2E%2e/%2E/admin')).toBe('/admin');
    expect(normalizePath('/api/.%2e/')).toBe('/');
  });

  it('keeps .. above the root at the root', () => {
    expect(normalizePath('/..')).toBe('/');
    expect(normalizePath('/../../etc/passwd')).toBe('/etc/passwd');
    expect(normalizePath('/a/../../b')).toBe('/b');
  });

  it('merges slashes before resolving dot segments', () => {
    expect(normalizePath('/a/.//b')).toBe('/a/b');
    expect(normalizePath('/a//../b')).toBe('/b');
  });

  it('removeDotSegments follows RFC 3986 for absolute paths', () => {
    expect(removeDotSegments('/a/b/c/./../../g')).toBe('/a/g');
    expect(removeDotSegments('/mid/content=5/../6')).toBe('/mid/6');
    expect(removeDotSegments('/no/dots')).toBe('/no/dots');
  });
});

describe('normalizePath: ambiguous paths', () => {
  it.each([
    ['/api%2F..%2Fadmin', 'encoded slash in path', '/admin'],
    ['/api%2forders', 'encoded slash in path', '/api/orders'],
    ['/a%5Cb', 'encoded backslash in path', '/a/b'],
    ['/a%5c..%5cb', 'encoded backslash in path', '/b'],
    ['/a\\b', 'backslash in path', '/a/b'],
    ['/api\\..\\admin', 'backslash in path', '/admin'],
    ['/a%00b', 'encoded NUL in path', '/ab'],
    ['/a\0b', 'NUL in path', '/ab'],
    ['/a%zzb', 'malformed percent-encoding', '/a%25zzb'],
    ['/a%', 'malformed percent-encoding', '/a%25'],
    ['/a%2', 'malformed percent-encoding', '/a%252'],
    ['/a/%C0%AE%C0%AE/b', 'percent-encoded bytes are not valid UTF-8', '/b'],
    ['/a%C0%AFb', 'percent-encoded bytes are not valid UTF-8', '/a/b'],
    ['/a%FFb', 'percent-encoded bytes are not valid UTF-8', '/a%FFb'],
    ['/a%ffb', 'percent-encoded bytes are not valid UTF-8', '/a%FFb'],
    ['/svc/admin;x=1/secret', '";" parameter in path', '/svc/admin/secret'],
    ['/svc/open/..;/admin', '";" parameter in path', '/svc/admin'],
    ['/a;jsessionid=1', '";" parameter in path', '/a'],
    ['/a%3Bx/b', '";" parameter in path', '/a/b'],
    ['/a%3bx%2F..%2F/b', '";" parameter in path', '/a/b'],
  ])('%j is ambiguous (%s), read leniently as %s', (raw, reason, lenient) => {
    expect(normalizePath(raw)).toMatchObject({ reason, lenient });
  });

  it('keeps the ambiguous bytes encoded in the strict reading', () => {
    expect(normalizePath('/api/users/a%2fb')).toEqual({ reason: 'encoded slash in path', strict: '/api/users/a%2Fb', lenient: '/api/users/a/b' });
    expect(normalizePath('/a/%C0%AE%C0%AE/b')).toMatchObject({ strict: '/a/%C0%AE%C0%AE/b' });
  });

  it('keeps ";" parameters in the strict reading, as Express and most Node servers read them', () => {
    expect(normalizePath('/svc/open/..;/admin')).toEqual({ reason: '";" parameter in path', strict: '/svc/open/..;/admin', lenient: '/svc/admin' });
    expect(normalizePath('/a%3bx/./b')).toMatchObject({ strict: '/a%3Bx/b' });
  });

  it('reports the first problem found and still normalises the lenient reading', () => {
    expect(normalizePath('//x/%2F/./y%FF')).toMatchObject({ reason: 'encoded slash in path', lenient: '/x/y%FF' });
    expect(normalizePath('/a\\b%2Fc')).toMatchObject({ reason: 'backslash in path', lenient: '/a/b/c' });
  });

  it('accepts valid multi-byte UTF-8 escapes next to ASCII ones', () => {
    expect(normalizePath('/%E2%82%AC/%e6%97%a5%7E')).toBe('/%E2%82%AC/%E6%97%A5~');
  });
});
