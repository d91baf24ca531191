import { describe, expect, it } from 'vitest';
import { inlineSource } from '../../src/config-kit/config-source.js';
import { SESSION_CHECKS } from '../../src/session/check-session.js';
import { problemLines } from '../helpers/problems.js';

const source = inlineSource();

describe('session checks', () => {
  it('refuses sharing the session without auth.token, at every place that shares', () => {
    const config = { session: { share: ['cart'] }, routes: [{ session: { share: ['locale'] } }, {}, { session: { share: [] } }] };
    expect(problemLines(SESSION_CHECKS.sharingHasASigningKey(config, source))).toEqual([
      "session.share needs auth.token: a service can trust the session it is sent only when figway signs it, with auth.token's key",
      "routes[0].session.share needs auth.token: a service can trust the session it is sent only when figway signs it, with auth.token's key",
    ]);
  });

  it('accepts sharing with auth.token, and no sharing without it', () => {
    expect(SESSION_CHECKS.sharingHasASigningKey({ auth: { token: {} }, session: { share: ['cart'] }, routes: [] }, source)).toEqual([]);
    expect(SESSION_CHECKS.sharingHasASigningKey({ session: { share: [] }, routes: [{ session: {} }] }, source)).toEqual([]);
  });
});
