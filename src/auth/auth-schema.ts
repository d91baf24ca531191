// The config keys of the built-in auth plugin: `identity`, `auth`, and each route's `auth`.
import { Type, type Static } from '@sinclair/typebox';
import { defaulted, defaultsFiller } from '../config-kit/schema-defaults.js';
import { Duration, ID_PATTERN, Scalar } from '../config-kit/schema-parts.js';
import { SESSION_KEYS } from '../session/session-schema.js';

const AuthMode = Type.Union([Type.Literal('required'), Type.Literal('optional'), Type.Literal('none')], {
  description: 'required: no identity, no entry (401); optional: identify when credentials come, never block on their absence; none: do not authenticate (the session user is still read).',
});

const RouteAuth = Type.Union(
  [
    AuthMode,
    Type.Object(
      {
        mode: Type.Optional(AuthMode),
        roles: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'The caller needs at least one of these roles (403 otherwise).' })),
        scopes: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'The caller needs every one of these scopes (403 otherwise).' })),
        claims: Type.Optional(
          Type.Record(Type.String(), Type.Union([Scalar, Type.Array(Scalar, { minItems: 1 })], { description: 'A value or a list of accepted values.' }), {
            description: 'Claims (or req.user fields, dot paths allowed) that must have one of these values (403 otherwise), e.g. { tenant: acme }.',
          }),
        ),
      },
      { additionalProperties: false, description: 'Authentication mode and authorization rules for this route.' },
    ),
  ],
  { description: 'Authentication for this route: a mode (required, optional, none), or a mode with rules (roles, scopes, claims). Default: auth.default.' },
);

/** The `identity` section: where figway reads who the caller is, and the headers it passes it on in. */
export const IdentitySection = Type.Object(
  {
    userIdField: Type.Optional(
      defaulted(Type.String({ minLength: 1, description: 'Field of req.user (or token claim) used as the user id, for sticky: [user] and X-User-Id.' }), 'id', 'id (sub for tokens)'),
    ),
    rolesField: Type.Optional(defaulted(Type.String({ minLength: 1, description: 'Field of req.user or token claim holding the roles (array or space-separated).' }), 'roles')),
    scopesField: Type.Optional(defaulted(Type.String({ minLength: 1, description: 'Token claim holding the scopes (array or space-separated).' }), 'scope')),
    headerPrefix: Type.Optional(
      defaulted(
        Type.String({
          pattern: '^[A-Za-z0-9-]+-$',
          description: 'Identity headers sent to services (X-User-Id, X-User-Roles, ...). Headers with this prefix from clients are always removed first.',
          errorMessage: 'must be letters, digits and "-", ending with "-" (e.g. x-user-)',
        }),
        'x-user-',
      ),
    ),
  },
  { additionalProperties: false, description: 'How figway reads the caller identity and passes it on.' },
);

/** `auth.throttle`'s settings, unless false. */
export const Throttle = Type.Object(
  {
    failures: Type.Optional(defaulted(Type.Integer({ minimum: 1, description: 'Failed authentications a client may make per window.' }), 20)),
    window: Type.Optional(defaulted(Duration('The window failures are counted over.'), '1m')),
  },
  { additionalProperties: false },
);

/** The `auth` section. */
export const AuthSection = Type.Object(
  {
    default: Type.Optional(AuthMode),
    throttle: Type.Optional(
      Type.Union(
        [Type.Literal(false), Throttle],
        {
          description:
            'Failed authentications (wrong credentials) counted per client address, in the rate-limit store (memory, or Redis with limits.store: redis); past the budget the client gets 429 FIGWAY_AUTH_THROTTLED with Retry-After, without its credentials being checked, until the window resets. On unless false.',
        },
      ),
    ),
    sources: Type.Optional(
      Type.Array(Type.String({ pattern: '^(session|jwt|apiKey|passport:[A-Za-z0-9._-]+)$', errorMessage: 'must be session, jwt, apiKey or passport:<strategy>' }), {
        minItems: 1,
        description: 'Identity sources, tried in order. Default: session, then jwt and apiKey when configured. passport:<name> uses a strategy registered on the app\'s passport.',
      }),
    ),
    jwt: Type.Optional(
      Type.Object(
        {
          secret: Type.Optional(Type.String({ minLength: 32, description: 'HMAC secret (HS256/384/512), at least 32 characters.', errorMessage: 'must be at least 32 characters' })),
          publicKey: Type.Optional(Type.String({ minLength: 1, description: 'PEM public key (SPKI) for RS*, PS*, ES* or EdDSA tokens.' })),
          jwksUrl: Type.Optional(Type.String({ pattern: '^https?://', description: 'JWKS URL of the issuer; cached, fetched again when a token names an unknown kid.', errorMessage: 'must be an http(s) URL' })),
          algorithms: Type.Optional(Type.Array(Type.String({ pattern: '^(HS|RS|PS|ES)(256|384|512)$|^EdDSA$', errorMessage: 'must be a JWS algorithm such as RS256' }), { minItems: 1, description: 'Accepted algorithms (never none). Default: HS256 with a secret, RS256 and ES256 with keys.' })),
          issuer: Type.Optional(Type.String({ minLength: 1, description: 'Required iss.' })),
          audience: Type.Optional(Type.String({ minLength: 1, description: 'Required aud.' })),
          clockTolerance: Type.Optional(defaulted(Duration('Clock skew allowed on exp and nbf.'), '30s')),
          jwksCooldown: Type.Optional(defaulted(Duration('Least time between two fetches of the JWKS (an unknown kid fetches it again once this has passed).'), '30s')),
        },
        { additionalProperties: false, description: 'Bearer JWTs: exactly one of secret, publicKey, jwksUrl.' },
      ),
    ),
    apiKeys: Type.Optional(
      Type.Object(
        {
          header: Type.Optional(defaulted(Type.String({ minLength: 1, description: 'Header carrying the key.' }), 'x-api-key')),
          query: Type.Optional(Type.String({ minLength: 1, description: 'Query parameter carrying the key (off unless set; keys in URLs end up in logs elsewhere).' })),
          keys: Type.Optional(
            Type.Array(
              Type.Object(
                {
                  id: Type.String({ pattern: ID_PATTERN, description: 'Who the key belongs to: the identity id.' }),
                  key: Type.String({ minLength: 16, description: 'The key, e.g. ${PARTNER_KEY}; at least 16 characters.', errorMessage: 'must be at least 16 characters' }),
                  roles: Type.Optional(Type.Array(Type.String(), { description: 'Roles of this key.' })),
                  scopes: Type.Optional(Type.Array(Type.String(), { description: 'Scopes of this key.' })),
                },
                { additionalProperties: false, description: 'One API key.' },
              ),
              { description: 'API keys declared here (use ${ENV} for the secrets).' },
            ),
          ),
          env: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Environment variable with more keys, as id:key pairs separated by commas.' })),
        },
        { additionalProperties: false, description: 'API keys, from a header (or a query parameter).' },
      ),
    ),
    passport: Type.Optional(Type.Boolean({ description: 'Use the app\'s passport instance (figway({ passport })) for passport:<name> sources. Default true when such a source is listed.' })),
    token: Type.Optional(
      Type.Object(
        {
          privateKey: Type.String({ minLength: 1, description: 'PEM private key (PKCS#8) figway signs identity tokens with, e.g. ${FIGWAY_IDENTITY_KEY}.' }),
          algorithm: Type.Optional(
            defaulted(Type.String({ pattern: '^(RS|PS|ES)(256|384|512)$|^EdDSA$', description: 'Signing algorithm matching the key.', errorMessage: 'must be RS*, PS*, ES* or EdDSA' }), 'ES256'),
          ),
          issuer: Type.Optional(defaulted(Type.String({ minLength: 1, description: 'iss of the tokens.' }), 'figway')),
          audience: Type.Optional(defaulted(Type.String({ minLength: 1, description: 'aud of the tokens (the services).' }), 'services')),
          ttl: Type.Optional(defaulted(Duration('Lifetime of a token.'), '60s')),
          header: Type.Optional(defaulted(Type.String({ minLength: 1, description: 'Request header carrying the token to services.' }), 'x-figway-identity')),
          claims: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Claims (or req.user fields) copied into the token besides sub, roles and scope.' })),
          jwksPath: Type.Optional(defaulted(Type.String({ pattern: '^/', description: 'Path on the app where figway serves the public JWKS.' }), '/.well-known/figway/jwks.json')),
        },
        { additionalProperties: false, description: 'Identity tokens: a short-lived JWT per request for services to verify with any JWT library.' },
      ),
    ),
    sessionCookie: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(defaulted(Type.String({ minLength: 1, description: 'The monolith\'s session cookie.' }), 'connect.sid')),
          forward: Type.Optional(defaulted(Type.Boolean({ description: 'Send it to services too.' }), false)),
        },
        { additionalProperties: false, description: 'The monolith\'s session cookie is not sent to services unless forward is true.' },
      ),
    ),
  },
  { additionalProperties: false, description: 'Authentication in front of every service, through passport: the monolith\'s session, JWTs, API keys, or the app\'s own strategies.' },
);

/**
 * The config keys the built-in `auth` plugin declares: top level and per route. It passes on who
 * the caller is, so it passes on the session keys routes share too (session/).
 */
export const AUTH_KEYS = { config: { identity: IdentitySection, auth: AuthSection, ...SESSION_KEYS.config }, route: { auth: RouteAuth, ...SESSION_KEYS.route } };

/** The `identity` section with its defaults filled in: read by the auth plugin and by the snapshot (sticky: [user], the headers it strips). */
export const fillIdentity = defaultsFiller(IdentitySection, ['userIdField', 'rolesField', 'scopesField', 'headerPrefix']);

/** The `auth` section, as the file has it. */
export type AuthConfig = Static<typeof AuthSection>;
/** The `identity` section, as the file has it. */
export type IdentityConfig = Static<typeof IdentitySection>;
/** A route's `auth`, as the file has it. */
export type RouteAuthConfig = Static<typeof RouteAuth>;
