// The JSON Schema of figway.yaml: one source for validation, editor autocompletion and TS types.
import { Type, type Static, type TOptional, type TProperties, type TSchema } from '@sinclair/typebox';
import { Duration, ID_PATTERN, numberOrPattern, SIZE_PATTERN } from '../config-kit/schema-parts.js';
import { Shadow } from '../shadow/shadow-schema.js';

const STICKY_PATTERN = "^(user|ip|header:[A-Za-z0-9!#$%&'*+.^_`|~-]+|cookie:[^\\s;=,]+)$";

const Timeouts = Type.Object(
  {
    connect: Type.Optional(Duration('Time allowed to open a connection to the service before answering 504 FIGWAY_UPSTREAM_CONNECT_TIMEOUT.')),
    response: Type.Optional(
      Duration('Time allowed, once the request is sent, for the service to send its response headers before answering 504 FIGWAY_UPSTREAM_TIMEOUT.'),
    ),
    idle: Type.Optional(
      Duration(
        'Time the service may go silent while sending its response body; after it the response is cut, so a stalled service never holds a client forever. 0 turns it off (for long-lived streams).',
      ),
    ),
  },
  { additionalProperties: false, description: 'Timeouts towards the service. Defaults: connect 2s, response 30s, idle 60s.' },
);

const Engine = (description: string) =>
  Type.Union([Type.Literal('http-proxy-middleware'), Type.Literal('undici')], {
    description: `${description} http-proxy-middleware (Node's http client) or undici (faster: a connection pool per service writing straight to the response). Default: http-proxy-middleware in middleware mode, undici in server mode.`,
  });

const Pem = (what: string) => Type.String({ minLength: 1, description: `${what} in PEM, inline (e.g. \${ORDERS_CA}).` });
const PemFile = (what: string) =>
  Type.String({ minLength: 1, description: `A file holding ${what} in PEM, relative to the config file; read again when it changes, so it rotates without a restart.` });

const UpstreamTls = Type.Object(
  {
    ca: Type.Optional(Pem('The CA certificates trusted for this service, instead of the public ones')),
    caFile: Type.Optional(PemFile('the CA certificates trusted for this service (several may follow each other, e.g. the old and the new CA while one replaces the other)')),
    cert: Type.Optional(Pem('The client certificate figway presents (mutual TLS)')),
    certFile: Type.Optional(PemFile('the client certificate figway presents (mutual TLS)')),
    key: Type.Optional(Pem("The client certificate's private key")),
    keyFile: Type.Optional(PemFile("the client certificate's private key")),
    passphrase: Type.Optional(Type.String({ description: 'Passphrase of an encrypted private key, e.g. ${ORDERS_KEY_PASSPHRASE}.' })),
    servername: Type.Optional(
      Type.String({
        minLength: 1,
        description: "Name sent as SNI and checked against the service's certificate. Default: the host of the upstream URL (with preserveHost too; none for an IP address, whose certificate must then list it).",
      }),
    ),
    minVersion: Type.Optional(Type.Union([Type.Literal('TLSv1.2'), Type.Literal('TLSv1.3')], { description: 'Oldest TLS version accepted. Default TLSv1.2.' })),
    ciphers: Type.Optional(Type.String({ minLength: 1, description: "OpenSSL cipher list for TLSv1.2 (TLSv1.3's suites are fixed). Default: Node's." })),
    insecure: Type.Optional(
      Type.Boolean({
        description:
          "true: accept any certificate, unverified (a warning is logged at start-up and on every reload, and GET /routes and the admin page show it). For a test set-up only: anyone on the path can impersonate the service. Default false.",
      }),
    ),
  },
  { additionalProperties: false, description: 'TLS towards an https:// service: which CA to trust, the client certificate for mutual TLS, SNI, versions. Applies to every connection figway opens to it (both engines, WebSockets, shadow copies).' },
);

const Upstream = Type.Object(
  {
    url: Type.String({
      pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$',
      description: 'Base URL of the service, e.g. http://127.0.0.1:4001 or https://orders.internal/base. A path here is prepended to every request path.',
      errorMessage: 'must be an http:// or https:// URL without query or fragment',
    }),
    timeouts: Type.Optional(Timeouts),
    preserveHost: Type.Optional(
      Type.Boolean({ description: "Send the client's Host header to the service instead of the service's own host. Default false." }),
    ),
    pool: Type.Optional(
      Type.Object(
        {
          maxSockets: Type.Optional(Type.Integer({ minimum: 1, description: 'Most connections open to this service at once. Default 256.' })),
          maxFreeSockets: Type.Optional(
            Type.Integer({ minimum: 0, description: 'Most idle keep-alive connections kept (http-proxy-middleware engine; undici keeps each until idleTimeout). Default 64.' }),
          ),
          idleTimeout: Type.Optional(Duration('Idle keep-alive connections are closed after this long; keep it below the service\'s own keep-alive timeout. Default 4s.')),
        },
        { additionalProperties: false, description: 'The keep-alive connection pool to this service.' },
      ),
    ),
    rewriteLocation: Type.Optional(
      Type.Boolean({ description: 'Rewrite Location headers that point at this service so redirects point at the public host and path. Default true.' }),
    ),
    rewriteCookies: Type.Optional(
      Type.Boolean({ description: 'Rewrite Set-Cookie Domain/Path attributes that name this service so cookies belong to the public host. Default true.' }),
    ),
    engine: Type.Optional(Engine('The forwarding engine for this service, over proxy.engine (e.g. to try undici on one service first).')),
    tls: Type.Optional(UpstreamTls),
  },
  { additionalProperties: false, description: 'A new service figway can send traffic to.' },
);

const StringOrList = Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })]);
const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);

const Match = Type.Object(
  {
    path: Type.String({
      pattern: '^/',
      description:
        'A prefix on segment boundaries (/api/orders matches /api/orders and /api/orders/7, never /api/ordersx), or a pattern with :param segments (/api/users/:id matches exactly that many segments; end it with /* to match anything below).',
      errorMessage: 'must start with "/"',
    }),
    exact: Type.Optional(Type.Boolean({ description: 'Match the path exactly instead of as a prefix. Default false.' })),
    methods: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z]+$', errorMessage: 'must be an HTTP method such as GET' }), {
        minItems: 1,
        uniqueItems: true,
        description: 'HTTP methods this route takes (any case). GET implies HEAD. Default: every method.',
      }),
    ),
    host: Type.Optional(
      Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
        description: 'Host header value(s) this route takes, without port; a leading "*." matches any subdomain.',
      }),
    ),
    headers: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.Boolean(), StringOrList], { description: 'true (present with any value), a value, or a list of accepted values.' }), {
        description: 'Request headers that must be present: true (any value), a value, or a list of accepted values.',
      }),
    ),
  },
  { additionalProperties: false, description: 'Which requests this route takes.' },
);

const Rewrite = Type.Object(
  {
    stripPrefix: Type.Optional(
      Type.String({ pattern: '^/', description: 'Removed from the start of the path before it is sent to the service, e.g. /api.', errorMessage: 'must start with "/"' }),
    ),
    addPrefix: Type.Optional(
      Type.String({ pattern: '^/', description: 'Added to the start of the path (after stripPrefix) before it is sent to the service.', errorMessage: 'must start with "/"' }),
    ),
  },
  { additionalProperties: false, description: 'How the public path becomes the service path. Location and Set-Cookie paths are mapped back.' },
);

const Side = Type.Union([Type.Literal('service'), Type.Literal('legacy')], { description: 'service (the new service) or legacy (the monolith).' });

const StickyList = Type.Array(
  Type.String({
    pattern: STICKY_PATTERN,
    errorMessage: 'must be user, ip, header:<name> or cookie:<name>',
  }),
  {
    minItems: 1,
    description:
      'Keys tried in order; the first one present is hashed with the route id into a bucket, so a key always lands on the same side. user = req.user id, header:<name>, cookie:<name>, ip.',
  },
);

const Unkeyed = Type.Union([Type.Literal('legacy'), Type.Literal('service'), Type.Literal('random')], {
  description: 'Side for a request with none of the sticky keys: legacy (default), service, or random per request at the route percent.',
});

export const Rollout = Type.Object(
  {
    percent: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 100,
        multipleOf: 0.01,
        description: 'Share of requests sent to the service, 0 to 100 in steps of 0.01. 0 and 100 are exact. Default 100.',
      }),
    ),
    sticky: Type.Optional(StickyList),
    unkeyed: Type.Optional(Unkeyed),
    cohorts: Type.Optional(
      Type.Record(Type.String({ pattern: ID_PATTERN }), Side, {
        additionalProperties: false,
        description: 'Cohorts (defined at top level) forced to a side on this route, checked in order before the percent, e.g. { staff: service }.',
      }),
    ),
    steps: Type.Optional(
      Type.Array(Type.Number({ minimum: 0, maximum: 100, multipleOf: 0.01 }), {
        minItems: 1,
        description:
          'A progressive rollout: percents taken one after the other, e.g. [1, 10, 50, 100], each once minStepTime and minStepRequests are met and the guard holds. Replaces percent. The schedule lives in the state store.',
      }),
    ),
    minStepTime: Type.Optional(Duration('Least time at a step before the next. Default 10m.')),
    minStepRequests: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Least requests the service served at a step (counted by each replica on its own) before the next. Default 100.' }),
    ),
    guard: Type.Optional(
      Type.Union(
        [
          Type.Object(
            {
              minRequests: Type.Optional(Type.Integer({ minimum: 1, description: 'Requests each side needs at this step, within the live-stats window, before the guard judges. Default 50.' })),
              maxErrorRateIncrease: Type.Optional(
                Type.Number({ minimum: 0, maximum: 1, description: "Service error rate (5xx, timeouts, fallbacks) minus legacy's, above which the guard trips. Default 0.02 (2 points)." }),
              ),
              maxP99Ratio: Type.Optional(Type.Number({ minimum: 1, description: "Service p99 latency over legacy's, above which the guard trips. Default 1.5." })),
              minP99Increase: Type.Optional(
                Duration(
                  'A slower service p99 trips the guard only when it is also this much above legacy, so a legacy handler answering in under a millisecond in-process does not make every network hop a breach. Default 20ms.',
                ),
              ),
              onBreach: Type.Optional(
                Type.Union([Type.Literal('rollback'), Type.Literal('previous')], {
                  description: 'rollback: to 0% (rolled-back); previous: back one step, paused. Default rollback.',
                }),
              ),
            },
            { additionalProperties: false, description: 'The guard settings.' },
          ),
          Type.Literal(false),
        ],
        { description: 'Compares the service with legacy on this route while the steps run, and rolls back when the service does worse. false turns it off.' },
      ),
    ),
  },
  { additionalProperties: false, description: 'How much traffic goes to the service. A route without rollout gets 100%.' },
);

const PluginOptions = Type.Record(
  Type.String(),
  Type.Unsafe<boolean | Record<string, unknown>>({
    type: ['object', 'boolean'],
    description: 'Options for this plugin, or false to switch it off (true: on with its defaults).',
  }),
  { description: 'Plugins by name.' },
);

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

const RateLimitKey = Type.Array(
  Type.String({ pattern: "^(user|apikey|ip|header:[A-Za-z0-9!#$%&'*+.^_`|~-]+)$", errorMessage: 'must be user, apikey, ip or header:<name>' }),
  { minItems: 1, description: 'What a budget belongs to: the first present of user (identity id), apikey (API key id), ip (IPv6 grouped by /64), header:<name>. Default [user, apikey, ip].' },
);

const RateLimit = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, description: 'Requests allowed per window.' }),
    window: Duration('The window the limit counts over.'),
    key: Type.Optional(RateLimitKey),
  },
  { additionalProperties: false, description: 'A rate limit: at most `limit` requests per `window` per key.' },
);

const Fallback = Type.Object(
  {
    on: Type.Optional(
      Type.Array(
        Type.Union([Type.Literal('refused'), Type.Literal('timeout'), Type.Literal('tls'), Type.Integer({ minimum: 500, maximum: 599 })], {
          description:
            'refused (no connection), timeout (connect or response), tls (the TLS handshake failed: a certificate refused either way; never implied by refused, so a broken certificate rollout is not hidden), or a 5xx status the service answered.',
        }),
        { minItems: 1, description: 'When the legacy handler serves instead. Default [refused, timeout, 502, 503, 504].' },
      ),
    ),
    breaker: Type.Optional(
      Type.Union(
        [
          Type.Object(
            {
              failures: Type.Optional(Type.Integer({ minimum: 1, description: 'Consecutive failures that open the breaker. Default 5.' })),
              cooldown: Type.Optional(Duration('How long an open breaker sends the route to legacy before one probe request tries the service again. Default 30s.')),
            },
            { additionalProperties: false, description: 'The circuit breaker.' },
          ),
          Type.Literal(false),
        ],
        { description: 'A circuit breaker: after repeated failures the route goes to legacy for a cool-down, then a probe decides. false turns it off.' },
      ),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Fallback to legacy: a GET, HEAD or OPTIONS request without a body whose service failed before the response started is served by the monolith\'s handler instead. Other requests are never replayed.',
  },
);

/** A route's own fields; plugins' route keys (auth, limits, ...) are composed in after them. */
const ROUTE_FIELDS = {
  id: Type.String({
    pattern: ID_PATTERN,
    description: 'Stable route id: used in decisions, logs, metric labels and the sticky hash. Letters, digits, ".", "_", "-".',
    errorMessage: 'must be letters, digits, ".", "_" or "-", starting with a letter or digit',
  }),
  description: Type.Optional(Type.String({ description: 'Free text for humans and audits.' })),
  match: Match,
  upstream: Type.String({ minLength: 1, description: 'Name of an entry in upstreams, or a service URL.' }),
  rewrite: Type.Optional(Rewrite),
  rollout: Type.Optional(Rollout),
  timeouts: Type.Optional(Timeouts),
  shadow: Type.Optional(Shadow),
  fallback: Type.Optional(Fallback),
};

const IdentitySection = Type.Object(
  {
    userIdField: Type.Optional(Type.String({ minLength: 1, description: 'Field of req.user (or token claim) used as the user id, for sticky: [user] and X-User-Id. Default id (sub for tokens).' })),
    rolesField: Type.Optional(Type.String({ minLength: 1, description: 'Field of req.user or token claim holding the roles (array or space-separated). Default roles.' })),
    scopesField: Type.Optional(Type.String({ minLength: 1, description: 'Token claim holding the scopes (array or space-separated). Default scope.' })),
    headerPrefix: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9-]+-$',
        description: 'Identity headers sent to services (X-User-Id, X-User-Roles, ...). Headers with this prefix from clients are always removed first. Default x-user-.',
        errorMessage: 'must be letters, digits and "-", ending with "-" (e.g. x-user-)',
      }),
    ),
  },
  { additionalProperties: false, description: 'How figway reads the caller identity and passes it on.' },
);

const AuthSection = Type.Object(
  {
    default: Type.Optional(AuthMode),
    throttle: Type.Optional(
      Type.Union(
        [
          Type.Literal(false),
          Type.Object(
            {
              failures: Type.Optional(Type.Integer({ minimum: 1, description: 'Failed authentications a client may make per window. Default 20.' })),
              window: Type.Optional(Duration('The window failures are counted over. Default 1m.')),
            },
            { additionalProperties: false },
          ),
        ],
        {
          description:
            'Failed authentications (wrong credentials) counted per client address, in the rate-limit store (memory, or Redis with limits.store: redis); past the budget the client gets 429 FIGWAY_AUTH_THROTTLED with Retry-After, without its credentials being checked, until the window resets. Default on: 20 per 1m. false switches it off.',
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
          clockTolerance: Type.Optional(Duration('Clock skew allowed on exp and nbf. Default 30s.')),
          jwksCooldown: Type.Optional(Duration('Least time between two fetches of the JWKS (an unknown kid fetches it again once this has passed). Default 30s.')),
        },
        { additionalProperties: false, description: 'Bearer JWTs: exactly one of secret, publicKey, jwksUrl.' },
      ),
    ),
    apiKeys: Type.Optional(
      Type.Object(
        {
          header: Type.Optional(Type.String({ minLength: 1, description: 'Header carrying the key. Default x-api-key.' })),
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
          algorithm: Type.Optional(Type.String({ pattern: '^(RS|PS|ES)(256|384|512)$|^EdDSA$', description: 'Signing algorithm matching the key. Default ES256.', errorMessage: 'must be RS*, PS*, ES* or EdDSA' })),
          issuer: Type.Optional(Type.String({ minLength: 1, description: 'iss of the tokens. Default figway.' })),
          audience: Type.Optional(Type.String({ minLength: 1, description: 'aud of the tokens (the services).' })),
          ttl: Type.Optional(Duration('Lifetime of a token. Default 60s.')),
          header: Type.Optional(Type.String({ minLength: 1, description: 'Request header carrying the token to services. Default x-figway-identity.' })),
          claims: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Claims (or req.user fields) copied into the token besides sub, roles and scope.' })),
          jwksPath: Type.Optional(Type.String({ pattern: '^/', description: 'Path on the app where figway serves the public JWKS. Default /.well-known/figway/jwks.json.' })),
        },
        { additionalProperties: false, description: 'Identity tokens: a short-lived JWT per request for services to verify with any JWT library.' },
      ),
    ),
    sessionCookie: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.String({ minLength: 1, description: 'The monolith\'s session cookie. Default connect.sid.' })),
          forward: Type.Optional(Type.Boolean({ description: 'Send it to services too. Default false.' })),
        },
        { additionalProperties: false, description: 'The monolith\'s session cookie is not sent to services unless forward is true.' },
      ),
    ),
  },
  { additionalProperties: false, description: 'Authentication in front of every service, through passport: the monolith\'s session, JWTs, API keys, or the app\'s own strategies.' },
);

const LimitsSection = Type.Object(
  {
    store: Type.Optional(Type.Union([Type.Literal('memory'), Type.Literal('redis')], { description: 'memory (one process) or redis (one budget for every replica). Default memory.' })),
    redis: Type.Optional(
      Type.Object(
        {
          url: Type.String({ pattern: '^rediss?://', description: 'Redis for the counters.', errorMessage: 'must be a redis:// or rediss:// URL' }),
          prefix: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9:._-]+$', description: 'Key prefix; each limiter adds its own. Default figway:rl.' })),
        },
        { additionalProperties: false, description: 'The Redis store of the counters.' },
      ),
    ),
    onStoreError: Type.Optional(
      Type.Union([Type.Literal('open'), Type.Literal('closed')], {
        description: 'When the store is unreachable: open lets requests through (logged), closed refuses them with 503 (logged). Required with redis.',
      }),
    ),
    global: Type.Optional(RateLimit),
  },
  { additionalProperties: false, description: 'Rate limits with express-rate-limit: a global budget over every route, plus per-route limits.' },
);

const RouteLimits = Type.Union([RateLimit, Type.Array(RateLimit, { minItems: 1 }), Type.Literal(false)], {
  description: 'Rate limits of this route (one or several, each with its own budget), or false for none besides the global one.',
});

/** The config keys the built-in `auth` plugin declares: top level and per route. */
export const AUTH_KEYS = { config: { identity: IdentitySection, auth: AuthSection }, route: { auth: RouteAuth } };
/** The config keys the built-in `rate-limit` plugin declares: top level and per route. */
export const LIMITS_KEYS = { config: { limits: LimitsSection }, route: { limits: RouteLimits } };
/** The top-level keys of the built-in plugins, composed into {@link ConfigSchema}. */
export const BUILT_IN_CONFIG_KEYS = { ...AUTH_KEYS.config, ...LIMITS_KEYS.config };
/** The route keys of the built-in plugins, composed into {@link ConfigSchema}. */
export const BUILT_IN_ROUTE_KEYS = { ...AUTH_KEYS.route, ...LIMITS_KEYS.route };

const CohortCondition = Type.Object(
  {
    header: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })], { description: 'A value or a list of values.' }), { description: 'Header name to the value (or values) that put a request in the cohort.' }),
    ),
    cidr: Type.Optional(
      Type.Array(Type.String({ minLength: 3 }), { minItems: 1, description: 'Client address ranges, e.g. 10.0.0.0/8 or 2001:db8::/32 (the client address follows Express trust proxy).' }),
    ),
    user: Type.Optional(
      Type.Record(Type.String(), Type.Union([Scalar, Type.Array(Scalar, { minItems: 1 })], { description: 'A value or a list of values.' }), {
        description: 'Fields of req.user (dot paths allowed) to the value or values that put a request in the cohort, e.g. { role: staff }. An array field matches when it contains the value.',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1, description: 'A request is in the cohort when every condition given here holds.' },
);

const CONFIG_HEAD = {
  $schema: Type.Optional(Type.String({ description: 'Path or URL of this schema, for editors.' })),
  upstreams: Type.Optional(
    Type.Record(Type.String({ pattern: ID_PATTERN }), Upstream, { additionalProperties: false, description: 'Named services routes can send traffic to.' }),
  ),
};

const CONFIG_FIELDS = {
  defaults: Type.Optional(
    Type.Object(
      {
        timeouts: Type.Optional(Timeouts),
        sticky: Type.Optional(StickyList),
        unkeyed: Type.Optional(Unkeyed),
      },
      { additionalProperties: false, description: 'Defaults for every route. Built-in: sticky [user, ip], unkeyed legacy, timeouts connect 2s / response 30s.' },
    ),
  ),
  cohorts: Type.Optional(
    Type.Record(Type.String({ pattern: ID_PATTERN }), CohortCondition, {
      additionalProperties: false,
      description: 'Named groups of requests (staff, office, beta) that routes can force to a side.',
    }),
  ),
  override: Type.Optional(
    Type.Object(
      {
        header: Type.Optional(Type.String({ minLength: 1, description: 'Request header whose value always / never forces the service / legacy side.' })),
        cookie: Type.Optional(Type.String({ minLength: 1, description: 'Cookie whose value always / never forces the service / legacy side.' })),
        cohort: Type.Optional(Type.String({ pattern: ID_PATTERN, description: 'Only requests in this cohort may override (e.g. staff). Default: anyone.' })),
      },
      {
        additionalProperties: false,
        minProperties: 1,
        description: 'Opt-in: lets QA choose a side with a header or cookie set to always or never. Off unless present.',
      },
    ),
  ),
  matching: Type.Optional(
    Type.Object(
      {
        caseSensitive: Type.Optional(
          Type.Boolean({
            description:
              "Match paths case-sensitively. Default: as the Express app routes (its 'case sensitive routing', off unless set). Set to the opposite of the app's, figway refuses to start.",
          }),
        ),
      },
      { additionalProperties: false, description: 'How paths are matched.' },
    ),
  ),
  proxy: Type.Optional(
    Type.Object(
      {
        engine: Type.Optional(Engine('The forwarding engine of every service.')),
        replayBodyLimit: Type.Optional(
          numberOrPattern(
            SIZE_PATTERN,
            'When a body parser mounted before figway has read a request body, figway keeps a copy of at most this many bytes to forward byte-identical. Bytes as a number, or "512kb", "10mb". Default 10mb.',
            'must be bytes or a size such as "10mb"',
          ),
        ),
      },
      { additionalProperties: false, description: 'Proxying behaviour shared by every route.' },
    ),
  ),
  errors: Type.Optional(
    Type.Object(
      {
        contentType: Type.Optional(Type.String({ minLength: 1, description: 'Content-Type of errors figway answers with. Default application/json.' })),
        body: Type.Optional(
          Type.Unsafe<Record<string, unknown>>({
            type: 'object',
            description:
              'JSON template for errors figway answers with; the strings "{code}", "{message}" and "{status}" are replaced. Default {"error":{"code":"{code}","message":"{message}","status":"{status}"}}.',
          }),
        ),
      },
      { additionalProperties: false, description: 'The shape of errors figway itself answers with (so they can match the monolith\'s).' },
    ),
  ),
};

const CONFIG_TAIL = {
  admin: Type.Optional(
    Type.Object(
      {
        port: Type.Integer({ minimum: 0, maximum: 65535, description: 'Port of the admin listener (0: any free port). The admin API is off without an admin section.' }),
        host: Type.Optional(
          Type.String({ minLength: 1, description: 'Address the admin listener binds to. Default 127.0.0.1. Any other address requires a token.' }),
        ),
        token: Type.Optional(
          Type.String({ minLength: 16, description: 'Bearer token the admin API requires, e.g. ${FIGWAY_ADMIN_TOKEN}. At least 16 characters.', errorMessage: 'must be at least 16 characters' }),
        ),
        tokens: Type.Optional(
          Type.Array(
            Type.Object(
              {
                name: Type.String({
                  pattern: '^[A-Za-z0-9][A-Za-z0-9_.@-]{0,59}$',
                  description: 'Who holds the token, e.g. ops-oncall or prometheus: the actor in the audit log.',
                  errorMessage: 'must be 1 to 60 letters, digits and . _ @ - (starting with a letter or digit)',
                }),
                token: Type.Optional(Type.String({ minLength: 16, description: 'The token itself, e.g. ${FIGWAY_OPS_TOKEN}. At least 16 characters.', errorMessage: 'must be at least 16 characters' })),
                tokenFile: Type.Optional(
                  Type.String({
                    minLength: 1,
                    description:
                      'A file holding the token (a mounted Kubernetes Secret), relative to the config file. Read again at most once a second while the admin API is used, so a rotated token works without a restart.',
                  }),
                ),
                role: Type.Union([Type.Literal('read'), Type.Literal('operate'), Type.Literal('admin')], {
                  description: 'read: GET endpoints and /metrics; operate: also rollouts, rollbacks, the kill switch and progressive steps; admin: also reload.',
                }),
              },
              { additionalProperties: false },
            ),
            {
              minItems: 1,
              description:
                'Named admin tokens, each with a role; list a new token beside the old one to rotate with no moment where neither works. admin.token, when given too, is one more token named admin with the role admin.',
            },
          ),
        ),
        allowedHosts: Type.Optional(
          Type.Array(Type.String({ minLength: 1 }), {
            description:
              'Host names the admin API answers to besides loopback, IP addresses and admin.host (e.g. figway-admin.internal; .example.com for a domain and its subdomains). Any other Host is refused, so a web page cannot reach the API through DNS rebinding.',
          }),
        ),
        requireToken: Type.Optional(Type.Boolean({ description: 'Whether loopback callers need a token too. Default: required whenever a token is set. false is refused beyond loopback (the API is never served there without one).' })),
      },
      { additionalProperties: false, description: 'The admin HTTP API, on its own listener: routes, rollout changes, kill switch, reload, explain, audit, metrics.' },
    ),
  ),
  state: Type.Optional(
    Type.Object(
      {
        store: Type.Union([Type.Literal('file'), Type.Literal('redis')], { description: 'Where runtime rollout changes live: file (one instance) or redis (shared by every replica).' }),
        path: Type.Optional(Type.String({ minLength: 1, description: 'file: the state file. Default .figway-state.json beside the config file.' })),
        url: Type.Optional(Type.String({ pattern: '^rediss?://', description: 'redis: the server, e.g. redis://:${REDIS_PASSWORD}@redis:6379/0.', errorMessage: 'must be a redis:// or rediss:// URL' })),
        prefix: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9:._-]+$', description: 'redis: key prefix, one per gateway (several apps can share a Redis). Default figway.' })),
        cacheFile: Type.Optional(Type.String({ minLength: 1, description: 'redis: local copy of the last known state, served when a replica starts while Redis is down.' })),
      },
      { additionalProperties: false, description: 'Runtime state (rollout changes made through the admin API or CLI). Default: a state file beside the config file.' },
    ),
  ),
  reload: Type.Optional(
    Type.Object(
      {
        watch: Type.Optional(Type.Boolean({ description: 'Watch the config file and apply valid changes at once. Default true.' })),
        maxFileBytes: Type.Optional(
          Type.Integer({
            minimum: 1024,
            description:
              'Largest config file a reload (file watch, POST /reload, gateway.reload()) reads; a larger one is refused before it is read and the current config keeps serving. Default 4194304 (4 MiB).',
          }),
        ),
      },
      { additionalProperties: false, description: 'Hot reload of the config file.' },
    ),
  ),
};

/** Every key of `keys` optional: a plugin's section may always be left out. */
function optional<P extends TProperties>(keys: P): { [K in keyof P]: TOptional<P[K]> } {
  return Object.fromEntries(Object.entries(keys).map(([key, schema]) => [key, Type.Optional(schema)])) as { [K in keyof P]: TOptional<P[K]> };
}

/**
 * The config schema with the keys plugins declare composed in: top-level keys (`configKeys`) and
 * route keys (`routeKeys`), placed before `plugins` in each.
 */
export function composeConfigSchema<C extends TProperties, R extends TProperties>(configKeys: C, routeKeys: R) {
  const route = Type.Object(
    { ...ROUTE_FIELDS, ...optional(routeKeys), plugins: Type.Optional(PluginOptions) },
    { additionalProperties: false, description: 'One route: which requests it takes and where they go.' },
  );
  return Type.Object(
    {
      ...CONFIG_HEAD,
      routes: Type.Array(route, { description: 'The route table. The most specific path wins; among equal paths, the first route whose conditions hold.' }),
      ...CONFIG_FIELDS,
      ...optional(configKeys),
      plugins: Type.Optional(PluginOptions),
      ...CONFIG_TAIL,
    },
    { title: 'figway configuration', description: 'figway.yaml: the route table of an embeddable strangler-fig gateway.', additionalProperties: false },
  );
}

/**
 * The schema of a figway configuration (figway.yaml or a config object). The same schema ships as
 * JSON in `figway/schema.json` for editors.
 *
 * @example
 * ```yaml
 * # yaml-language-server: $schema=node_modules/figway/schema/figway.schema.json
 * routes:
 *   - { id: orders, match: { path: /api/orders }, upstream: http://127.0.0.1:4001 }
 * ```
 */
export const ConfigSchema = composeConfigSchema(BUILT_IN_CONFIG_KEYS, BUILT_IN_ROUTE_KEYS);

/** A route's schema, with the built-in plugins' route keys. */
export const Route = ConfigSchema.properties.routes.items;

/** A figway configuration, as written in figway.yaml or passed as an object. */
export type FigwayConfig = Static<typeof ConfigSchema>;
/** The name the single `admin.token` goes by among the named tokens (the audit log's actor). */
export const SINGLE_ADMIN_TOKEN_NAME = 'admin';
export type RouteConfig = FigwayConfig['routes'][number];
export type UpstreamConfig = Static<typeof Upstream>;
export type CohortConfig = Static<typeof CohortCondition>;
export type TimeoutsConfig = Static<typeof Timeouts>;

/** The schema as plain JSON (what ships as schema/figway.schema.json). */
export function toJsonSchema(schema: TSchema = ConfigSchema): Record<string, unknown> {
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...(JSON.parse(JSON.stringify(schema)) as Record<string, unknown>) };
}
