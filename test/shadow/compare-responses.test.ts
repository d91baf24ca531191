import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Captured } from '../../src/proxy/captured.js';
import { compareResponses } from '../../src/shadow/compare-responses.js';
import { parseIgnore } from '../../src/shadow/ignore-paths.js';

const json = (value: unknown, status = 200, headers: Record<string, string> = {}): Captured => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: Buffer.from(JSON.stringify(value)),
});
const settings = (ignore: string[] = [], headers = ['content-type']) => ({ headers, ignore: ignore.map(parseIgnore), maxBodyBytes: 1 << 20 });

describe('compareResponses', () => {
  it('finds nothing between equal responses, whatever the key order', () => {
    expect(compareResponses(json({ a: 1, b: [1, 2] }), json({ b: [1, 2], a: 1 }), settings())).toEqual([]);
  });

  it('names the status, the chosen headers, and each JSON difference by its path', () => {
    const primary = json({ total: 12, items: [{ id: 1, name: 'a' }], gone: true }, 200);
    const shadow = json({ total: 13, items: [{ id: 1, name: 'b' }], extra: 'x' }, 500, { 'content-type': 'text/plain' });
    expect(compareResponses(primary, shadow, settings())).toEqual([
      'status 200 → 500',
      'header content-type: application/json → text/plain',
      'body.total: 12 → 13',
      'body.items[0].name: "a" → "b"',
      'body.gone missing',
      'body.extra added: "x"',
    ]);
  });

  it('leaves out ignored paths, and only those', () => {
    const primary = json({ generatedAt: '2026-11-22T10:00:00Z', items: [{ id: 'a1', price: 5 }, { id: 'a2', price: 6 }] });
    const shadow = json({ generatedAt: '2026-11-22T10:00:01Z', items: [{ id: 'b1', price: 5 }, { id: 'b2', price: 7 }] });
    expect(compareResponses(primary, shadow, settings(['generatedAt', 'items[*].id']))).toEqual(['body.items[1].price: 6 → 7']);
    expect(compareResponses(primary, shadow, settings())).toHaveLength(4);
  });

  it('compares a header only when configured, and shows a missing one as (none)', () => {
    const primary = json({}, 200, { etag: 'a', 'cache-control': 'no-store' });
    const shadow = json({}, 200, { etag: 'b' });
    expect(compareResponses(primary, shadow, settings([], ['cache-control']))).toEqual(['header cache-control: no-store → (none)']);
  });

  it('compares non-JSON bodies byte for byte', () => {
    const text = (body: string): Captured => ({ status: 200, headers: { 'content-type': 'text/html' }, body: Buffer.from(body) });
    expect(compareResponses(text('<p>a</p>'), text('<p>a</p>'), settings())).toEqual([]);
    expect(compareResponses(text('<p>a</p>'), text('<p>ab</p>'), settings())).toEqual(['body differs (8 bytes → 9 bytes)']);
  });

  it('compares a gzipped body with a plain one by content', () => {
    const gzipped: Captured = { status: 200, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(JSON.stringify({ a: 1 })) };
    expect(compareResponses(gzipped, json({ a: 1 }), settings())).toEqual([]);
    expect(compareResponses(gzipped, json({ a: 2 }), settings())).toEqual(['body.a: 1 → 2']);
  });

  it('hides credential-like values, cuts long ones, and caps the list', () => {
    expect(compareResponses(json({ password: 'hunter2' }), json({ password: 'hunter3' }), settings())).toEqual(['body.password: [Redacted] → [Redacted]']);
    const [long] = compareResponses(json({ text: 'x'.repeat(500) }), json({ text: 'y' }), settings());
    expect(long?.length).toBeLessThan(100);
    const many = compareResponses(json(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, 1]))), json({}), settings());
    expect(many).toHaveLength(21);
    expect(many.at(-1)).toBe('… and 10 more');
  });
});
