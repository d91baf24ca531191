// The admin listener: its own port (loopback by default), named tokens with roles, JSON in and out.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLoopback } from '../config/check-config.js';
import { fillAdmin, type FigwayConfig } from '../config/schema.js';
import { CHANGE_ID, REASON } from '../state/runtime-state.js';
import { FigwayError } from '../errors.js';
import { authorize, type AdminAuth, type AdminCaller } from './admin-auth.js';
import { AdminTokens, tokenSpecs } from './admin-tokens.js';
import { refuseBrowserAttack, type HostPolicy } from './browser-guard.js';
import { ADMIN_ENDPOINTS, type AdminEndpoint, type AdminRequest } from './admin-endpoints.js';
import { openApiDocument } from './openapi.js';
import type { Diagnostics } from '../diagnostics.js';

const BODY_LIMIT = 64 * 1024;
// Open endpoints (probes, the page's files) change nothing and read no token.
const OPEN_CALLER: AdminCaller = { name: 'anyone', role: 'read', authenticated: false };

/** A running admin listener. */
export interface AdminServer {
  /** e.g. http://127.0.0.1:9901 */
  readonly url: string;
  close(): Promise<void>;
}

/** What the admin handlers get from the gateway, and what the listener itself needs. */
export interface AdminDeps extends Pick<AdminRequest, 'controller' | 'status' | 'metrics' | 'liveStats' | 'live' | 'progressive' | 'map'> {
  readonly diagnostics: Diagnostics;
  readonly version: string;
  /** Where relative admin.tokens[].tokenFile paths start: the config file's directory. */
  readonly configDir: string;
  readonly now: () => number;
}

/**
 * Starts the admin listener. A bind beyond loopback without a token is refused before listening
 * (the config check already says so; this is the last line of defence).
 *
 * @throws FigwayError FIGWAY_ADMIN_LISTEN_FAILED when the port is taken or the address unavailable.
 */
export async function startAdminServer(settings: NonNullable<FigwayConfig['admin']>, deps: AdminDeps): Promise<AdminServer> {
  const { host } = fillAdmin(settings);
  let guard = guardFor(settings, host, deps);
  if (!isLoopback(host) && (!guard.auth.tokens.any || settings.requireToken === false)) {
    throw new FigwayError('FIGWAY_ADMIN_LISTEN_FAILED', `refusing to serve the admin API on ${host} without a token`);
  }
  // Token files are read before listening, so one that cannot be read is reported at start-up.
  await guard.auth.tokens.fresh();
  // Tokens, roles, requireToken and allowedHosts follow reloads (a token removed from the file stops
  // working at once); the address and port are the listener's, until a restart.
  let current = settings;
  const guardNow = () => {
    const latest = deps.controller.current.config.admin ?? current;
    if (latest === current) return guard;
    if (fillAdmin(latest).host !== host || latest.port !== settings.port) {
      deps.diagnostics.warnOnce('FIGWAY_ADMIN_ADDRESS_NEEDS_RESTART', 'figway: admin.host and admin.port changes apply at the next restart; tokens and allowed hosts apply now', { host: latest.host, port: latest.port });
    }
    current = latest;
    guard = guardFor(latest, host, deps);
    return guard;
  };
  const openapi = openApiDocument(ADMIN_ENDPOINTS, deps.version);
  const server = http.createServer((req, res) => {
    handle(req, res, guardNow(), deps, openapi).catch((err: unknown) => answerError(res, err, deps.diagnostics));
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new FigwayError('FIGWAY_ADMIN_LISTEN_FAILED', `admin API cannot listen on ${host}:${settings.port}: ${err.message}`, { cause: err })));
    server.listen(settings.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, guard: { auth: AdminAuth; hosts: HostPolicy }, deps: AdminDeps, openapi: object): Promise<void> {
  // Before anything else, the page and open endpoints included: a rebinding page must read nothing.
  const refused = refuseBrowserAttack(req, guard.hosts);
  if (refused) throw refused;
  const url = new URL(req.url ?? '/', 'http://admin');
  if (req.method === 'GET' && url.pathname === '/openapi.json') return answer(res, 200, openapi);
  const found = route(req.method ?? 'GET', url.pathname);
  if (!found) {
    const allowed = ADMIN_ENDPOINTS.filter((e) => matchPath(e.path, url.pathname)).map((e) => e.method);
    if (allowed.length > 0) res.setHeader('allow', allowed.join(', '));
    throw new FigwayError('FIGWAY_ADMIN_NOT_FOUND', allowed.length > 0 ? `${req.method} is not allowed on ${url.pathname} (allowed: ${allowed.join(', ')})` : `no admin endpoint ${url.pathname}`, {
      status: allowed.length > 0 ? 405 : 404,
    });
  }
  const { endpoint, params } = found;
  const caller = endpoint.access === 'open' ? OPEN_CALLER : await authorize(req, guard.auth, endpoint.access, `${endpoint.method} ${endpoint.path}`);
  if (caller instanceof FigwayError) {
    if (caller.status === 401) res.setHeader('www-authenticate', 'Bearer realm="figway-admin"');
    throw caller;
  }
  const body = req.method === 'GET' || req.method === 'DELETE' ? undefined : await readJson(req);
  const said = req.headers['x-figway-actor'];
  const note = typeof said === 'string' && /^[\w.@ -]{1,100}$/.test(said) ? said : undefined;
  const actor = { name: caller.name, ...(note === undefined ? {} : { note }), ...changeIdOf(req), ...reasonOf(req) };
  const result = await endpoint.handle({
    controller: deps.controller,
    params,
    query: url.searchParams,
    body,
    actor,
    caller,
    req,
    res,
    status: deps.status,
    metrics: deps.metrics,
    liveStats: deps.liveStats,
    live: deps.live,
    progressive: deps.progressive,
    map: deps.map,
  });
  if (result) answer(res, result.status ?? 200, result.body);
}

/** The caller's Idempotency-Key: its change is applied once however often it is sent. */
function changeIdOf(req: IncomingMessage): { changeId?: string } {
  const key = req.headers['idempotency-key'];
  if (key === undefined) return {};
  if (typeof key !== 'string' || !CHANGE_ID.pattern.test(key)) throw new FigwayError('FIGWAY_ADMIN_BAD_REQUEST', `Idempotency-Key must be ${CHANGE_ID.rule}`);
  return { changeId: key };
}

/** Why the caller makes the change (X-Figway-Reason, URI-encoded so any language fits a header): kept in the audit log. */
function reasonOf(req: IncomingMessage): { reason?: string } {
  const sent = req.headers['x-figway-reason'];
  if (sent === undefined) return {};
  let reason: string;
  try {
    reason = decodeURIComponent(String(sent)).trim();
  } catch {
    throw new FigwayError('FIGWAY_ADMIN_BAD_REQUEST', 'X-Figway-Reason must be URI-encoded (encodeURIComponent): a "%" not followed by two hex digits is not');
  }
  if (!REASON.pattern.test(reason)) throw new FigwayError('FIGWAY_ADMIN_BAD_REQUEST', `X-Figway-Reason must be ${REASON.rule}`);
  return { reason };
}

/** Who may call and from where, for one admin config. */
function guardFor(settings: NonNullable<FigwayConfig['admin']>, host: string, deps: AdminDeps): { auth: AdminAuth; hosts: HostPolicy } {
  const tokens = new AdminTokens(tokenSpecs(settings), deps.configDir, deps.diagnostics, deps.now);
  return { auth: { tokens, required: settings.requireToken ?? tokens.any }, hosts: { bindHost: host, allowedHosts: settings.allowedHosts ?? [] } };
}

function route(method: string, pathname: string): { endpoint: AdminEndpoint; params: Record<string, string> } | undefined {
  for (const endpoint of ADMIN_ENDPOINTS) {
    if (endpoint.method !== method) continue;
    const params = matchPath(endpoint.path, pathname);
    if (params) return { endpoint, params };
  }
  return undefined;
}

function matchPath(pattern: string, pathname: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const part = want[i] as string;
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(got[i] as string);
    else if (part !== got[i]) return undefined;
  }
  return params;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new FigwayError('FIGWAY_ADMIN_BAD_REQUEST', `body larger than ${BODY_LIMIT} bytes`, { status: 413 });
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new FigwayError('FIGWAY_ADMIN_BAD_REQUEST', `body is not valid JSON: ${(err as Error).message}`);
  }
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(`${text}\n`);
}

function answerError(res: ServerResponse, err: unknown, diagnostics: Diagnostics): void {
  const error = err instanceof FigwayError ? err : new FigwayError('FIGWAY_INTERNAL', 'internal error in the admin API', { cause: err });
  if (error.code === 'FIGWAY_INTERNAL') diagnostics.reportError(error, 'figway: admin API error');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  answer(res, error.status, { error: { code: error.code, message: error.message, status: error.status, ...(error.details === undefined ? {} : { details: error.details }) } });
}
