import { describe, expect, it } from 'vitest';
import { compileShare } from '../../src/session/pick-session.js';

const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('compileShare', () => {
  const session = { cart: [{ sku: 'A1', qty: 2 }], locale: 'de', prefs: { theme: 'dark', locale: 'de-AT' }, flags: { beta: true, dark: false }, secret: 's3cret', cookie: { maxAge: 1000 } };

  it('copies exactly the listed keys, dot paths and one-level wildcards', () => {
    expect(plain(compileShare(['cart', 'prefs.theme', 'flags.*'])(session))).toEqual({ cart: [{ sku: 'A1', qty: 2 }], prefs: { theme: 'dark' }, flags: { beta: true, dark: false } });
  });

  it('leaves out what the session does not have, functions and undefined values', () => {
    const picked = compileShare(['missing', 'prefs.nothing', 'cart.sku', 'fn', 'gone'])({ ...session, fn: () => 1, gone: undefined });
    expect(plain(picked)).toEqual({});
  });

  it('takes * at one level only, through objects', () => {
    const nested = { carts: { a: { total: 1, items: [1] }, b: { total: 2 }, c: 'not an object' } };
    expect(plain(compileShare(['carts.*.total'])(nested))).toEqual({ carts: { a: { total: 1 }, b: { total: 2 } } });
  });

  it("never writes to the session's own objects when paths overlap", () => {
    const own = { prefs: { theme: 'dark', locale: 'de' } };
    const picked = compileShare(['prefs', 'prefs.locale'])(own);
    expect(picked.prefs).toBe(own.prefs);
    expect(own).toEqual({ prefs: { theme: 'dark', locale: 'de' } });
    expect(plain(compileShare(['prefs.locale', 'prefs'])(own))).toEqual({ prefs: { theme: 'dark', locale: 'de' } });
  });

  it('never copies a stored __proto__ key, which would set the copy\'s prototype', () => {
    const stored = JSON.parse('{"__proto__": {"polluted": true}, "cart": [], "prefs": {"__proto__": {"polluted": true}, "locale": "de"}}') as object;
    expect(JSON.stringify(compileShare(['__proto__', 'cart', 'prefs.*'])(stored))).toBe('{"cart":[],"prefs":{"locale":"de"}}');
    const picked = compileShare(['*'])(stored);
    // A value copied whole is the stored JSON as it is, its own keys included; no prototype is set.
    expect(JSON.stringify(picked)).toBe('{"cart":[],"prefs":{"__proto__":{"polluted":true},"locale":"de"}}');
    expect(Object.getPrototypeOf(picked)).toBe(Object.prototype);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});
