// Every public type of figway, with its documentation.
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Static } from '@sinclair/typebox';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { FigwayConfig, RouteConfig } from './config/schema.js';
import type { UpstreamTlsSchema } from './upstream-tls-schema.js';
import type { FigwayError } from './errors.js';
import type { Decision } from './rollout/decision.js';
import type { RolloutOverride } from './state/runtime-state.js';
import type { RequestView } from './rollout/request-view.js';

export type { FigwayConfig, RouteConfig } from './config/schema.js';
export type { Decision, DecisionReason, Side } from './rollout/decision.js';
export type { RequestView } from './rollout/request-view.js';

/** The caller, as figway established it. */
export interface Identity {
  /** The user id (req.user id field, token sub, API key id). */
  readonly id: string;
  /** Where it came from: session, jwt, apiKey or passport:<strategy>. */
  readonly source: string;
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  /** The user object or token claims, for cohorts, authorization rules and identity tokens. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** What figway uses of a passport instance (figway's own, or the app's). */
export interface PassportInstance {
  authenticate(strategy: string, options: { session: boolean }, callback: (err: unknown, user: unknown, challenge: unknown) => void): unknown;
}

/**
 * The forwarding engines: `http-proxy-middleware` (Node's http client under the library, middleware
 * mode's default) and `undici` (a connection pool per upstream dispatching straight to the response,
 * server mode's default, for speed).
 */
export type EngineName = 'http-proxy-middleware' | 'undici';

/**
 * Options of {@link figway}.
 *
 * @example
 * ```ts
 * app.use(figway({ config: 'figway.yaml' }));
 * app.use(figway({ config: { routes: [{ id: 'orders', match: { path: '/api/orders' }, upstream: 'http://127.0.0.1:4001' }] } }));
 * ```
 */
export interface FigwayOptions {
  /** Path of a YAML file (relative to the working directory), or a config object. */
  config: string | FigwayConfig;
  /** Plugins registered from code; each is configured by `plugins.<name>` in the config. */
  plugins?: readonly AnyFigwayPlugin[];
  /** Environment used for `${VAR}` interpolation. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Source of randomness in [0, 1) for `unkeyed: random` and log sampling. Default: Math.random (inject for tests). */
  random?: () => number;
  /** Clock in milliseconds, for time windows. Default: Date.now (inject for tests). */
  now?: () => number;
  /** How often progressive rollouts are looked at (steps, guard), in milliseconds. Default 5000. */
  checkInterval?: number;
  /** The app's pino logger; figway's request lines are written through a child of it. Default: a pino logger on stdout. */
  logger?: Logger;
  /** The app's prom-client registry; figway's metrics are registered there. Default: prom-client's global registry. */
  registry?: Registry;
  /** The app's passport instance, for `auth.sources: [passport:<strategy>]`. Default: the passport module's instance. */
  passport?: PassportInstance;
}

/**
 * How figway connects to an https:// service, for audits (GET /routes): `verify` (false with
 * `tls.insecure: true`), `ca` (private: only `tls.ca`/`caFile`; public: Node's bundled CAs) and
 * `clientCertificate` (mutual TLS).
 */
export type UpstreamTlsInfo = Readonly<Static<typeof UpstreamTlsSchema>>;

/** A route as plugins and callers see it. */
export interface RouteInfo {
  readonly id: string;
  /** The route as it runs: the file's config with defaults and runtime rollout changes applied, for audits. */
  readonly config: Readonly<RouteConfig>;
  /** The service; `tls` for an https:// one: whether its certificate is verified, against which CAs, and whether figway presents a client certificate. */
  readonly upstream: { readonly name: string; readonly url: string; readonly tls?: UpstreamTlsInfo };
  /** The rollout as the file has it (with defaults), before runtime changes. */
  readonly fileRollout: Readonly<NonNullable<RouteConfig['rollout']>>;
  /** The rollout fields changed at runtime (admin API, CLI), if any. */
  readonly override: Readonly<RolloutOverride> | undefined;
  /** Whether the kill switch sends this route's traffic to legacy. */
  readonly killed: boolean;
}

/**
 * Everything figway knows about one matched request, shared by every stage and plugin.
 * Get it with {@link getContext}.
 */
export interface FigwayContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly route: RouteInfo;
  /** The normalised public path that was matched. */
  readonly path: string;
  /** `:param` values of the route's path, percent-encoded as received. */
  readonly params: Readonly<Record<string, string>>;
  /** Path and query string as the service receives them. */
  readonly upstreamPath: string;
  /** What the decide stage reads of the request (user, ip, headers, cookies). */
  readonly view: RequestView;
  /** The caller, once the identify stage established it (undefined: anonymous). */
  readonly identity: Identity | undefined;
  /**
   * Records the caller; for `onIdentify` hooks. The identity then feeds `sticky: [user]`, cohorts on
   * user fields, rate-limit keys and the identity headers sent to services.
   */
  setIdentity(identity: Identity): void;
  /** The decision, once the decide stage has run. */
  readonly decision: Decision | undefined;
  /**
   * Who served: the service (including figway's 502/504 when it failed), legacy, `fallback` (legacy,
   * after the service failed), or `gateway` (figway answered before deciding: 400, 401, 403, 429).
   */
  readonly target: 'service' | 'legacy' | 'fallback' | 'gateway';
  /** performance.now() when figway first saw the request. */
  readonly startedAt: number;
  /** Upstream status code, once the service answered. */
  readonly upstreamStatus: number | undefined;
  /** Milliseconds from sending the request to the service until its response headers arrived. */
  readonly upstreamLatency: number | undefined;
  /** The error figway itself answered the request with (an upstream failure, a refused body...). */
  readonly error: FigwayError | undefined;
  /**
   * The service's failure on this request, also when legacy served it instead (fallback): a
   * `FIGWAY_UPSTREAM_*` code, or `HTTP_<status>` for a status `fallback.on` lists.
   */
  readonly upstreamFailure: { readonly code: string; readonly message: string } | undefined;
  /** Scratch space for plugins (use a Symbol or your plugin's name as key). */
  readonly locals: Map<string | symbol, unknown>;
  /**
   * The Express app the request belongs to, for its settings (`app.get('trust proxy')`), in both
   * modes: in server mode `req.app` is not set yet when figway sees the request.
   */
  readonly app: { get?(setting: string): unknown } | undefined;
}

/**
 * The request to a service while its headers can still change, as `onProxyRequest` hooks see it.
 * Both forwarding engines give this shape (with http-proxy-middleware it is Node's ClientRequest).
 *
 * @example
 * ```ts
 * onProxyRequest: (proxyReq, ctx) => {
 *   proxyReq.setHeader('x-route', ctx.route.id);
 *   proxyReq.removeHeader('x-debug');
 * }
 * ```
 */
export interface ProxyRequest {
  readonly method: string;
  /** Path and query string sent to the service. */
  readonly path: string;
  getHeader(name: string): number | string | string[] | undefined;
  setHeader(name: string, value: number | string | readonly string[]): unknown;
  removeHeader(name: string): void;
  hasHeader(name: string): boolean;
}

/**
 * The service's response head, before it is copied to the client; `headers` (lower-case names,
 * Set-Cookie as a list) may be edited in place.
 *
 * @example
 * ```ts
 * onProxyResponse: (proxyRes) => {
 *   delete proxyRes.headers['x-powered-by'];
 * }
 * ```
 */
export interface ProxyResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
}

/** A stage hook. Answer the response (or throw a FigwayError) to stop the pipeline. */
export type StageHook<O> = (ctx: FigwayContext, options: O) => void | Promise<void>;

/**
 * Hooks around the pipeline stages: match → identify → limit → decide → dispatch → observe.
 * Each hook receives the plugin's options for the matched route.
 */
export interface PluginHooks<O = Record<string, unknown>> {
  /** Right after a route matched, before identity. */
  onRequest?: StageHook<O>;
  /** Identify the caller (authentication). */
  onIdentify?: StageHook<O>;
  /** Limit the caller (rate limits, quotas). */
  onLimit?: StageHook<O>;
  /** After the decision is recorded, before dispatch; read-only. */
  onDecision?: StageHook<O>;
  /** The request to the service is about to be sent: adjust its headers (whichever forwarding engine sends it). */
  onProxyRequest?: (proxyReq: ProxyRequest, ctx: FigwayContext, options: O) => void;
  /**
   * Around sending a request decided for the service: call `forward(ctx, legacy)` exactly once, with
   * the `ctx` you were given, and do not wait for the response (e.g. run the call in your own async
   * context). `legacy` hands the request to the monolith's handler when the service failed and the
   * route falls back; pass a function of your own that calls it, to run legacy in another context.
   * An async hook may wait before forwarding; a throw or rejection before it forwarded is answered
   * 500 `FIGWAY_PLUGIN_FAILED`. Hooks nest in plugin order, the first outermost: the built-in
   * `opentelemetry` plugin's comes first, so with an SDK registered, the app's HTTP client
   * instrumentation is off inside later ones.
   *
   * @example
   * ```ts
   * const scope = new AsyncLocalStorage<string>();
   * definePlugin({ name: 'scoped', setup: () => ({ onForward: (ctx, forward, legacy) => scope.run(ctx.route.id, () => forward(ctx, legacy)) }) });
   * ```
   */
  onForward?: (ctx: FigwayContext, forward: ForwardStep, legacy: () => void, options: O) => void | Promise<void>;
  /** The service's response headers arrived, before they are copied to the client: edit `proxyRes.headers`. */
  onProxyResponse?: (proxyRes: ProxyResponse, ctx: FigwayContext, options: O) => void;
  /** The response finished or the client went away (observe: metrics, logs). */
  onResponse?: (ctx: FigwayContext, options: O) => void;
  /**
   * Paths figway itself answers on the app (GET and HEAD), before any route matching, e.g. a JWKS.
   * Top-level plugin setup only: per-route options do not apply.
   */
  endpoints?: Readonly<Record<string, (req: IncomingMessage, res: ServerResponse) => void>>;
}

/**
 * Sends a request to its service, as `onForward` hooks get it. `legacy` is called (instead of an
 * error answer) when the service failed and the route falls back to the monolith.
 */
export type ForwardStep = (ctx: FigwayContext, legacy: () => void) => void;

/** A route a plugin runs on, as its setup sees it. */
export interface PluginRoute<R = Record<string, unknown>> {
  readonly route: Readonly<RouteConfig>;
  /** Where the route is in `routes`, for {@link PluginSetup.problem} paths. */
  readonly index: number;
  /** The route's values of the plugin's `routeKeys` (a key the route leaves out is absent). */
  readonly sections: Readonly<Partial<R>>;
}

/** What a plugin's setup receives. */
export interface PluginSetup<O, C = Record<string, unknown>, R = Record<string, unknown>> {
  /** The plugin's top-level options (`plugins.<name>` in the config), validated against its schema. */
  readonly options: O;
  /** The plugin's top-level config keys (`configKeys`), validated against their schemas (a key the file leaves out is absent). */
  readonly sections: Readonly<Partial<C>>;
  /** The routes the plugin runs on: those whose `plugins.<name>`, else the top-level one, is not false. */
  readonly routes: readonly PluginRoute<R>[];
  /** The whole (validated) configuration of this snapshot. */
  readonly config: Readonly<FigwayConfig>;
  /** The gateway's clock in milliseconds (injectable, for time windows). */
  now(): number;
  /** The gateway's source of randomness in [0, 1) (injectable, for sampling). */
  random(): number;
  /**
   * Reports what is wrong with the config at `path` (e.g. `['routes', 2, 'tenant']`), for rules a
   * schema cannot say; the config is then refused with every problem, each at file:line: `figway()`
   * throws at start-up, and a reload keeps the current config serving.
   */
  problem(path: readonly (string | number)[], message: string): void;
}

/**
 * A configuration started serving: at start-up (`loaded`), after a config reload (`reloaded`), after a
 * runtime rollout change or kill switch (`state-changed`); or a reload was rejected.
 */
export type ConfigEvent =
  | { readonly kind: 'loaded' | 'reloaded' | 'state-changed'; readonly version: number; readonly routes: readonly RouteInfo[] }
  | { readonly kind: 'rejected'; readonly error: FigwayError };

/**
 * A figway plugin: a name, an optional JSON Schema for its options, the config keys it owns, and a
 * setup that returns hooks. Built-in capabilities are plugins of this same kind: `auth` owns the
 * `auth` and `identity` keys and each route's `auth`; `rate-limit` owns `limits` and each route's `limits`.
 *
 * @example
 * ```ts
 * const stamp: FigwayPlugin<{ header: string }> = {
 *   name: 'stamp',
 *   schema: { type: 'object', properties: { header: { type: 'string' } }, required: ['header'] },
 *   setup: () => ({ onProxyRequest: (proxyReq, ctx, options) => proxyReq.setHeader(options.header, ctx.route.id) }),
 * };
 * app.use(figway({ config: 'figway.yaml', plugins: [stamp] }));
 * // figway.yaml:  plugins: { stamp: { header: x-route } }
 * ```
 */
export interface FigwayPlugin<O = Record<string, unknown>, C = Record<string, unknown>, R = Record<string, unknown>> {
  readonly name: string;
  /** JSON Schema of the options; top-level and per-route options (merged) are validated against it. */
  readonly schema?: object;
  /**
   * Top-level config keys the plugin owns, each with its JSON Schema: validated with the rest of
   * the file (every problem at file:line), given to setup as `sections`. A key figway or another
   * plugin has is refused at `figway()` time.
   */
  readonly configKeys?: { readonly [K in keyof C]: object };
  /** Route config keys the plugin owns, each with its JSON Schema; setup gets each route's values in `routes`. */
  readonly routeKeys?: { readonly [K in keyof R]: object };
  /** Lower runs first within a stage; default 0. Ties keep registration order. */
  readonly order?: number;
  /** Called for each config snapshot (start-up and every reload). */
  setup(setup: PluginSetup<O, C, R>): PluginHooks<O>;
  /** Told when a configuration starts serving or a reload is rejected (once per event, not per route). */
  onConfig?(event: ConfigEvent): void;
  /** Called by the gateway's close(): release timers, connections, registrations. */
  close?(): void | Promise<void>;
}

/** A plugin with any options type, for lists of plugins (each checks its own options against its schema). */
export type AnyFigwayPlugin = FigwayPlugin<any, any, any>;

/** The middleware `figway()` returns, with its controls. */
export interface FigwayMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void;
  /**
   * Lets figway keep a copy of request bodies that a body parser mounted before it reads, so they
   * reach services byte-identical. Done automatically by `app.use(figway(...))`; call it yourself
   * when figway is mounted on a Router.
   */
  attach(app: object): void;
  /**
   * Server mode: returns the server's request listener, with figway in front of the whole app.
   * A request decided for a service is proxied before Express runs any middleware; every other
   * request (unmatched, legacy, fallback) goes to `app(req, res)` unchanged, its decision on it.
   * Same config, decisions, auth, limits, metrics and logs as middleware mode; `app.use(gateway)`
   * is then not needed (if left in, it lets these requests pass). The app's middleware has not
   * run for peeled requests: no `req.user` from its session, so the `session` auth source, and
   * sticky keys or cohorts on a session user, only work for identities figway establishes itself
   * (JWT, API keys, passport strategies).
   *
   * @example
   * ```js
   * const gateway = figway({ config: 'figway.yaml' });
   * const server = http.createServer(gateway.wrap(app));
   * gateway.upgrade(server); // WebSockets too
   * server.listen(3000);
   * ```
   */
  wrap(app: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * Proxies WebSockets: upgrade requests on the server are matched, authenticated, rate limited and
   * decided like HTTP requests, through one dispatcher that sees each upgrade before the server's
   * 'upgrade' listeners. Those decided for a service get a WebSocket to it; the rest reach the
   * app's own 'upgrade' listeners (added before or after) as if figway were not there. Call once
   * per server, in either mode.
   *
   * @example
   * ```js
   * app.use(gateway);
   * const server = app.listen(3000);
   * gateway.upgrade(server);
   * new WebSocketServer({ server, path: '/legacy-chat' }); // still gets its own upgrades
   * ```
   */
  upgrade(server: Server): void;
  /** The configuration snapshot currently serving. */
  readonly current: { readonly version: number; readonly config: Readonly<FigwayConfig>; readonly loadedAt: Date };
  /**
   * Resolves once runtime control is up: state loaded (Redis may take a moment), the admin listener
   * listening, the config file watched. Rejects when the admin listener cannot start.
   */
  readonly ready: Promise<void>;
  /** The admin API's URL once it listens (e.g. http://127.0.0.1:9901), if the config enables it. */
  readonly adminUrl: string | undefined;
  /**
   * Loads the configuration again (or a new one: a file, or a config object) and swaps it in
   * atomically, with the current runtime state; resolves once it serves. Reading, parsing and
   * validating happen in a worker thread and the compile a slice at a time, so requests keep flowing
   * meanwhile. Requests in flight finish on the snapshot they started with. An invalid config
   * rejects with a FigwayConfigError listing every problem, and the current snapshot keeps serving.
   * The file is also watched (`reload.watch`), and `POST /reload` on the admin API does the same.
   *
   * @example
   * ```ts
   * await gateway.reload(); // the config file again
   * await gateway.reload({ routes: [...] }).catch((err) => console.error(err.problems));
   * ```
   */
  reload(config?: string | FigwayConfig): Promise<void>;
  /**
   * Serves figway's metrics (the registry's, in Prometheus text format); mount it where you like.
   *
   * @example
   * ```js
   * const gateway = figway({ config: 'figway.yaml' });
   * app.use(gateway);
   * app.get('/metrics', gateway.metricsHandler);
   * ```
   */
  readonly metricsHandler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Stops the admin listener and the file watch, closes the state store and upstream pools, and lets every plugin release what it holds. */
  close(): Promise<void>;
}
