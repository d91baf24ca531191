// figway's own identity sources answer directly, and at once whenever they can: a session, an API
// key, a JWT seen before. Only a JWT not seen yet is verified (asynchronously, with jose).
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ApiKeyStrategy, JwtStrategy, SessionStrategy } from '../../src/auth/strategies.js';
import { sign } from '../helpers/tokens.js';

const SECRET = 'a-very-long-hmac-secret-for-tests-0123456789';
const fields = { idField: 'sub', rolesField: 'roles', scopesField: 'scope' };
const requestWith = (headers: Record<string, string>, extra: object = {}) => ({ headers, url: '/', ...extra }) as unknown as IncomingMessage;

describe('SessionStrategy', () => {
  it("answers at once with the session's user, or that there is none", () => {
    const strategy = new SessionStrategy(fields);
    expect(strategy.check(requestWith({}, { user: { sub: 'u-1', roles: ['staff'] } }))).toMatchObject({ user: { id: 'u-1', source: 'session', roles: ['staff'] } });
    expect(strategy.check(requestWith({}))).toEqual({ challenge: { invalid: false, scheme: 'Session', message: 'no session' } });
  });
});

describe('ApiKeyStrategy', () => {
  const strategy = new ApiKeyStrategy([{ id: 'ci', key: 'key-0123456789abcdef', roles: ['deployer'] }], 'x-api-key', undefined);

  it('answers at once: a known key, an unknown one, none', () => {
    expect(strategy.check(requestWith({ 'x-api-key': 'key-0123456789abcdef' }))).toMatchObject({ user: { id: 'ci', source: 'apiKey', roles: ['deployer'] } });
    expect(strategy.check(requestWith({ 'x-api-key': 'key-not-known-at-all' }))).toMatchObject({ challenge: { invalid: true, message: 'unknown API key' } });
    expect(strategy.check(requestWith({}))).toMatchObject({ challenge: { invalid: false, message: 'no API key' } });
  });
});

describe('JwtStrategy', () => {
  it('verifies a token the first time and answers from its cache, without a promise, afterwards', async () => {
    const strategy = new JwtStrategy({ secret: SECRET }, fields);
    const request = requestWith({ authorization: `Bearer ${await sign(SECRET, { sub: 'u-42', roles: ['admin'] })}` });
    const first = strategy.check(request);
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toMatchObject({ user: { id: 'u-42', source: 'jwt', roles: ['admin'] } });
    const again = strategy.check(request);
    expect(again).not.toBeInstanceOf(Promise);
    expect(again).toMatchObject({ user: { id: 'u-42', source: 'jwt' } });
  });

  it('says why a token is refused, and never caches a refusal', async () => {
    const strategy = new JwtStrategy({ secret: SECRET }, fields);
    const forged = requestWith({ authorization: `Bearer ${await sign('another-secret-of-enough-length-000000', { sub: 'u-42' })}` });
    for (let i = 0; i < 2; i++) {
      const outcome = strategy.check(forged);
      expect(outcome).toBeInstanceOf(Promise);
      expect(await outcome).toMatchObject({ challenge: { invalid: true, message: 'the token signature is invalid' } });
    }
    expect(strategy.check(requestWith({}))).toMatchObject({ challenge: { invalid: false, message: 'no bearer token' } });
  });
});
