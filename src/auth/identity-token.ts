// Identity tokens: a short-lived JWT per identity that services verify with any JWT library.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, SignJWT, type JWK } from 'jose';
import { LRUCache } from 'lru-cache';
import { defaultsFiller } from '../config-kit/schema-defaults.js';
import { AuthSection, type AuthConfig } from './auth-schema.js';
import { parseDuration } from '../config-kit/units.js';
import type { Identity } from '../types.js';
import type { SharedSession } from '../session/shared-session.js';

/** `auth.token` with its defaults filled in (algorithm, issuer, audience, ttl, header, jwksPath). */
export const fillToken = defaultsFiller(AuthSection.properties.token, ['algorithm', 'issuer', 'audience', 'ttl', 'header', 'jwksPath']);

type TokenSettings = ReturnType<typeof fillToken>;

/**
 * Signs identity tokens (sub, roles, scope, src and the configured claims, with iss, aud, iat, exp
 * and the key's thumbprint as kid) and publishes the public key as a JWKS. A token is reused for
 * the same identity during the first half of its life, so signing is not paid on every request.
 */
export class IdentityTokens {
  readonly header: string;
  readonly jwksPath: string;
  private readonly privateKey: ReturnType<typeof createPrivateKey>;
  private readonly algorithm: string;
  private readonly ttlSeconds: number;
  // Bounded in bytes too: a key holds a shared session's JSON, and its token carries it again.
  private readonly cache = new LRUCache<string, { token: string; exp: number }>({ max: 10_000, maxSize: 32 * 2 ** 20, sizeCalculation: (signed, key) => key.length + signed.token.length });
  private readonly byIdentity = new WeakMap<Identity, { token: string; exp: number }>();
  private publicJwk: Promise<JWK & { kid: string }> | undefined;

  private readonly settings: TokenSettings;

  constructor(written: NonNullable<AuthConfig['token']>) {
    this.settings = fillToken(written);
    this.privateKey = createPrivateKey(written.privateKey);
    this.algorithm = this.settings.algorithm;
    this.ttlSeconds = Math.max(1, Math.round(parseDuration(this.settings.ttl) / 1000));
    this.header = this.settings.header.toLowerCase();
    this.jwksPath = this.settings.jwksPath;
  }

  /**
   * The token already signed for `identity` (and `session`, when the route shares one) while it is
   * in the first half of its life, else undefined (then `mint`). Immediate: the same identity
   * object (a JWT seen before gives the same one) is found without building its key.
   */
  reusable(identity: Identity | undefined, session?: SharedSession): string | undefined {
    const now = Math.floor(Date.now() / 1000);
    const signed = identity !== undefined && session === undefined ? (this.byIdentity.get(identity) ?? this.cache.get(keyOf(identity))) : this.cache.get(keyOf(identity, session));
    return signed && signed.exp - now > this.ttlSeconds / 2 ? signed.token : undefined;
  }

  /**
   * The token for `identity`, signed now or reused from the cache. With `session`, the shared
   * session keys go in its `session` claim; without an identity, the token carries the session alone
   * (no `sub`), for the session header.
   */
  async mint(identity: Identity | undefined, session?: SharedSession): Promise<string> {
    const reused = this.reusable(identity, session);
    if (reused !== undefined) return reused;
    const now = Math.floor(Date.now() / 1000);
    const { kid } = await this.jwk();
    const claims: Record<string, unknown> = identity ? { ...this.extraClaims(identity), roles: identity.roles, scope: identity.scopes.join(' '), src: identity.source } : {};
    if (session) claims.session = JSON.parse(session.json) as unknown;
    const exp = now + this.ttlSeconds;
    const jwt = new SignJWT(claims).setProtectedHeader({ alg: this.algorithm, kid, typ: 'JWT' }).setIssuer(this.settings.issuer).setAudience(this.settings.audience).setIssuedAt(now).setExpirationTime(exp);
    if (identity) jwt.setSubject(identity.id);
    const signed = { token: await jwt.sign(this.privateKey), exp };
    this.cache.set(keyOf(identity, session), signed);
    if (identity && !session) this.byIdentity.set(identity, signed);
    return signed.token;
  }

  private extraClaims(identity: Identity): Record<string, unknown> {
    return Object.fromEntries((this.settings.claims ?? []).filter((c) => identity.claims[c] !== undefined).map((c) => [c, identity.claims[c]]));
  }

  /** The public key set services fetch to verify the tokens. */
  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: [await this.jwk()] };
  }

  private jwk(): Promise<JWK & { kid: string }> {
    this.publicJwk ??= (async () => {
      const jwk = await exportJWK(createPublicKey(this.privateKey));
      return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: this.algorithm, use: 'sig' };
    })();
    return this.publicJwk;
  }
}

/** What makes two requests sign the same token: the identity, and the session they share. */
function keyOf(identity: Identity | undefined, session?: SharedSession): string {
  const who = identity ? `${identity.source}\u0000${identity.id}\u0000${identity.roles.join(',')}\u0000${identity.scopes.join(' ')}` : '';
  return session ? `${who}\u0001${session.json}` : who;
}
