import { describe, expect, it } from 'vitest';
import { AUTH_CHECKS } from '../../src/auth/check-auth.js';
import { inlineSource } from '../../src/config-kit/config-source.js';
import { problemLines } from '../helpers/problems.js';

const source = inlineSource();
const SECRET = 'a-secret-of-at-least-thirty-two-characters';

describe('auth checks', () => {
  it('wants exactly one JWT key, fitting the algorithms listed', () => {
    expect(problemLines(AUTH_CHECKS.jwtHasOneKey({ auth: { jwt: {} } }, source))).toEqual(['auth.jwt needs one of secret, publicKey, jwksUrl']);
    expect(problemLines(AUTH_CHECKS.jwtAlgorithmsFitTheKey({ auth: { jwt: { secret: SECRET, algorithms: ['HS256', 'RS256'] } } }, source))).toEqual([
      'auth.jwt.algorithms[1] RS256 needs a public key, not a secret',
    ]);
  });

  it('refuses a source that is listed but not configured', () => {
    expect(problemLines(AUTH_CHECKS.authSourcesAreConfigured({ auth: { sources: ['session', 'jwt'] } }, source))).toEqual(['auth.sources[1] jwt is listed but auth.jwt is not configured']);
  });
});
