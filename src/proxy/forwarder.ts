// The forwarding seam: the one interface every engine that sends requests to services implements.
import type { RequestContext, ServiceExchange } from '../context.js';
import type { Captured } from './captured.js';
import type { EngineName, ProxyRequest, ProxyResponse } from '../types.js';

/** Every engine, for configs, docs and test matrices. */
export const ENGINE_NAMES: readonly EngineName[] = ['http-proxy-middleware', 'undici'];

/**
 * One request's exchange with its service, across attempts (a reused connection that broke is
 * retried once): the dispatch stage's and the engine's state, not the request's. The context holds
 * it (`ctx.service`) so that the client's leaving reaches the attempt in flight.
 */
export class ServiceCall implements ServiceExchange {
  /** Connection attempts so far. */
  attempts = 0;
  /** Whether the current attempt went out on a connection that served requests before; undefined when the engine cannot tell. */
  reusedConnection: boolean | undefined = undefined;
  /** Set once figway answered a failure, or legacy took over, so a second report of it is ignored. */
  failed = false;
  /** Bytes a body parser read before figway, to send instead of the (consumed) stream. */
  replayBody: Buffer | undefined = undefined;
  /** While the request waits for a pooled connection (http-proxy-middleware engine): the timer that ends the wait. */
  connectionWait: NodeJS.Timeout | undefined = undefined;
  /** The attempt in flight, when its engine must hear that the client went away. */
  inFlight: { clientGone(): void } | undefined = undefined;

  constructor(
    readonly ctx: RequestContext,
    /** Hands the request to the monolith's handler (Express's next): fallback. */
    readonly legacy: () => void,
  ) {}

  /** The client went away before its response ended: the attempt in flight is cancelled. */
  clientGone(): void {
    this.inFlight?.clientGone();
  }
}

/**
 * What happens around an exchange with a service whatever the engine: the dispatch stage's policy
 * (headers, plugins, fallback, circuit breaker, retry, errors). Engines call it; none decides these.
 */
export interface Exchange {
  /**
   * Runs the plugins' onProxyRequest hooks on the outgoing request, once the engine has applied the
   * header rules of request-headers.ts to it. May throw: the request is then not sent.
   */
  prepare(ctx: RequestContext, outgoing: ProxyRequest): void;
  /**
   * The service's final status arrived: true to pass the response on, false when legacy serves the
   * request instead (the route falls back on that status): the engine then drops the service's response.
   */
  answered(call: ServiceCall, statusCode: number): boolean;
  /**
   * Rewrites `head.headers` in place for the client (response-headers.ts) and runs the plugins'
   * onProxyResponse hooks; false when a hook failed and figway answered with an error instead.
   * An engine with no hooks to run may apply response-headers.ts's rules its own way.
   */
  present(call: ServiceCall, head: ProxyResponse): boolean;
  /**
   * The exchange failed (before or after the response started). `connectionReset`: the connection
   * broke before the service sent anything, which a body-less idempotent request may retry once.
   */
  fail(call: ServiceCall, err: unknown, connectionReset: boolean): void;
}

/** One forwarding engine. */
export interface Forwarder {
  readonly engine: EngineName;
  /**
   * Sends the request of `call.ctx` to its upstream (its body: the request stream, or
   * `call.replayBody` when a parser read it before figway) and streams the answer to the response
   * with backpressure, reporting to the exchange. A client that leaves cancels the request to the service.
   */
  send(call: ServiceCall): void;
  /** Sends a body-less copy of the request (shadow traffic) and collects the answer, the body only up to `maxBody` bytes. */
  fetch(ctx: RequestContext, limits: { readonly maxBody: number; readonly timeoutMs: number }): Promise<Captured>;
}
