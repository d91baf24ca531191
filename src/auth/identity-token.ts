// Identity tokens: a short-lived JWT per identity that services verify with any JWT library.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, SignJWT, type JWK } from 'jose';
import { LRUCache } from 'lru-cache';
import { defaultsFiller } from '../config-kit/schema-defaults.js';
import { AuthSection, type AuthConfig } from './auth-schema.js';
import { parseDuration } from '../config-kit/units.js';
import type { Identity } from '../types.js';

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
  private readonly cache = new LRUCache<string, { token: string; exp: number }>({ max: 10_000 });
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
   * The token already signed for `identity` while it is in the first half of its life, else
   * undefined (then `mint`). Immediate: the same identity object (a JWT seen before gives the same
   * one) is found without building its key.
   */
  reusable(identity: Identity): string | undefined {
    const now = Math.floor(Date.now() / 1000);
    const signed = this.byIdentity.get(identity) ?? this.cache.get(keyOf(identity));
    return signed && signed.exp - now > this.ttlSeconds / 2 ? signed.token : undefined;
  }

  /** The token for `identity`, signed now or reused from the cache. */
  async mint(identity: Identity): Promise<string> {
    const reused = this.reusable(identity);
    if (reused !== undefined) return reused;
    const key = keyOf(identity);
    const now = Math.floor(Date.now() / 1000);
    const { kid } = await this.jwk();
    const extra = Object.fromEntries((this.settings.claims ?? []).filter((c) => identity.claims[c] !== undefined).map((c) => [c, identity.claims[c]]));
    const exp = now + this.ttlSeconds;
    const token = await new SignJWT({ ...extra, roles: identity.roles, scope: identity.scopes.join(' '), src: identity.source })
      .setProtectedHeader({ alg: this.algorithm, kid, typ: 'JWT' })
      .setSubject(identity.id)
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(this.privateKey);
    const signed = { token, exp };
    this.cache.set(key, signed);
    this.byIdentity.set(identity, signed);
    return token;
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

/** What makes two identities sign the same token. */
function keyOf(identity: Identity): string {
  return `${identity.source}\u0000${identity.id}\u0000${identity.roles.join(',')}\u0000${identity.scopes.join(' ')}`;
}
