// Every admin endpoint in one table: its route, its documentation (the OpenAPI document is built
// from this table, so the two never drift) and its handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TSchema } from '@sinclair/typebox';
import { inlineSource } from '../config-kit/config-source.js';
import { validateSchema } from '../config-kit/validate-schema.js';
import type { Actor, Controller } from '../control/controller.js';
import { explain, type ExplainInput } from '../control/explain.js';
import { ExplanationSchema } from '../control/explanation-schema.js';
import { routesView, routeView, type RouteLive } from '../control/route-view.js';
import { RoutesViewSchema, RouteViewSchema } from '../control/route-view-schema.js';
import { FigwayError, type ConfigProblem } from '../errors.js';
import type { LiveStats } from '../observe/live-stats.js';
import { MapAnswerSchema } from '../map/map-schema.js';
import type { MigrationMap } from '../map/migration-map.js';
import type { ProgressiveEngine } from '../control/progressive-engine.js';
import { FEATURE_REPORTS, type FeatureRuntimes } from '../feature-runtimes.js';
import { AUDIT_LIMIT, RolloutOverrideSchema, type RolloutOverride } from '../state/runtime-state.js';
import {
  AuditAnswerSchema,
  HealthAnswerSchema,
  KillSwitchAnswerSchema,
  ReadyAnswerSchema,
  ReloadAnswerSchema,
  StatsAnswerSchema,
  WhoamiAnswerSchema,
} from './admin-answers.js';
import type { AdminCaller } from './admin-auth.js';
import { ADMIN_PAGE_ASSETS, serveAdminAsset, serveAdminPage } from './admin-page.js';
import type { AdminRole } from './admin-tokens.js';

/** What a handler gets. */
export interface AdminRequest {
  readonly controller: Controller;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: unknown;
  /** Who is asking, as the token says (the audit log's actor), with what the client says beside it. */
  readonly actor: Actor;
  /** The caller's token name and role (anonymous where no token is asked for). */
  readonly caller: AdminCaller;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Gateway status for the probes. */
  readonly status: () => { ready: boolean; store: { description: string; healthy: boolean } | undefined };
  readonly metrics: (req: IncomingMessage, res: ServerResponse) => void;
  /** In-process figures per route and side. */
  readonly liveStats: LiveStats;
  /** Breakers and progressive step counts, for the route views; the route features' reports (shadow's), for their endpoints. */
  readonly live: RouteLive & Pick<FeatureRuntimes, 'report'>;
  /** The migration map. */
  readonly map: Pick<MigrationMap, 'answer'>;
  /** Pause, resume, promote and roll back progressive rollouts. */
  readonly progressive: Pick<ProgressiveEngine, 'pause' | 'resume' | 'promote' | 'rollback'>;
}

/** A JSON answer, or `undefined` when the handler wrote the response itself. */
export type AdminAnswer = { status?: number; body: unknown } | undefined;

/** The media type of an answer the handler writes itself (text/html, text/plain; version=0.0.4). */
export type MediaType = `${string}/${string}`;

export interface AdminEndpoint {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  readonly path: string;
  readonly summary: string;
  /** The role a token needs; open: no token (probes and the page's files, which reveal nothing). */
  readonly access: 'open' | AdminRole;
  readonly query?: readonly { name: string; description: string; required?: boolean; repeated?: boolean }[];
  readonly body?: object;
  /** The schema of the JSON answer (the OpenAPI document carries it, tests check answers against it), or the media type of another answer. */
  readonly response: TSchema | MediaType;
  handle(request: AdminRequest): AdminAnswer | Promise<AdminAnswer>;
}

const ROUTE_ID = { name: 'id', description: 'Route id' };

export const ADMIN_ENDPOINTS: readonly AdminEndpoint[] = [
  {
    method: 'GET',
    path: '/healthz',
    summary: 'Liveness: the process answers.',
    access: 'open',
    response: HealthAnswerSchema,
    handle: () => ({ body: { status: 'ok' } }),
  },
  {
    method: 'GET',
    path: '/readyz',
    summary: 'Readiness: runtime state is loaded and figway serves. 503 while starting. A state store that is down does not make figway unready: it serves its last known state.',
    access: 'open',
    response: ReadyAnswerSchema,
    handle: ({ controller, status }) => {
      const { ready, store } = status();
      const snapshot = controller.current;
      return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'starting', configVersion: snapshot.version, stateRevision: snapshot.state.revision, store } };
    },
  },
  {
    method: 'GET',
    path: '/whoami',
    access: 'read',
    summary:
      'Who the caller acts as: the name of the token it sent (the actor the audit log records) and the role the token has. Without a token where none is asked for (loopback, no admin.token): anonymous@<address> with every role.',
    response: WhoamiAnswerSchema,
    handle: ({ caller }) => ({ body: caller }),
  },
  {
    method: 'GET',
    path: '/routes',
    access: 'read',
    summary: 'The whole routing table with each route\'s effective config (match, upstream, rewrite, timeouts, plugins, rollout and its source), for audits.',
    response: RoutesViewSchema,
    handle: ({ controller, live }) => ({ body: routesView(controller.current, live) }),
  },
  {
    method: 'GET',
    path: '/routes/:id',
    access: 'read',
    summary: 'One route, as in GET /routes.',
    response: RouteViewSchema,
    handle: ({ controller, params, live }) => ({ body: routeView(findRoute(controller, params.id as string), live) }),
  },
  {
    method: 'PUT',
    path: '/routes/:id/rollout',
    access: 'operate',
    summary: 'Changes a route\'s rollout at runtime, on every replica and across restarts: only the fields sent change.',
    body: RolloutOverrideSchema,
    response: RouteViewSchema,
    handle: async ({ controller, params, body, actor, live }) => {
      const override = validated(body, RolloutOverrideSchema) as RolloutOverride;
      const snapshot = await controller.setRollout(params.id as string, override, actor);
      return { body: routeView(findRoute(controller, params.id as string, snapshot), live) };
    },
  },
  {
    method: 'DELETE',
    path: '/routes/:id/rollout',
    access: 'operate',
    summary: 'Drops a route\'s runtime rollout changes: the file\'s rollout applies again.',
    response: RouteViewSchema,
    handle: async ({ controller, params, actor, live }) => {
      const snapshot = await controller.clearRollout(params.id as string, actor);
      return { body: routeView(findRoute(controller, params.id as string, snapshot), live) };
    },
  },
  {
    method: 'POST',
    path: '/routes/:id/rollback',
    access: 'operate',
    summary:
      'Rolls a route back to 0%: every request to legacy (cohorts and overrides still apply; use the kill switch to stop everything). A progressive rollout stops, rolled-back, until resumed.',
    response: RouteViewSchema,
    handle: async ({ controller, params, actor, live, progressive }) => {
      const id = params.id as string;
      const snapshot = findRoute(controller, id).progressive ? await progressive.rollback(id, actor) : await controller.setRollout(id, { percent: 0 }, actor, 'rollback');
      return { body: routeView(findRoute(controller, id, snapshot), live) };
    },
  },
  ...(['pause', 'resume', 'promote'] as const).map(
    (action): AdminEndpoint => ({
      method: 'POST',
      path: `/routes/:id/progressive/${action}`,
      access: 'operate',
      summary: {
        pause: 'Stops a progressive rollout taking steps; its percent stays. 409 unless it is running.',
        resume: 'Lets a paused progressive rollout take steps again; a rolled-back one starts over at its first step. 409 otherwise.',
        promote: 'Takes the next step of a progressive rollout now, whatever its time, requests and guard say (a rolled-back one starts over at its first step). 409 once it is done.',
      }[action],
      response: RouteViewSchema,
      handle: async ({ controller, params, actor, live, progressive }) => {
        const snapshot = await progressive[action](params.id as string, actor);
        return { body: routeView(findRoute(controller, params.id as string, snapshot), live) };
      },
    }),
  ),
  ...FEATURE_REPORTS.map(
    ({ key, summary, response }): AdminEndpoint => ({
      method: 'GET',
      path: `/routes/:id/${key}`,
      access: 'read',
      summary,
      response,
      handle: ({ controller, params, live }) => {
        const route = findRoute(controller, params.id as string);
        return { body: live.report(key, { id: route.id, config: route.info.config }) };
      },
    }),
  ),
  {
    method: 'GET',
    path: '/kill-switch',
    access: 'read',
    summary: 'Whether the kill switch is on.',
    response: KillSwitchAnswerSchema,
    handle: ({ controller }) => ({ body: { on: controller.current.state.killSwitch } }),
  },
  {
    method: 'POST',
    path: '/kill-switch',
    access: 'operate',
    summary: 'Every route to legacy at once ({"on": true}, the default), or back to their rollouts ({"on": false}).',
    body: { type: 'object', additionalProperties: false, properties: { on: { type: 'boolean', description: 'true: every request to legacy; false: rollouts apply again.' } } },
    response: KillSwitchAnswerSchema,
    handle: async ({ controller, body, actor }) => {
      const { on = true } = validated(body ?? {}, KILL_SWITCH_BODY) as { on?: boolean };
      const snapshot = await controller.setKillSwitch(on, actor);
      return { body: { on: snapshot.state.killSwitch } };
    },
  },
  {
    method: 'POST',
    path: '/reload',
    access: 'admin',
    summary: 'Loads the config file again (read, parsed and validated in a worker thread: requests keep being served). An invalid file is refused with every problem (file:line:column, path) and the current config keeps serving.',
    response: ReloadAnswerSchema,
    handle: async ({ controller, actor }) => {
      try {
        const { version } = await controller.reload(undefined, actor);
        await controller.reloadRecorded();
        return { body: { configVersion: version } };
      } catch (err) {
        const problems = (err as { problems?: ConfigProblem[] }).problems;
        if (problems) throw new FigwayError('FIGWAY_CONFIG_INVALID', (err as Error).message, { status: 400, details: problems });
        throw err;
      }
    },
  },
  {
    method: 'GET',
    path: '/explain',
    access: 'read',
    summary: 'What figway would do with a request: the route it matches, the service path, the side and why (bucket, cohort, override...).',
    query: [
      { name: 'method', description: 'HTTP method. Default GET.' },
      { name: 'path', description: 'Path and query string of the request.', required: true },
      { name: 'header', description: 'A request header as name:value.', repeated: true },
      { name: 'cookie', description: 'A cookie as name=value.', repeated: true },
      { name: 'user', description: 'A field of req.user as field=value (the user id field gives sticky: user).', repeated: true },
      { name: 'ip', description: 'The client address.' },
    ],
    response: ExplanationSchema,
    handle: ({ controller, query }) => ({ body: explain(controller.current, explainInput(query)) }),
  },
  {
    method: 'GET',
    path: '/audit',
    access: 'read',
    summary:
      'Who changed what and when (rollouts, rollbacks, kill switch, reloads), newest first, with old and new values and each change\'s id. With ?change=<id>: that change\'s entry, or none: once the store answers, a change it has no entry for was not applied and never will be.',
    query: [
      { name: 'limit', description: 'Most entries to return, 1 to 1000. Default 100.' },
      { name: 'change', description: 'A change id (the Idempotency-Key sent, or details.change of a FIGWAY_STATE_OUTCOME_UNKNOWN answer): only its entry.' },
    ],
    response: AuditAnswerSchema,
    handle: async ({ controller, query }) => {
      const limit = Math.min(AUDIT_LIMIT, Math.max(1, Number(query.get('limit') ?? 100) || 100));
      const change = query.get('change');
      const store = controller.stateStore;
      if (!store) return { body: { entries: [] } };
      try {
        if (change !== null) return { body: { entries: (await store.audit(AUDIT_LIMIT)).filter((entry) => entry.change === change) } };
        return { body: { entries: await store.audit(limit) } };
      } catch (err) {
        throw new FigwayError('FIGWAY_STATE_UNAVAILABLE', `the state store (${store.description}) did not answer: ${(err as Error).message}`, { cause: err });
      }
    },
  },
  {
    method: 'GET',
    path: '/stats',
    access: 'read',
    summary: 'In-process figures over the recent window, per route, service and legacy side by side: requests per second, error rate, p50 and p99; and the strangled share.',
    response: StatsAnswerSchema,
    handle: ({ liveStats }) => ({ body: { windowSeconds: liveStats.windowMs() / 1000, ...liveStats.snapshot() } }),
  },
  {
    method: 'GET',
    path: '/map',
    access: 'read',
    summary:
      "The migration map: every endpoint of the monolith (read from the app's Express router), the route covering it, its state (legacy-only, rolling-out, at-100, ready-to-retire) and why it is not ready to retire, requests per side within map.window, the strangled share per area, and routes covering no endpoint.",
    response: MapAnswerSchema,
    handle: async ({ map }) => ({ body: await map.answer() }),
  },
  {
    method: 'GET',
    path: '/metrics',
    access: 'read',
    summary: 'Prometheus metrics (text format).',
    response: 'text/plain; version=0.0.4',
    handle: ({ req, res, metrics }) => {
      metrics(req, res);
      return undefined;
    },
  },
  {
    method: 'GET',
    path: '/',
    summary: 'The admin page for ops (HTML): every route with its live figures, rollout changes, the kill switch, the audit log. Open: the page holds no data; everything it shows and does goes through this API with the token.',
    access: 'open',
    response: 'text/html',
    handle: ({ res }) => serveAdminPage(res),
  },
  ...ADMIN_PAGE_ASSETS.map(
    (name): AdminEndpoint => ({
      method: 'GET',
      path: `/ui/${name}`,
      summary: 'A script, style or icon of the admin page, served by figway itself (no CDN; works offline).',
      access: 'open',
      response: name.endsWith('.css') ? 'text/css' : name.endsWith('.svg') ? 'image/svg+xml' : 'text/javascript',
      handle: ({ res }) => serveAdminAsset(res, name),
    }),
  ),
];

const KILL_SWITCH_BODY = ADMIN_ENDPOINTS.find((e) => e.path === '/kill-switch' && e.method === 'POST')?.body ?? {};

function findRoute(controller: Controller, id: string, snapshot = controller.current) {
  const route = snapshot.routes.find((r) => r.id === id);
  if (!route) throw new FigwayError('FIGWAY_ADMIN_NOT_FOUND', `no route "${id}" (routes: ${snapshot.routes.map((r) => r.id).join(', ')})`);
  return route;
}

/** The body if it fits the schema, else a 400 listing every problem. */
function validated(body: unknown, schema: object): unknown {
  const problems = validateSchema(schema as never, body, inlineSource('<body>'));
  if (problems.length > 0) {
    throw new FigwayError('FIGWAY_ADMIN_BAD_REQUEST', problems.map((p) => `${p.path || 'body'} ${p.message}`).join('; '), { details: problems });
  }
  return body;
}

function explainInput(query: URLSearchParams): ExplainInput {
  const path = query.get('path');
  if (!path || !path.startsWith('/')) throw new FigwayError('FIGWAY_ADMIN_BAD_REQUEST', 'path is required and must start with "/" (e.g. ?path=/api/orders/7)');
  const pairs = (name: string, separator: string) =>
    Object.fromEntries(
      query.getAll(name).map((entry) => {
        const at = entry.indexOf(separator);
        if (at <= 0) throw new FigwayError('FIGWAY_ADMIN_BAD_REQUEST', `${name} must be written name${separator}value, got "${entry}"`);
        return [entry.slice(0, at).trim(), entry.slice(at + 1).trim()];
      }),
    );
  const user = pairs('user', '=');
  return {
    method: query.get('method') ?? 'GET',
    path,
    headers: pairs('header', ':'),
    cookies: pairs('cookie', '='),
    ip: query.get('ip') ?? undefined,
    ...(Object.keys(user).length > 0 ? { user } : {}),
  };
}
