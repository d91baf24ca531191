import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { compileWriteBack } from '../../src/session/write-back.js';

const encode = (patch: unknown) => Buffer.from(JSON.stringify(patch)).toString('base64url');

/** Applies `patch` to a copy of `session` under `write`; what the session became and what was refused. */
function apply(write: string[], session: Record<string, unknown>, patch: unknown, raw?: string) {
  const refusals: unknown[] = [];
  const req = { session: structuredClone(session) } as unknown as IncomingMessage & { session: Record<string, unknown> };
  compileWriteBack(undefined, { write }, (route, refusal) => refusals.push({ route, ...refusal }))(req, raw ?? encode(patch), 'cart');
  return { session: req.session, refusals };
}

describe('compileWriteBack', () => {
  const session = { cart: [{ sku: 'A1', qty: 1 }], prefs: { theme: 'dark', locale: 'de' }, secret: 's3cret' };

  it('applies a JSON merge patch to the listed keys: arrays and values replace, objects merge, null deletes', () => {
    const { session: after, refusals } = apply(['cart', 'prefs'], session, { cart: [{ sku: 'B2', qty: 3 }], prefs: { locale: 'fr', theme: null } });
    expect(after).toEqual({ cart: [{ sku: 'B2', qty: 3 }], prefs: { locale: 'fr' }, secret: 's3cret' });
    expect(refusals).toEqual([]);
  });

  it('refuses, and reports, every key the list does not cover, applying the rest', () => {
    const { session: after, refusals } = apply(['cart', 'prefs.locale'], session, { cart: [], secret: 'mine', prefs: { locale: 'fr', theme: 'light' }, admin: true });
    expect(after).toEqual({ cart: [], prefs: { theme: 'dark', locale: 'fr' }, secret: 's3cret' });
    expect(refusals).toEqual([{ route: 'cart', keys: ['secret', 'prefs.theme', 'admin'] }]);
  });

  it('takes * as any one name, and adds a level the session lacked only when something is written under it', () => {
    expect(apply(['flags.*'], {}, { flags: { beta: true } }).session).toEqual({ flags: { beta: true } });
    const refused = apply(['prefs.locale'], {}, { prefs: { theme: 'x' } });
    expect(refused.session).toEqual({});
    expect(refused.refusals).toEqual([{ route: 'cart', keys: ['prefs.theme'] }]);
  });

  it('never reaches a prototype through a __proto__ key', () => {
    const raw = Buffer.from('{"__proto__":{"polluted":true},"cart":{"__proto__":{"polluted":true},"n":1}}').toString('base64url');
    const { session: after, refusals } = apply(['*'], {}, undefined, raw);
    expect(after).toEqual({ cart: { n: 1 } });
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(refusals).toEqual([{ route: 'cart', keys: ['__proto__', 'cart.__proto__'] }]);
  });

  it('applies nothing from a patch it cannot read, and says why', () => {
    expect(apply(['cart'], session, undefined, 'not base64 json!').refusals).toEqual([{ route: 'cart', reason: 'it is not base64url-encoded JSON' }]);
    expect(apply(['cart'], session, [1, 2]).refusals).toEqual([{ route: 'cart', reason: 'it is not a JSON object' }]);
    const refusals: unknown[] = [];
    compileWriteBack(undefined, { write: ['cart'] }, (_route, refusal) => refusals.push(refusal))({} as IncomingMessage, encode({ cart: [] }), 'cart');
    expect(refusals).toEqual([{ reason: 'the request has no req.session' }]);
  });

  it("follows the route's list over the section's, and refuses everything with neither", () => {
    const req = { session: { cart: [] as unknown[] } } as unknown as IncomingMessage & { session: { cart: unknown[] } };
    const refusals: unknown[] = [];
    compileWriteBack({ write: ['cart'] }, { write: [] }, (_route, refusal) => refusals.push(refusal))(req, encode({ cart: [1] }), 'cart');
    expect(req.session.cart).toEqual([]);
    expect(refusals).toEqual([{ keys: ['cart'] }]);
    compileWriteBack({ write: ['cart'] }, undefined, () => undefined)(req, encode({ cart: [1] }), 'cart');
    expect(req.session.cart).toEqual([1]);
  });

  it("never touches what the session library keeps on the session: its cookie, read-only fields, its prototype's methods", () => {
    class LibrarySession {
      cart: unknown[] = [];
      cookie = { httpOnly: true };
      constructor() {
        Object.defineProperty(this, 'id', { value: 'sid-1' });
      }
      save(): string {
        return 'saved';
      }
    }
    const stored = new LibrarySession();
    const req = { session: stored } as unknown as IncomingMessage;
    const refusals: unknown[] = [];
    compileWriteBack(undefined, { write: ['*'] }, (_route, refusal) => refusals.push(refusal))(req, encode({ cart: [1], cookie: { httpOnly: false }, id: 'sid-2', save: null, constructor: 1 }), 'cart');
    expect(stored.cart).toEqual([1]);
    expect(stored.cookie).toEqual({ httpOnly: true });
    expect((stored as unknown as { id: string }).id).toBe('sid-1');
    expect(stored.save()).toBe('saved');
    expect(refusals).toEqual([{ keys: ['cookie', 'id', 'save', 'constructor'] }]);
  });
});
