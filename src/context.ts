// The per-request context: created once a route matched, carried on the request for every later stage.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parse as parseCookie } from 'cookie';
import { sendError } from './error-response.js';
import { FigwayError } from './errors.js';
import { forwardedFacts, type ForwardedFacts } from './server/forwarded.js';
import { toUpstreamPath } from './routing/upstream-path.js';
import type { Decision } from './rollout/decision.js';
import type { RequestView } from './rollout/request-view.js';
import { peekRecord, recordOf, type ExpressApp } from './request-record.js';
import type { Matched } from './routing/match-request.js';
import { spellAsRoute } from './routing/path-pattern.js';
import { appOf } from './server/express-request.js';
import type { CompiledRoute, Snapshot } from './snapshot/snapshot.js';
import { stripIdentityHeaders } from './auth/identity-headers.js';
import type { FigwayContext, Identity } from './types.js';

/**
 * The figway context of a request, or undefined when no route matched it.
 *
 * @example
 * ```ts
 * app.get('/api/orders', (req, res) => {
 *   const decision = getContext(req)?.decision; // { routeId: 'orders', side: 'legacy', reason: 'bucket', ... }
 * });
 * ```
 */
export function getContext(req: IncomingMessage): FigwayContext | undefined {
  return peekRecord(req)?.context;
}

/** The internal context (with the compiled route and snapshot) for figway's own stages. */
export function contextOf(req: IncomingMessage): RequestContext {
  const ctx = peekRecord(req)?.context;
  if (!ctx) throw new FigwayError('FIGWAY_INTERNAL', 'no figway context on this request');
  // Only a RequestContext is ever put on the record (its constructor does it).
  return ctx as RequestContext;
}

/** The exchange with the service as figway's stages outside the proxy see it (proxy/forwarder.ts's ServiceCall). */
export interface ServiceExchange {
  /** The client went away: cancels the attempt in flight. */
  clientGone(): void;
}

export class RequestContext implements FigwayContext {
  readonly startedAt = performance.now();
  readonly view: RequestView;
  readonly compiled: CompiledRoute;
  /** The normalised path that was matched. */
  readonly path: string;
  readonly search: string;
  /** The path as the client sent it (differs from `path` when normalising changed it). */
  readonly receivedPath: string;
  upstreamStatus: number | undefined;
  /** The exchange with the service, once the request was dispatched there (the forwarder's ServiceCall). */
  service: ServiceExchange | undefined;
  /** Set when the service failed and the legacy handler served instead. */
  fellBack = false;
  /** The service's failure, whoever then answered (a 502/504, or legacy through fallback). */
  upstreamFailure: { readonly code: string; readonly message: string } | undefined = undefined;
  /** The error figway answered this request with, if any. */
  error: FigwayError | undefined;
  identity: Identity | undefined;
  /** performance.now() when the request was sent to the service, and when its response headers arrived. */
  upstreamSentAt: number | undefined;
  upstreamAnsweredAt: number | undefined;
  private recorded: Decision | undefined;
  private localsMap: Map<string | symbol, unknown> | undefined;
  private paramsCache: Record<string, string> | undefined;
  private upstreamPathCache: string | undefined;
  private forwardedCache: ForwardedFacts | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly snapshot: Snapshot,
    matched: Matched<CompiledRoute>,
  ) {
    this.compiled = matched.route;
    this.path = matched.path;
    this.search = matched.search;
    this.receivedPath = matched.receivedPath;
    this.view = new IncomingRequestView(req, snapshot.userIdField, this, stripIdentityHeaders(req, snapshot.identityHeaderPrefix, snapshot.signedTokenHeaders));
    recordOf(req).context = this;
  }

  get route() {
    return this.compiled.info;
  }

  /** Milliseconds from sending the request to the service to its response headers. */
  get upstreamLatency(): number | undefined {
    return this.upstreamSentAt === undefined || this.upstreamAnsweredAt === undefined ? undefined : this.upstreamAnsweredAt - this.upstreamSentAt;
  }

  /** Answers the request with a figway error (in the configured shape) and records it for the observers. */
  answerError(error: FigwayError): void {
    this.error ??= error;
    sendError(this.res, error, this.snapshot.errorFormat);
  }

  setIdentity(identity: Identity): void {
    this.identity = identity;
  }

  get app(): ExpressApp | undefined {
    return appOf(this.req);
  }

  get locals(): Map<string | symbol, unknown> {
    return (this.localsMap ??= new Map());
  }

  get decision(): Decision | undefined {
    return this.recorded;
  }

  get target(): 'service' | 'legacy' | 'fallback' | 'gateway' {
    if (this.fellBack) return 'fallback';
    // An upstream failure answered by figway is the service side's failure, for side-by-side error rates.
    return this.recorded?.side ?? 'gateway';
  }

  /** Records the decision; the decide stage calls this once and nobody decides twice. */
  decide(decision: Decision): void {
    if (this.recorded) throw new FigwayError('FIGWAY_INTERNAL', `the request is already decided (${this.recorded.side})`);
    this.recorded = Object.freeze(decision);
  }

  get params(): Readonly<Record<string, string>> {
    if (this.paramsCache) return this.paramsCache;
    const params: Record<string, string> = {};
    const parts = this.path.split('/');
    this.compiled.pattern.segments.forEach((segment, index) => {
      if (segment.kind === 'param') params[segment.name] = parts[index + 1] ?? '';
    });
    return (this.paramsCache = params);
  }

  /** Client address, scheme and host, following the app's trust proxy setting. */
  get forwarded(): ForwardedFacts {
    return (this.forwardedCache ??= forwardedFacts(this.req));
  }

  get upstreamPath(): string {
    this.upstreamPathCache ??= toUpstreamPath(this.compiled.rewrite, spellAsRoute(this.compiled.pattern, this.path)) + this.search;
    return this.upstreamPathCache;
  }
}

/**
 * The RequestView of a Node/Express request: the user is the identity figway established, else the
 * monolith's req.user; cookies are parsed at most once, on first use.
 */
class IncomingRequestView implements RequestView {
  private cookies: Record<string, string | undefined> | undefined;

  constructor(
    private readonly req: IncomingMessage & { user?: unknown },
    private readonly userIdField: string,
    private readonly ctx: { readonly identity: Identity | undefined; readonly forwarded: ForwardedFacts },
    /** Identity-namespace headers the client sent (removed from the request), still readable as sticky keys. */
    private readonly clientIdentityHeaders: Readonly<Record<string, string | string[]>> | undefined,
  ) {}

  get user(): Readonly<Record<string, unknown>> | undefined {
    if (this.ctx.identity) return this.ctx.identity.claims;
    const user = this.req.user;
    return user !== null && typeof user === 'object' ? (user as Record<string, unknown>) : undefined;
  }

  get userId(): string | undefined {
    if (this.ctx.identity) return this.ctx.identity.id;
    const id = this.user?.[this.userIdField];
    return typeof id === 'string' || typeof id === 'number' || typeof id === 'bigint' ? String(id) : undefined;
  }

  get ip(): string | undefined {
    return this.ctx.forwarded.clientIp || undefined;
  }

  header(name: string): string | undefined {
    const value = this.req.headers[name] ?? this.clientIdentityHeaders?.[name];
    return Array.isArray(value) ? value[0] : value;
  }

  cookie(name: string): string | undefined {
    this.cookies ??= parseCookie(this.req.headers.cookie ?? '');
    return this.cookies[name];
  }
}
