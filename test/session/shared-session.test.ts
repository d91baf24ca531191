import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { compileSessionSharing } from '../../src/session/shared-session.js';

const requestWith = (session: unknown) => ({ session }) as unknown as IncomingMessage;

describe('compileSessionSharing', () => {
  it("shares the route's own list, else the section's, and nothing for an empty list", () => {
    const missing = () => undefined;
    expect(compileSessionSharing({ share: ['a'] }, { share: ['b'] }, missing)?.(requestWith({ a: 1, b: 2 }), 'r')).toEqual({ json: '{"b":2}' });
    expect(compileSessionSharing({ share: ['a'] }, undefined, missing)?.(requestWith({ a: 1, b: 2 }), 'r')?.json).toBe('{"a":1}');
    expect(compileSessionSharing({ share: ['a'] }, { share: [] }, missing)).toBeUndefined();
  });

  it('signs a copy of exactly the JSON it measured, not the live session', () => {
    const live = { cart: [1] };
    const shared = compileSessionSharing(undefined, { share: ['cart'] }, () => undefined)?.(requestWith(live), 'r');
    live.cart.push(2);
    expect(shared).toEqual({ json: '{"cart":[1]}' });
  });

  it('fails with FIGWAY_SESSION_TOO_LARGE over maxBytes, and FIGWAY_SESSION_NOT_JSON without naming what JSON could not carry', () => {
    const share = compileSessionSharing({ maxBytes: 10 }, { share: ['cart'] }, () => undefined);
    expect(() => share?.(requestWith({ cart: 'x'.repeat(20) }), 'cart')).toThrow(expect.objectContaining({ code: 'FIGWAY_SESSION_TOO_LARGE' }));
    const cyclic: Record<string, unknown> = {};
    cyclic.secretKeyName = cyclic;
    const unserialisable = compileSessionSharing(undefined, { share: ['cart'] }, () => undefined);
    let thrown: unknown;
    try {
      unserialisable?.(requestWith({ cart: cyclic }), 'cart');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ code: 'FIGWAY_SESSION_NOT_JSON' });
    expect((thrown as Error).message).not.toContain('secretKeyName');
  });

  it('tells `missing` when the request has no session, and shares nothing', () => {
    const told: string[] = [];
    expect(compileSessionSharing(undefined, { share: ['cart'] }, (route) => told.push(route))?.(requestWith(undefined), 'cart')).toBeUndefined();
    expect(told).toEqual(['cart']);
  });
});
