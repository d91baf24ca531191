// The built-in `auth` plugin: one authentication in front of every service, from figway's own identity sources and the app's passport strategies.
import type { ServerResponse } from 'node:http';
import passport from 'passport';
import type { Counter } from 'prom-client';
import { parseDuration } from '../config-kit/units.js';
import { FigwayError } from '../errors.js';
import { KeptAcrossReloads } from '../limits/kept-across-reloads.js';
import { compileLimitKey } from '../limits/limit-key.js';
import { limitStoresFor } from '../limits/limit-stores.js';
import type { Diagnostics } from '../diagnostics.js';
import type { LimitsConfig } from '../limits/limits-schema.js';
import type { FigwayContext, FigwayPlugin, PassportInstance } from '../types.js';
import { defaultsFiller } from '../config-kit/schema-defaults.js';
import { AUTH_KEYS, AuthSection, fillIdentity, Throttle, type AuthConfig, type IdentityConfig, type RouteAuthConfig } from './auth-schema.js';
import { authenticate, type AuthResult, type Source } from './authenticate.js';
import { authorize, type RouteAuth } from './authorize.js';
import { FailureThrottle } from './failure-throttle.js';
import { dropCookie, setIdentityHeaders } from './identity-headers.js';
import { IdentityTokens } from './identity-token.js';
import { ApiKeyStrategy, apiKeysFrom, JwtStrategy, SessionStrategy, type Challenge, type OwnStrategy } from './strategies.js';
import { toIdentity, type IdentityFields } from './to-identity.js';
import { compileSessionSharing, sessionHeader } from '../session/shared-session.js';
import { fillSession, type RouteSessionConfig, type SessionConfig } from '../session/session-schema.js';
import { compileWriteBack, type Refused } from '../session/write-back.js';


/** What the auth plugin needs from the app. */
export interface AuthPluginOptions {
  /** Environment, for API keys listed in a variable. */
  readonly env: NodeJS.ProcessEnv;
  /** The app's passport instance, for `passport:<name>` sources. Default: the passport module's own instance. */
  readonly passport?: PassportInstance;
  /** Failed and throttled authentications, by route and outcome (`figway_auth_failures_total`). */
  readonly failures: Counter<'route' | 'outcome'>;
  /** Where an unreachable throttle store is reported. */
  readonly diagnostics: Diagnostics;
  /** Clock in milliseconds. */
  readonly now: () => number;
}

const fillThrottle = defaultsFiller(Throttle, ['failures', 'window']);
const fillSessionCookie = defaultsFiller(AuthSection.properties.sessionCookie, ['name', 'forward']);
const fillApiKeys = defaultsFiller(AuthSection.properties.apiKeys, ['header']);
/** Where a request's signed identity token waits between onDecision (signing is asynchronous) and onProxyRequest. */
const IDENTITY_TOKEN = Symbol('figway.identityToken');
/** Where the token carrying a request's shared session alone (no identity to carry it) waits likewise. */
const SESSION_TOKEN = Symbol('figway.sessionToken');
const OUTAGE_REPORT_MS = 5000;

/**
 * The `auth` plugin, configured by the top-level `auth` and `identity` sections and each route's
 * `auth` (the identity headers clients send are already gone: figway removes them when a route
 * matches). It identifies the caller from the sources in order (the monolith's session, a bearer JWT, an API key,
 * the app's own passport strategies), applies the route's mode and rules (401 / 403), and passes the
 * verified identity to services as headers and, when configured, as a signed identity token.
 */
export function authPlugin(
  options: AuthPluginOptions,
): FigwayPlugin<Record<string, unknown>, { auth: AuthConfig; identity: IdentityConfig; session: SessionConfig }, { auth: RouteAuthConfig | undefined; session: RouteSessionConfig | undefined }> {
  // The throttle's counts and refusals outlive reloads that leave its settings and store alone.
  const kept = new KeptAcrossReloads();
  const addressOf = compileLimitKey(['ip']);
  let outageReportedAt = -Infinity;
  const storeFailed = (err: unknown) => {
    if (options.now() - outageReportedAt < OUTAGE_REPORT_MS) return;
    outageReportedAt = options.now();
    options.diagnostics.warnOnce('FIGWAY_AUTH_THROTTLE_STORE_UNREACHABLE', 'figway: the store of failed authentications is unreachable; failures are not counted until it is back', { err });
  };
  return {
    name: 'auth',
    order: -150,
    configKeys: AUTH_KEYS.config,
    routeKeys: AUTH_KEYS.route,
    setup: ({ sections: { auth, identity, session }, routes, config }) => {
      kept.begin();
      const settings = auth ?? {};
      const { userIdField, rolesField, scopesField, headerPrefix } = fillIdentity(identity);
      const fields: IdentityFields = { idField: userIdField, rolesField, scopesField };
      const prefix = headerPrefix.toLowerCase();
      const all = compileSources(settings, fields, options);
      const rules = new Map(routes.map(({ route, sections }) => [route.id, compileRouteAuth(sections.auth, auth)]));
      // Only when some route checks credentials: otherwise nothing can fail, and nothing may hold counters or reach Redis.
      const checks = [...rules.values()].some((rule) => rule.mode !== 'none');
      // The throttle counts where rate limits count: the rate-limit plugin's store.
      const throttle = settings.throttle === false || !checks ? undefined : throttleFor(settings, config.limits, kept, options.now);
      const tokens = settings.token ? new IdentityTokens(settings.token) : undefined;
      const missing = (route: string) =>
        options.diagnostics.warnOnce('FIGWAY_SESSION_NOT_FOUND', `figway: route ${route} shares session keys but the request has no req.session; mount the app's session middleware before figway`, { route });
      // A route shares only once signing is configured (a config check says so), so only then is it compiled.
      const sharing = new Map(tokens ? routes.map(({ route, sections }) => [route.id, compileSessionSharing(session, sections.session, missing)]) : []);
      const sessionTokenHeader = sessionHeader(session);
      const patchHeader = fillSession(session).patchHeader.toLowerCase();
      const refused: Refused = (route, refusal) =>
        options.diagnostics.warnOnce(
          'FIGWAY_SESSION_WRITE_REFUSED',
          'keys' in refusal
            ? `figway: the service of route ${route} tried to change session keys it may not (${refusal.keys.join(', ')}); they were left as they were`
            : `figway: the service of route ${route} sent a session patch figway cannot apply: ${refusal.reason}; the session was left as it was`,
          { route, ...refusal },
        );
      // Only where services may write, or are told the session, is a response looked at for a patch.
      const patches = session !== undefined || routes.some(({ sections }) => sections.session !== undefined);
      const writes = new Map(patches ? routes.map(({ route, sections }) => [route.id, compileWriteBack(session, sections.session, refused)]) : []);
      const cookie = fillSessionCookie(settings.sessionCookie);
      const sessionCookie = cookie.forward ? undefined : cookie.name;

      /** Identifies the caller from the sources and applies the route's mode and rules: at once when the sources answered at once. */
      const identifyCaller = (ctx: FigwayContext, route: RouteAuth): void | Promise<void> => {
        // A client over its budget of failures is refused before its credentials are looked at,
        // so guessing on gets no answer about the guess.
        if (throttle?.refusing) {
          const wait = throttle.retryAfter(addressOf(ctx));
          if (wait !== undefined) {
            options.failures.inc({ route: ctx.route.id, outcome: 'throttled' });
            if (!ctx.res.headersSent) ctx.res.setHeader('retry-after', String(wait));
            throw new FigwayError('FIGWAY_AUTH_THROTTLED', `too many failed authentications from this client; try again in ${wait} s`);
          }
        }
        const result = authenticate(all, ctx.req, ctx.res, fields);
        return result instanceof Promise ? result.then((settled) => admit(ctx, route, settled)) : admit(ctx, route, result);
      };

      /** Applies the route's mode and rules to what the sources made of the request (401 / 403 by throwing). */
      const admit = (ctx: FigwayContext, route: RouteAuth, result: AuthResult): void | Promise<void> => {
        if ('identity' in result) {
          ctx.setIdentity(result.identity);
        } else if ('invalid' in result) {
          options.failures.inc({ route: ctx.route.id, outcome: 'invalid' });
          const { invalid } = result;
          const refuse = () => {
            challenge(ctx.res, [invalid]);
            throw new FigwayError('FIGWAY_AUTH_INVALID', invalid.message);
          };
          // Counted before the 401 goes out: a client's next guess must find its count (on every replica).
          return throttle ? throttle.failed(addressOf(ctx)).catch(storeFailed).then(refuse) : refuse();
        } else if (route.mode === 'required') {
          challenge(ctx.res, result.absent);
          throw new FigwayError('FIGWAY_AUTH_REQUIRED', `route ${ctx.route.id} requires authentication`);
        }
        const denied = authorize(ctx.identity, route);
        if (denied) throw denied;
      };

      return {
        onIdentify: (ctx) => {
          const route = rules.get(ctx.route.id) as RouteAuth;
          if (route.mode !== 'none') return identifyCaller(ctx, route);
          // A route that does not authenticate still knows the monolith's session user (for cohorts,
          // stickiness, X-User-Id), read directly: no credentials are checked, so passport has nothing to do.
          const user = (ctx.req as { user?: unknown }).user;
          const identity = user !== null && typeof user === 'object' ? toIdentity(user as Record<string, unknown>, 'session', fields) : undefined;
          if (identity) ctx.setIdentity(identity);
          return undefined;
        },

        onDecision: tokens
          ? (ctx) => {
              // Signing is asynchronous and proxy hooks are not: the token is made here, sent later.
              // The shared session rides in the identity token; without an identity, in a token of its own.
              if (ctx.decision?.side !== 'service') return undefined;
              const shared = sharing.get(ctx.route.id)?.(ctx.req, ctx.route.id);
              if (!ctx.identity && !shared) return undefined;
              const slot = ctx.identity ? IDENTITY_TOKEN : SESSION_TOKEN;
              const reused = tokens.reusable(ctx.identity, shared);
              if (reused !== undefined) ctx.locals.set(slot, reused);
              else return tokens.mint(ctx.identity, shared).then((token) => void ctx.locals.set(slot, token));
              return undefined;
            }
          : undefined,

        onProxyRequest: (proxyReq, ctx) => {
          if (ctx.identity) setIdentityHeaders(proxyReq, ctx.identity, prefix);
          // A token the client sent under that name was removed with the identity namespace on match.
          if (tokens) {
            const token = ctx.locals.get(IDENTITY_TOKEN) as string | undefined;
            if (token) proxyReq.setHeader(tokens.header, token);
            const sessionToken = ctx.locals.get(SESSION_TOKEN) as string | undefined;
            if (sessionToken) proxyReq.setHeader(sessionTokenHeader, sessionToken);
          }
          if (sessionCookie) dropCookie(proxyReq, sessionCookie);
        },

        onProxyResponse: patches
          ? (proxyRes, ctx) => {
              const patch = proxyRes.headers[patchHeader];
              if (patch === undefined) return;
              // The patch is figway's to apply, never the client's to see.
              delete proxyRes.headers[patchHeader];
              writes.get(ctx.route.id)?.(ctx.req, Array.isArray(patch) ? patch.join(',') : patch, ctx.route.id);
            }
          : undefined,

        endpoints: tokens ? { [tokens.jwksPath]: (_req, res) => void serveJwks(res, tokens) } : undefined,
      };
    },
    onConfig: (event) => (event.kind === 'rejected' ? kept.abandon() : kept.commit()),
    close: () => kept.close(),
  };
}

/** The throttle `auth.throttle` asks for, counting where rate limits count (memory, or their Redis). */
function throttleFor(settings: AuthConfig, limits: LimitsConfig | undefined, kept: KeptAcrossReloads, now: () => number): FailureThrottle {
  const { failures, window } = fillThrottle(settings.throttle || {});
  const windowMs = parseDuration(window);
  const stores = limitStoresFor(limits, kept);
  return kept.take(
    `auth-throttle|${stores.id}|${failures}|${windowMs}`,
    () => new FailureThrottle({ failures, windowMs }, stores.create('auth-failures'), now),
    (t) => t.shutdown(),
  );
}

function compileSources(settings: AuthConfig, fields: IdentityFields, options: AuthPluginOptions): Source[] {
  const own: Record<string, OwnStrategy> = { session: new SessionStrategy(fields) };
  if (settings.jwt) own.jwt = new JwtStrategy(settings.jwt, fields);
  if (settings.apiKeys) {
    const apiKeys = fillApiKeys(settings.apiKeys);
    own.apiKey = new ApiKeyStrategy(apiKeysFrom(apiKeys, options.env), apiKeys.header.toLowerCase(), apiKeys.query);
  }
  const names = settings.sources ?? ['session', ...(settings.jwt ? ['jwt'] : []), ...(settings.apiKeys ? ['apiKey'] : [])];
  const app: PassportInstance = options.passport ?? (passport as unknown as PassportInstance);
  return names.map((name): Source => {
    const strategy = own[name];
    if (strategy) return { own: strategy, label: name };
    return { passport: app, strategy: name.slice('passport:'.length), label: name };
  });
}

function compileRouteAuth(auth: RouteAuthConfig | undefined, settings: AuthConfig | undefined): RouteAuth {
  const fallback = settings?.default ?? (settings ? 'optional' : 'none');
  if (auth === undefined || typeof auth === 'string') return { mode: auth ?? fallback, roles: undefined, scopes: undefined, claims: undefined };
  return {
    mode: auth.mode ?? fallback,
    roles: auth.roles,
    scopes: auth.scopes,
    claims: auth.claims
      ? Object.entries(auth.claims).map(([name, value]) => ({ name, path: name.split('.'), values: (Array.isArray(value) ? value : [value]).map(String) }))
      : undefined,
  };
}

/** WWW-Authenticate with one challenge per scheme figway accepts (RFC 9110 section 11.6.1). */
function challenge(res: ServerResponse, challenges: readonly Challenge[]): void {
  if (res.headersSent) return;
  const schemes = [...new Set(challenges.map((c) => c.scheme).filter((s) => s !== 'Session'))];
  res.setHeader('www-authenticate', schemes.length > 0 ? schemes : ['Bearer realm="figway"']);
}

async function serveJwks(res: ServerResponse, tokens: IdentityTokens): Promise<void> {
  const body = JSON.stringify(await tokens.jwks());
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'public, max-age=300');
  res.end(body);
}
