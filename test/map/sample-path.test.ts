// From an Express path pattern to a path figway's table can match, in Express 4 and 5 syntax.
import { describe, expect, it } from 'vitest';
import { areaOf } from '../../src/map/area.js';
import { samplePath } from '../../src/map/sample-path.js';

describe('sample path', () => {
  it.each([
    ['/api/orders', '/api/orders'],
    ['/api/orders/:id', '/api/orders/:id'],
    ['/users/:id(\\d+)/files/*', '/users/:id/files/:wild'],
    ['/docs{/:page}', '/docs/:page'],
    ['/files/*path', '/files/:path'],
    ['/users/:id?', '/users/:id'],
    ['/', '/'],
    ['/api/cart/', '/api/cart'],
  ])('%s → %s', (pattern, sample) => {
    expect(samplePath(pattern)).toBe(sample);
  });

  it('has no path for what is not one', () => {
    expect(samplePath('*')).toBeUndefined();
  });
});

describe('area', () => {
  it.each([
    ['/api/orders/:id', 'api'],
    ['/account', 'account'],
    ['/', '/'],
    ['/:tenant/orders', '/'],
    ['/*splat', '/'],
  ])('%s is in %s', (path, area) => {
    expect(areaOf(path)).toBe(area);
  });
});
