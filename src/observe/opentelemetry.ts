// figway in the app's OpenTelemetry traces, through @opentelemetry/api only: the app's SDK (if any) records.
import { context, createContextKey, isSpanContextValid, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type SpanContext, type Tracer, type TracerProvider } from '@opentelemetry/api';
import type { ServerResponse } from 'node:http';
import { contextOf, internalsOf, type RequestContext } from '../context.js';
import type { Forward } from '../proxy/forward.js';
import { version } from '../version.js';
import type { FigwayContext, FigwayPlugin, ProxyRequest } from '../types.js';
import { setTrace, traceOf } from './trace-context.js';

/**
 * Where the HTTP server instrumentation keeps its span for the express instrumentation to name
 * (@opentelemetry/core's RPC metadata). Inside a middleware the active span may be the express
 * instrumentation's span of that middleware; this one is the request's.
 */
const RPC_METADATA = createContextKey('OpenTelemetry SDK Context Key RPC_METADATA');
/** The SDK's "do not trace" mark (@opentelemetry/core's suppressTracing): instrumentations leave such calls alone. */
const SUPPRESS_TRACING = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/** figway's spans of one request. */
export interface RequestSpans {
  /** The SDK's tracer the request's spans come from. */
  readonly tracer: Tracer;
  /** The request's span: the app's HTTP server span, or figway's own. */
  readonly request: Span;
  /** Whether figway started (and so ends) the request span. */
  readonly own: boolean;
  /** The context the client span is started in. */
  readonly parent: Context;
  /** The call to the service, while there is one. */
  client: Span | undefined;
  /** Whether who served (and how it went) is on the request span. */
  outcome: boolean;
}

/**
 * The dispatch step with the app's HTTP and undici client instrumentations switched off for the
 * call to the service, on requests figway traces: figway's client span is the call, and the
 * `traceparent` the service receives is that span's. Legacy, when it serves instead (fallback),
 * runs in the request's own context, traced as usual.
 */
export function untraced(forward: Forward): Forward {
  return function forwardUntraced(ctx, next) {
    if (ctx.spans === undefined) return forward(ctx, next);
    const active = context.active();
    context.with(active.setValue(SUPPRESS_TRACING, true), forward, undefined, ctx, (err?: unknown) => context.with(active, next, undefined, err));
  };
}

/**
 * The built-in `opentelemetry` plugin. With an SDK registered (a global tracer provider), the
 * request's span gets figway's attributes (`figway.route`, `figway.side`, `figway.reason`,
 * `figway.bucket`, `figway.target`), the call to the service is a client span whose context is the
 * `traceparent` the service receives, and upstream failures and fallbacks are recorded on both.
 * Without an SDK each request costs one lookup of the global provider.
 */
export function openTelemetryPlugin(): FigwayPlugin<Record<string, never>> {
  const tracers = new TracerCache();
  return {
    name: 'opentelemetry',
    // After trace-context: the ids it gave the request are replaced by the trace's.
    order: -190,
    schema: { type: 'object', additionalProperties: false, properties: {} },
    setup: () => ({
      onRequest(ctx) {
        const tracer = tracers.current();
        if (tracer === undefined) return;
        const spans = startRequestSpan(tracer, ctx);
        const internals = internalsOf(ctx);
        internals.spans = spans;
        // The app's HTTP span ends on the response's close, before figway's observers run.
        if (!spans.own) ctx.res.once('finish', outcomeOnFinish);
        const ids = spans.request.spanContext();
        const given = traceOf(ctx);
        if (given && isSpanContextValid(ids)) setTrace(ctx, { ...given, ...idsOf(ids) });
      },
      onDecision(ctx) {
        const decision = ctx.decision;
        const spans = spansOf(ctx);
        if (spans === undefined || decision === undefined) return;
        spans.request.setAttributes({ 'figway.side': decision.side, 'figway.target': decision.side, 'figway.reason': decision.reason, 'figway.bucket': decision.bucket, 'figway.cohort': decision.cohort });
      },
      onProxyRequest(proxyReq, ctx) {
        const internals = internalsOf(ctx);
        const spans = spansOf(internals);
        // A shadow copy of a legacy-decided request is not the request's call to the service.
        if (spans === undefined || ctx.decision?.side !== 'service') return;
        // A second attempt (a reused connection the service had closed) is a call of its own.
        spans.client?.setStatus({ code: SpanStatusCode.ERROR, message: 'connection reset before any response; sent again' });
        spans.client?.end();
        const client = startClientSpan(spans.tracer, spans.parent, internals, proxyReq);
        spans.client = client;
        const sent = trace.setSpan(spans.parent, client);
        const given = traceOf(ctx);
        if (given && isSpanContextValid(client.spanContext())) {
          const ids = idsOf(client.spanContext());
          setTrace(ctx, { ...given, ...ids });
          proxyReq.setHeader('traceparent', ids.traceparent);
          if (ids.tracestate) proxyReq.setHeader('tracestate', ids.tracestate);
        }
        // The app's propagators too (baggage, B3...); W3C's writes the same traceparent again.
        propagation.inject(sent, proxyReq, PROXY_REQUEST_SETTER);
      },
      onResponse(ctx) {
        const internals = internalsOf(ctx);
        const spans = spansOf(internals);
        if (spans === undefined) return;
        if (spans.client) endClientSpan(spans.client, internals);
        if (!spans.outcome) recordOutcome(spans, internals);
        if (spans.own) endOwnSpan(spans.request, ctx.res.statusCode, internals);
      },
    }),
  };
}

/** This plugin's spans of the request, kept on figway's context (a field: read on every dispatch). */
function spansOf(ctx: FigwayContext): RequestSpans | undefined {
  return internalsOf(ctx).spans as RequestSpans | undefined;
}

/** The tracer of the registered SDK, looked up again only when the global provider changes. */
class TracerCache {
  private provider: TracerProvider | undefined;
  private tracer: Tracer | undefined;

  current(): Tracer | undefined {
    const global = trace.getTracerProvider() as TracerProvider & { getDelegate?(): TracerProvider; getDelegateTracer?(name: string, version?: string): Tracer | undefined };
    const provider = global.getDelegate ? global.getDelegate() : global;
    if (provider !== this.provider) {
      this.provider = provider;
      // The API's proxy has a delegate only once an SDK registered one; without it, no tracer.
      this.tracer = global.getDelegateTracer ? global.getDelegateTracer('figway', version) : global.getTracer('figway', version);
    }
    return this.tracer;
  }
}

function startRequestSpan(tracer: Tracer, ctx: FigwayContext): RequestSpans {
  const active = context.active();
  const existing = (active.getValue(RPC_METADATA) as { span?: Span } | undefined)?.span ?? trace.getSpan(active);
  if (existing !== undefined) {
    existing.setAttribute('figway.route', ctx.route.id);
    return { tracer, request: existing, own: false, parent: trace.setSpan(active, existing), client: undefined, outcome: false };
  }
  const { req } = ctx;
  const pattern = internalsOf(ctx).compiled.pattern.source;
  // No HTTP instrumentation: figway's own server span, continuing the caller's trace.
  const remote = propagation.extract(ROOT_CONTEXT, req.headers);
  const request = tracer.startSpan(
    `${req.method} ${pattern}`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'http.route': pattern, 'url.path': ctx.path, 'figway.route': ctx.route.id } },
    remote,
  );
  return { tracer, request, own: true, parent: trace.setSpan(remote, request), client: undefined, outcome: false };
}

function startClientSpan(tracer: Tracer, parent: Context, ctx: RequestContext, proxyReq: ProxyRequest): Span {
  const upstream = ctx.compiled.upstream;
  return tracer.startSpan(
    `${proxyReq.method} ${upstream.name}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': proxyReq.method,
        'server.address': upstream.url.hostname,
        'server.port': Number(upstream.url.port) || (upstream.url.protocol === 'https:' ? 443 : 80),
        'url.path': proxyReq.path.split('?', 1)[0],
        'figway.route': ctx.route.id,
        'figway.upstream': upstream.name,
        'figway.attempt': ctx.service?.attempts,
      },
    },
    parent,
  );
}

function endClientSpan(span: Span, ctx: RequestContext): void {
  if (ctx.upstreamStatus !== undefined) span.setAttribute('http.response.status_code', ctx.upstreamStatus);
  const failure = ctx.upstreamFailure;
  if (failure) {
    span.setAttribute('error.type', failure.code);
    span.recordException({ code: failure.code, message: failure.message });
    span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
  } else if (ctx.upstreamStatus !== undefined && ctx.upstreamStatus >= 400) {
    span.setAttribute('error.type', String(ctx.upstreamStatus));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  // The call ended when the service failed, not when legacy finished serving in its place.
  span.end(ctx.fellBack ? ctx.upstreamFailedAt : undefined);
}

/** One listener for every request with an app span (found through the response), not a closure each. */
function outcomeOnFinish(this: ServerResponse): void {
  const ctx = contextOf(this.req);
  const spans = spansOf(ctx);
  if (spans) recordOutcome(spans, ctx);
}

/** Who served, a fallback and figway's own error answer, on the request's span. */
function recordOutcome(spans: RequestSpans, ctx: RequestContext): void {
  spans.outcome = true;
  const span = spans.request;
  span.setAttribute('figway.target', ctx.target);
  const failure = ctx.upstreamFailure;
  if (ctx.fellBack && failure) span.addEvent('figway.fallback', { 'figway.error.code': failure.code, 'figway.error.message': failure.message }, ctx.upstreamFailedAt);
  if (!ctx.error) return;
  span.setAttribute('figway.error.code', ctx.error.code);
  if (ctx.res.statusCode < 500) return;
  span.recordException({ code: ctx.error.code, message: ctx.error.message });
  span.setStatus({ code: SpanStatusCode.ERROR, message: ctx.error.message });
}

function endOwnSpan(span: Span, status: number, ctx: RequestContext): void {
  span.setAttribute('http.response.status_code', status);
  if (status >= 500 && !ctx.error) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/** The W3C ids of a span, as trace-context sends them. */
function idsOf(span: SpanContext): { traceId: string; spanId: string; traceparent: string; tracestate: string | undefined } {
  const flags = (span.traceFlags & 0xff).toString(16).padStart(2, '0');
  return { traceId: span.traceId, spanId: span.spanId, traceparent: `00-${span.traceId}-${span.spanId}-${flags}`, tracestate: span.traceState?.serialize() };
}

const PROXY_REQUEST_SETTER = {
  set(carrier: ProxyRequest, key: string, value: string) {
    carrier.setHeader(key, value);
  },
};
