// figway in the app's OpenTelemetry traces, through @opentelemetry/api only: the app's SDK (if any) records.
import { context, createContextKey, isSpanContextValid, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type SpanContext, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';
import { version } from '../version.js';
import type { FigwayContext, FigwayPlugin, ForwardStep, ProxyRequest } from '../types.js';
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
  /** Calls to the service so far (a second is a reused connection the service had closed). */
  attempts: number;
  /** performance.now() when the service failed and legacy took over (fallback). */
  failedAt: number | undefined;
}

/** Each traced request's spans, by its context, until its response hook ran. */
const requestSpans = new WeakMap<FigwayContext, RequestSpans>();
/**
 * Whether any request was ever traced in this process: until an SDK is registered, the hooks look
 * nothing up. A flag, not a count of requests in flight: a request whose response hook never runs
 * (a WebSocket the app took over) cannot leave it stuck, and its entry goes with its context.
 */
let everTraced = false;

/** figway's spans of a request, while it is traced (an SDK was registered when it arrived). */
export function spansOf(ctx: FigwayContext): RequestSpans | undefined {
  return everTraced ? requestSpans.get(ctx) : undefined;
}

/**
 * The call to the service with the app's HTTP and undici client instrumentations switched off, on
 * requests figway traces: figway's client span is the call, and the `traceparent` the service
 * receives is that span's. Legacy, when it serves instead (fallback), runs in the request's own
 * context, traced as usual.
 */
function forwardUntraced(ctx: FigwayContext, forward: ForwardStep, legacy: () => void): void {
  const spans = spansOf(ctx);
  if (spans === undefined) return forward(ctx, legacy);
  const active = context.active();
  context.with(active.setValue(SUPPRESS_TRACING, true), forward, undefined, ctx, () => {
    spans.failedAt = performance.now();
    context.with(active, legacy);
  });
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
        requestSpans.set(ctx, spans);
        everTraced = true;
        // The app's HTTP span ends on the response's close, before figway's observers run.
        if (!spans.own) {
          ctx.res.once('finish', () => {
            if (!spans.outcome) recordOutcome(spans, ctx);
          });
        }
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
      onForward: forwardUntraced,
      onProxyRequest(proxyReq, ctx) {
        const spans = spansOf(ctx);
        // A shadow copy of a legacy-decided request is not the request's call to the service.
        if (spans === undefined || ctx.decision?.side !== 'service') return;
        // A second attempt (a reused connection the service had closed) is a call of its own.
        spans.client?.setStatus({ code: SpanStatusCode.ERROR, message: 'connection reset before any response; sent again' });
        spans.client?.end();
        spans.attempts += 1;
        const client = startClientSpan(spans, ctx, proxyReq);
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
        const spans = spansOf(ctx);
        if (spans === undefined) return;
        requestSpans.delete(ctx);
        if (spans.client) endClientSpan(spans.client, spans, ctx);
        if (!spans.outcome) recordOutcome(spans, ctx);
        if (spans.own) endOwnSpan(spans.request, ctx.res.statusCode, ctx);
      },
    }),
  };
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
    return { tracer, request: existing, own: false, parent: trace.setSpan(active, existing), client: undefined, outcome: false, attempts: 0, failedAt: undefined };
  }
  const { req } = ctx;
  const pattern = ctx.route.config.match.path;
  // No HTTP instrumentation: figway's own server span, continuing the caller's trace.
  const remote = propagation.extract(ROOT_CONTEXT, req.headers);
  const request = tracer.startSpan(
    `${req.method} ${pattern}`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'http.route': pattern, 'url.path': ctx.path, 'figway.route': ctx.route.id } },
    remote,
  );
  return { tracer, request, own: true, parent: trace.setSpan(remote, request), client: undefined, outcome: false, attempts: 0, failedAt: undefined };
}

function startClientSpan(spans: RequestSpans, ctx: FigwayContext, proxyReq: ProxyRequest): Span {
  const upstream = ctx.route.upstream;
  const { address, port } = addressOf(upstream);
  return spans.tracer.startSpan(
    `${proxyReq.method} ${upstream.name}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': proxyReq.method,
        'server.address': address,
        'server.port': port,
        'url.path': proxyReq.path.split('?', 1)[0],
        'figway.route': ctx.route.id,
        'figway.upstream': upstream.name,
        'figway.attempt': spans.attempts,
      },
    },
    spans.parent,
  );
}

/** Each upstream's host and port, parsed once per pooled upstream rather than per call. */
const addresses = new WeakMap<FigwayContext['route']['upstream'], { address: string; port: number }>();

function addressOf(upstream: FigwayContext['route']['upstream']): { address: string; port: number } {
  let known = addresses.get(upstream);
  if (known === undefined) {
    const url = new URL(upstream.url);
    known = { address: url.hostname, port: Number(url.port) || (url.protocol === 'https:' ? 443 : 80) };
    addresses.set(upstream, known);
  }
  return known;
}

function endClientSpan(span: Span, spans: RequestSpans, ctx: FigwayContext): void {
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
  span.end(spans.failedAt);
}

/** Who served, a fallback and figway's own error answer, on the request's span. */
function recordOutcome(spans: RequestSpans, ctx: FigwayContext): void {
  spans.outcome = true;
  const span = spans.request;
  span.setAttribute('figway.target', ctx.target);
  const failure = ctx.upstreamFailure;
  if (spans.failedAt !== undefined && failure) span.addEvent('figway.fallback', { 'figway.error.code': failure.code, 'figway.error.message': failure.message }, spans.failedAt);
  if (!ctx.error) return;
  span.setAttribute('figway.error.code', ctx.error.code);
  if (ctx.res.statusCode < 500) return;
  span.recordException({ code: ctx.error.code, message: ctx.error.message });
  span.setStatus({ code: SpanStatusCode.ERROR, message: ctx.error.message });
}

function endOwnSpan(span: Span, status: number, ctx: FigwayContext): void {
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
