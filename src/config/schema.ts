// The JSON Schema of figway.yaml: one source for validation, editor autocompletion and TS types.
import { Type, type Static, type TOptional, type TProperties, type TSchema } from '@sinclair/typebox';
import { defaulted, defaultsFiller } from '../config-kit/schema-defaults.js';
import { ID_PATTERN, numberOrPattern, SIZE_PATTERN } from '../config-kit/schema-parts.js';
import { AUTH_KEYS } from '../auth/auth-schema.js';
import { LIMITS_KEYS } from '../limits/limits-schema.js';
import { MAP_KEYS } from '../map/map-schema.js';
import { PROGRESSIVE_FIELDS } from '../progressive/progressive-schema.js';
import { DefaultTimeouts, Engine, Timeouts, Upstream } from '../proxy/upstream-schema.js';
import { CohortCondition } from '../rollout/cohort-schema.js';
import { OverrideSection } from '../rollout/override-schema.js';
import { DefaultSticky, DefaultUnkeyed, ROLLOUT_FIELDS } from '../rollout/rollout-schema.js';
import { featureFields } from '../route-features.js';
import { StateSection } from '../state/state-schema.js';

const StringOrList = Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })]);

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

/** `defaults`: what every route gets unless it sets its own, each with its built-in value as its default. */
export const RouteDefaults = Type.Object(
  { timeouts: Type.Optional(DefaultTimeouts), sticky: Type.Optional(DefaultSticky), unkeyed: Type.Optional(DefaultUnkeyed) },
  { additionalProperties: false, description: "Defaults for every route; a route's own setting wins." },
);

/** The config's `defaults` with the built-in sticky keys and unkeyed side filled in (timeouts have their own filler). */
export const fillRouteDefaults = defaultsFiller(RouteDefaults, ['sticky', 'unkeyed']);

/** A route's `rollout`: the side-deciding fields, then the progressive ones. */
export const Rollout = Type.Object(
  { ...ROLLOUT_FIELDS, ...PROGRESSIVE_FIELDS },
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
  ...featureFields(),
};

/** The top-level keys of the built-in plugins, composed into {@link ConfigSchema}. */
export const BUILT_IN_CONFIG_KEYS = { ...AUTH_KEYS.config, ...LIMITS_KEYS.config, ...MAP_KEYS.config };
/** The route keys of the built-in plugins, composed into {@link ConfigSchema}. */
export const BUILT_IN_ROUTE_KEYS = { ...AUTH_KEYS.route, ...LIMITS_KEYS.route };

/** The errors figway answers with, unless `errors.body` says otherwise. */
const ERROR_TEMPLATE = { error: { code: '{code}', message: '{message}', status: '{status}' } };

const CONFIG_HEAD = {
  $schema: Type.Optional(Type.String({ description: 'Path or URL of this schema, for editors.' })),
  upstreams: Type.Optional(
    Type.Record(Type.String({ pattern: ID_PATTERN }), Upstream, { additionalProperties: false, description: 'Named services routes can send traffic to.' }),
  ),
};

const CONFIG_FIELDS = {
  defaults: Type.Optional(RouteDefaults),
  cohorts: Type.Optional(
    Type.Record(Type.String({ pattern: ID_PATTERN }), CohortCondition, {
      additionalProperties: false,
      description: 'Named groups of requests (staff, office, beta) that routes can force to a side.',
    }),
  ),
  override: Type.Optional(OverrideSection),
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
          defaulted(
            numberOrPattern(
              SIZE_PATTERN,
              'When a body parser mounted before figway has read a request body, figway keeps a copy of at most this many bytes to forward byte-identical. Bytes as a number, or "512kb", "10mb".',
              'must be bytes or a size such as "10mb"',
            ),
            '10mb',
          ),
        ),
      },
      { additionalProperties: false, description: 'Proxying behaviour shared by every route.' },
    ),
  ),
  errors: Type.Optional(
    Type.Object(
      {
        contentType: Type.Optional(defaulted(Type.String({ minLength: 1, description: 'Content-Type of errors figway answers with.' }), 'application/json')),
        body: Type.Optional(
          defaulted(
            Type.Unsafe<Record<string, unknown>>({
              type: 'object',
              description: 'JSON template for errors figway answers with; the strings "{code}", "{message}" and "{status}" are replaced.',
            }),
            ERROR_TEMPLATE,
            JSON.stringify(ERROR_TEMPLATE),
          ),
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
          defaulted(Type.String({ minLength: 1, description: 'Address the admin listener binds to; beyond loopback, a token is required.' }), '127.0.0.1'),
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
  state: Type.Optional(StateSection),
  reload: Type.Optional(
    Type.Object(
      {
        watch: Type.Optional(defaulted(Type.Boolean({ description: 'Watch the config file and apply valid changes at once.' }), true)),
        maxFileBytes: Type.Optional(
          defaulted(
            Type.Integer({
              minimum: 1024,
              description:
                'Largest config file a reload (file watch, POST /reload, gateway.reload()) reads; a larger one is refused before it is read and the current config keeps serving.',
            }),
            4 * 1024 * 1024,
            '4194304 (4 MiB)',
          ),
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

/** `admin` with its address filled in. */
export const fillAdmin = defaultsFiller(ConfigSchema.properties.admin, ['host']);
/** `reload` with whether to watch the file, and the largest file a reload reads, filled in. */
export const fillReload = defaultsFiller(ConfigSchema.properties.reload, ['watch', 'maxFileBytes']);
/** `errors` with the content type and body template filled in. */
export const fillErrors = defaultsFiller(ConfigSchema.properties.errors, ['contentType', 'body']);
/** `proxy` with its replay limit filled in. */
export const fillProxySettings = defaultsFiller(ConfigSchema.properties.proxy, ['replayBodyLimit']);

/** A route's schema, with the built-in plugins' route keys. */
export const Route = ConfigSchema.properties.routes.items;

/** A figway configuration, as written in figway.yaml or passed as an object. */
export type FigwayConfig = Static<typeof ConfigSchema>;
/** The name the single `admin.token` goes by among the named tokens (the audit log's actor). */
export const SINGLE_ADMIN_TOKEN_NAME = 'admin';
export type RouteConfig = FigwayConfig['routes'][number];

/** The schema as plain JSON (what ships as schema/figway.schema.json). */
export function toJsonSchema(schema: TSchema = ConfigSchema): Record<string, unknown> {
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...(JSON.parse(JSON.stringify(schema)) as Record<string, unknown>) };
}
