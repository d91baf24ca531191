// figway's own identity sources: the monolith's session, bearer JWTs, API keys.
import { createHash, createPublicKey } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { parseDuration } from '../config-kit/units.js';
import { defaultsFiller } from '../config-kit/schema-defaults.js';
import { AuthSection, type AuthConfig } from './auth-schema.js';

const fillJwt = defaultsFiller(AuthSection.properties.jwt, ['clockTolerance', 'jwksCooldown']);
import type { Identity } from '../types.js';
import { toIdentity, type IdentityFields } from './to-identity.js';
import { FigwayError } from '../errors.js';

/**
 * A strategy's failure says whether credentials were there: absent credentials let the next source
 * try (and, on an optional route, the caller through); invalid ones are refused at once.
 */
export interface Challenge {
  readonly invalid: boolean;
  /** For WWW-Authenticate, e.g. Bearer realm="figway". */
  readonly scheme: string;
  readonly message: string;
}

/** What one of figway's own sources made of a request: the caller, or why there is none. */
export type Outcome = { readonly user: Identity } | { readonly challenge: Challenge };

/**
 * One of figway's own identity sources. It answers at once when it can (a session, an API key, a
 * JWT seen before), so the common request never waits for a promise to settle.
 */
export interface OwnStrategy {
  check(req: IncomingMessage): Outcome | Promise<Outcome>;
}

/** The monolith's own passport session: req.user as it is. */
export class SessionStrategy implements OwnStrategy {
  constructor(private readonly fields: IdentityFields) {}

  check(req: IncomingMessage & { user?: unknown }): Outcome {
    const user = req.user;
    const identity = user !== null && typeof user === 'object' ? toIdentity(user as Record<string, unknown>, 'session', this.fields) : undefined;
    return identity ? { user: identity } : { challenge: { invalid: false, scheme: 'Session', message: 'no session' } };
  }
}

/**
 * Bearer JWTs, verified with jose: algorithms pinned (never none; a secret only ever verifies HS*,
 * a public key or JWKS only asymmetric algorithms), issuer, audience, clock skew. A JWKS is cached
 * and fetched again when a token names a kid it does not know, so key rotation works. A token seen
 * again is served from a bounded cache whose entries never outlive the token's exp.
 */
export class JwtStrategy implements OwnStrategy {
  private readonly key: Uint8Array | ReturnType<typeof createPublicKey> | JWTVerifyGetKey;
  private readonly algorithms: string[];
  private readonly clockTolerance: number;
  // ttlResolution 0: read the clock on each lookup. The default (1 ms) caches the time and starts a
  // timer to forget it, which under load is a timer every millisecond.
  private readonly cache = new LRUCache<string, Identity>({ max: 10_000, ttlResolution: 0 });

  constructor(
    private readonly settings: NonNullable<AuthConfig['jwt']>,
    private readonly fields: IdentityFields,
  ) {
    const filled = fillJwt(settings);
    if (settings.secret !== undefined) {
      this.key = new TextEncoder().encode(settings.secret);
      this.algorithms = settings.algorithms ?? ['HS256'];
    } else if (settings.publicKey !== undefined) {
      this.key = createPublicKey(settings.publicKey);
      this.algorithms = settings.algorithms ?? ['RS256', 'ES256'];
    } else {
      this.key = createRemoteJWKSet(new URL(settings.jwksUrl as string), {
        cooldownDuration: parseDuration(filled.jwksCooldown),
        cacheMaxAge: 10 * 60_000,
        timeoutDuration: 3_000,
      });
      this.algorithms = settings.algorithms ?? ['RS256', 'ES256'];
    }
    this.clockTolerance = Math.round(parseDuration(filled.clockTolerance) / 1000);
  }

  check(req: IncomingMessage): Outcome | Promise<Outcome> {
    const header = req.headers.authorization;
    const token = header !== undefined && /^Bearer\s+/i.test(header) ? header.replace(/^Bearer\s+/i, '').trim() : undefined;
    if (!token) return { challenge: { invalid: false, scheme: 'Bearer realm="figway"', message: 'no bearer token' } };
    const cached = this.cache.get(token);
    if (cached) return { user: cached };
    return this.verify(token).then(
      (identity): Outcome => ({ user: identity }),
      (err: unknown): Outcome => ({
        challenge: { invalid: true, scheme: `Bearer realm="figway", error="invalid_token", error_description="${describe(err)}"`, message: describe(err) },
      }),
    );
  }

  private async verify(token: string): Promise<Identity> {
    const { payload } = await jwtVerify(token, this.key as Uint8Array, {
      algorithms: this.algorithms,
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      clockTolerance: this.clockTolerance,
    });
    const identity = toIdentity(payload as Record<string, unknown>, 'jwt', this.fields);
    if (!identity) throw new FigwayError('FIGWAY_AUTH_INVALID', `the token has no ${this.fields.idField} claim`);
    this.cache.set(token, identity, { ttl: cacheTtl(payload) });
    return identity;
  }
}

/** How long a verified token may be served from the cache: never past its exp, at most 5 minutes. */
function cacheTtl(payload: JWTPayload): number {
  const untilExpiry = payload.exp === undefined ? 5 * 60_000 : payload.exp * 1000 - Date.now();
  return Math.max(1, Math.min(untilExpiry, 5 * 60_000));
}

function describe(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `the token's ${err.claim} claim is not acceptable (${err.reason})`;
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm that is not accepted';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'no signing key matches the token';
  if (err instanceof joseErrors.JWTInvalid || err instanceof joseErrors.JWSInvalid) return 'the token is malformed';
  return err instanceof Error ? err.message.replace(/"/g, "'") : 'the token is invalid';
}

/** One API key, as configured. */
export interface ApiKey {
  readonly id: string;
  readonly key: string;
  readonly roles?: readonly string[];
  readonly scopes?: readonly string[];
}

/**
 * API keys from a header (or a query parameter, when configured). Keys are looked up by their
 * SHA-256, so a lookup takes the same time whatever the guess.
 */
export class ApiKeyStrategy implements OwnStrategy {
  private readonly byHash: Map<string, Identity>;

  constructor(
    keys: readonly ApiKey[],
    private readonly header: string,
    private readonly query: string | undefined,
  ) {
    this.byHash = new Map(
      keys.map((k) => [hash(k.key), { id: k.id, source: 'apiKey', roles: k.roles ?? [], scopes: k.scopes ?? [], claims: { id: k.id, roles: k.roles ?? [], scopes: k.scopes ?? [] } }]),
    );
  }

  check(req: IncomingMessage): Outcome {
    const fromHeader = req.headers[this.header];
    const given = (Array.isArray(fromHeader) ? fromHeader[0] : fromHeader) ?? this.fromQuery(req);
    if (!given) return { challenge: { invalid: false, scheme: `ApiKey header="${this.header}"`, message: 'no API key' } };
    const identity = this.byHash.get(hash(given));
    return identity ? { user: identity } : { challenge: { invalid: true, scheme: `ApiKey header="${this.header}"`, message: 'unknown API key' } };
  }

  private fromQuery(req: IncomingMessage): string | undefined {
    if (!this.query) return undefined;
    const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '';
    const at = url.indexOf('?');
    return at === -1 ? undefined : (new URLSearchParams(url.slice(at + 1)).get(this.query) ?? undefined);
  }
}

function hash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Keys from `env` (`id:key` pairs separated by commas), after those of the config. */
export function apiKeysFrom(settings: NonNullable<AuthConfig['apiKeys']>, env: NodeJS.ProcessEnv): ApiKey[] {
  const fromEnv = (settings.env ? (env[settings.env] ?? '') : '')
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => {
      const colon = pair.indexOf(':');
      return { id: pair.slice(0, colon), key: pair.slice(colon + 1) };
    })
    .filter((k) => k.id !== '' && k.key.length >= 16);
  return [...(settings.keys ?? []), ...fromEnv];
}
