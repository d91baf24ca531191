import { describe, expect, it } from 'vitest';
import { isIgnored, parseIgnore } from '../../src/shadow/ignore-paths.js';

describe('ignore paths', () => {
  it('parses dots, brackets, wildcards and an optional $. prefix', () => {
    expect(parseIgnore('updatedAt')).toEqual(['updatedAt']);
    expect(parseIgnore('$.items[*].id')).toEqual(['items', '*', 'id']);
    expect(parseIgnore('items.*.id')).toEqual(['items', '*', 'id']);
    expect(parseIgnore('$[0].etag')).toEqual(['0', 'etag']);
  });

  it('ignores a path, everything below it, and any key or index where the pattern has *', () => {
    const patterns = ['meta', 'items[*].id', '*.etag'].map(parseIgnore);
    expect(isIgnored(['meta'], patterns)).toBe(true);
    expect(isIgnored(['meta', 'generatedAt'], patterns)).toBe(true);
    expect(isIgnored(['items', 3, 'id'], patterns)).toBe(true);
    expect(isIgnored(['user', 'etag'], patterns)).toBe(true);
    expect(isIgnored(['items', 3, 'price'], patterns)).toBe(false);
    expect(isIgnored(['items'], patterns)).toBe(false);
    expect(isIgnored(['metadata'], patterns)).toBe(false);
    expect(isIgnored(['etag'], patterns)).toBe(false);
  });
});
