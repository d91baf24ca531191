// figway in an app's OpenTelemetry traces, recorded by the real SDK (in-memory exporter) and the real HTTP instrumentation.
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import express, { type Express } from 'express';
import http from 'node:http';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getContext } from '../../src/index.js';
import type { FigwayContext } from '../../src/types.js';
import { spansOf as figwaySpansOf } from '../../src/observe/opentelemetry.js';
import { bucketOf } from '../../src/rollout/bucket.js';
import { GATEWAY_SETUPS, quietLogger, startMonolith, type GatewaySetup, type Monolith } from '../helpers/monolith.js';
import { captureLogs, type CapturedLogs } from '../helpers/log-capture.js';
import { freePort } from '../helpers/listen.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
/** A user the orders route (50%) sends to the service. */
const USER = Array.from({ length: 100 }, (_, i) => `user-${i}`).find((user) => bucketOf('orders', user) < 5000) as string;
const PARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
const exporter = new InMemorySpanExporter();
let testedApp: number | undefined;
let instrumentation: HttpInstrumentation | undefined;
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

interface App extends Monolith {
  /** What the legacy handler saw of figway's spans, per request path. */
  readonly legacySpans: Map<string, boolean>;
  /** The figway context of each request legacy served, per request path. */
  readonly legacyContexts: Map<string, FigwayContext>;
}

/** A monolith with figway in the given mode: orders at 50% (sticky by x-user-id), catalog at 0%, reports falling back from a dead service, billing dead without fallback. */
async function startApp(setup: Pick<GatewaySetup, 'mode' | 'engine'>, service: Upstream, dead: string, logs: CapturedLogs | undefined): Promise<App> {
  const legacySpans = new Map<string, boolean>();
  const legacyContexts = new Map<string, FigwayContext>();
  const config = {
    routes: [
      { id: 'orders', match: { path: '/api/orders' }, upstream: service.url, rollout: { percent: 50, sticky: ['header:x-user-id'] } },
      { id: 'catalog', match: { path: '/api/catalog' }, upstream: service.url, rollout: { percent: 0 } },
      { id: 'reports', match: { path: '/api/reports' }, upstream: dead, fallback: { on: ['refused' as const], breaker: false as const } },
      { id: 'billing', match: { path: '/api/billing' }, upstream: dead },
    ],
  };
  const legacy = (app: Express) =>
    app.use((req, res) => {
      const ctx = getContext(req);
      legacySpans.set(req.originalUrl, ctx !== undefined && figwaySpansOf(ctx) !== undefined);
      if (ctx) legacyContexts.set(req.originalUrl, ctx);
      if (!req.originalUrl.startsWith('/api/reports')) return res.json({ service: 'legacy' });
      // Legacy serving a fallback calls another service, as monolith handlers do.
      http.get(`${service.url}/from-legacy`, (reply) => reply.resume().on('end', () => res.json({ service: 'legacy' })));
    });
  const monolith = await startMonolith(express, { logger: logs?.logger ?? quietLogger, config }, { ...setup, after: legacy });
  return { ...monolith, legacySpans, legacyContexts };
}

function registerSdk(): void {
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

function unregisterSdk(): void {
  trace.disable();
  context.disable();
  propagation.disable();
}

/** The finished spans of one trace, once `count` of them have ended. */
async function spansOf(traceId: string, count: number): Promise<ReadableSpan[]> {
  const of = () => exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
  await expect.poll(() => of().length).toBeGreaterThanOrEqual(count);
  return of();
}

function traceIdSent(service: Upstream): string {
  return (service.last().headers.traceparent as string).split('-')[1] as string;
}

const serverSpanOf = (spans: ReadableSpan[]) => spans.find((span) => span.kind === SpanKind.SERVER && span.attributes['figway.route'] !== undefined);

describe('without an OpenTelemetry SDK', () => {
  let service: Upstream;
  let app: App;

  beforeAll(async () => {
    service = await startUpstream('orders');
    app = await startApp({ mode: 'middleware', engine: 'http-proxy-middleware' }, service, `http://127.0.0.1:${await freePort()}`, undefined);
  });
  afterAll(async () => {
    await app.close();
    await service.close();
    unregisterSdk();
  });

  it('keeps no spans and sends the trace-context plugin ids; an SDK registered later is picked up', async () => {
    await request(app.url, '/api/catalog/1', { headers: { traceparent: PARENT } });
    expect(app.legacySpans.get('/api/catalog/1')).toBe(false);
    await request(app.url, '/api/orders/1', { headers: { traceparent: PARENT, 'x-user-id': USER } });
    expect(traceIdSent(service)).toBe(TRACE_ID);
    expect(exporter.getFinishedSpans()).toEqual([]);

    registerSdk();
    await request(app.url, '/api/catalog/2', { headers: { traceparent: PARENT } });
    expect(app.legacySpans.get('/api/catalog/2')).toBe(true);
    const spans = await spansOf(TRACE_ID, 1);
    expect(serverSpanOf(spans)?.attributes['figway.side']).toBe('legacy');
    // Once the response hook ran, the plugin keeps nothing of the request.
    expect(figwaySpansOf(app.legacyContexts.get('/api/catalog/2') as FigwayContext)).toBeUndefined();
    exporter.reset();
  });
});

describe.each(GATEWAY_SETUPS)('OpenTelemetry, no HTTP instrumentation: figway starts the request span ($label)', (setup) => {
  let service: Upstream;
  let app: App;
  let logs: CapturedLogs;

  beforeAll(async () => {
    registerSdk();
    service = await startUpstream('orders');
    logs = captureLogs();
    app = await startApp(setup, service, `http://127.0.0.1:${await freePort()}`, logs);
  });
  afterAll(async () => {
    await app.close();
    await service.close();
    unregisterSdk();
    exporter.reset();
  });

  it('a server span continuing the caller trace, with figway attributes, and a client span whose context the service receives', async () => {
    await request(app.url, '/api/orders/7', { headers: { traceparent: PARENT, 'x-user-id': USER } });
    const spans = await spansOf(TRACE_ID, 2);
    const server = serverSpanOf(spans);
    const client = spans.find((span) => span.kind === SpanKind.CLIENT);
    expect(server?.name).toBe('GET /api/orders');
    expect(server?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(server?.attributes).toMatchObject({ 'figway.route': 'orders', 'figway.side': 'service', 'figway.reason': 'bucket', 'figway.bucket': bucketOf('orders', USER), 'figway.target': 'service', 'http.response.status_code': 200, 'http.route': '/api/orders' });
    expect(client?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(client?.attributes).toMatchObject({ 'figway.upstream': expect.any(String), 'http.request.method': 'GET', 'http.response.status_code': 200, 'url.path': '/api/orders/7' });
    expect(service.last().headers.traceparent).toBe(`00-${TRACE_ID}-${client?.spanContext().spanId}-01`);
    expect(spans.filter((span) => span.kind === SpanKind.CLIENT)).toHaveLength(1);
  });

  it('a new trace when the caller sent none; the log line carries its trace id', async () => {
    await request(app.url, '/api/orders/8', { headers: { 'x-user-id': USER } });
    const traceId = traceIdSent(service);
    const spans = await spansOf(traceId, 2);
    expect(serverSpanOf(spans)?.parentSpanContext).toBeUndefined();
    await expect.poll(() => logs.lines.find((line) => line.route === 'orders' && line.traceId === traceId)).toBeDefined();
  });

  it('a fallback to legacy is an event on the request span and an error on the client span', async () => {
    const reply = await request(app.url, '/api/reports/1', { headers: { traceparent: PARENT } });
    expect(reply.status).toBe(200);
    const spans = await spansOf(TRACE_ID, 1);
    const server = spans.filter((span) => span.attributes['figway.route'] === 'reports' && span.kind === SpanKind.SERVER).at(-1);
    const client = spans.filter((span) => span.attributes['figway.route'] === 'reports' && span.kind === SpanKind.CLIENT).at(-1);
    expect(server?.attributes['figway.target']).toBe('fallback');
    expect(server?.events.find((event) => event.name === 'figway.fallback')?.attributes).toMatchObject({ 'figway.error.code': 'FIGWAY_UPSTREAM_UNAVAILABLE' });
    expect(server?.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(client?.status.code).toBe(SpanStatusCode.ERROR);
    expect(client?.attributes['error.type']).toBe('FIGWAY_UPSTREAM_UNAVAILABLE');
    expect(client?.events.find((event) => event.name === 'exception')?.attributes).toMatchObject({ 'exception.type': 'FIGWAY_UPSTREAM_UNAVAILABLE' });
  });

  it("an upstream failure answered 502 is an error on both spans, with figway's error code", async () => {
    const reply = await request(app.url, '/api/billing/1', { headers: { traceparent: PARENT } });
    expect(reply.status).toBe(502);
    const spans = await spansOf(TRACE_ID, 1);
    const server = spans.filter((span) => span.attributes['figway.route'] === 'billing' && span.kind === SpanKind.SERVER).at(-1);
    const client = spans.filter((span) => span.attributes['figway.route'] === 'billing' && span.kind === SpanKind.CLIENT).at(-1);
    expect(server?.status.code).toBe(SpanStatusCode.ERROR);
    expect(server?.attributes).toMatchObject({ 'figway.error.code': 'FIGWAY_UPSTREAM_UNAVAILABLE', 'figway.target': 'service', 'http.response.status_code': 502 });
    expect(client?.status.code).toBe(SpanStatusCode.ERROR);
  });
});

describe.each(GATEWAY_SETUPS)('OpenTelemetry with the HTTP instrumentation: figway annotates its span ($label)', (setup) => {
  let service: Upstream;
  let app: App;

  beforeAll(async () => {
    registerSdk();
    if (instrumentation) instrumentation.enable();
    else {
      // One instance, created when first needed and enabled per suite: it patches http when http is
      // next required (Server.prototype is shared with every import, ESM ones too) and again on enable().
      // The test's own requests to the app are not what is tested: they carry the caller's traceparent.
      instrumentation = new HttpInstrumentation({ ignoreOutgoingRequestHook: (options) => Number(options.port) === testedApp });
      createRequire(import.meta.url)('http');
    }
    instrumentation.setTracerProvider(provider);
    service = await startUpstream('orders');
    app = await startApp(setup, service, `http://127.0.0.1:${await freePort()}`, undefined);
    testedApp = app.port;
  });
  afterAll(async () => {
    await app.close();
    await service.close();
    instrumentation?.disable();
    unregisterSdk();
    exporter.reset();
  });

  it("puts figway's attributes on the instrumentation's server span; the one client span is figway's, and the service's span is its child", async () => {
    await request(app.url, '/api/orders/9', { headers: { traceparent: PARENT, 'x-user-id': USER } });
    // The monolith's server span, figway's client span, the service's server span (instrumented too).
    const spans = await spansOf(TRACE_ID, 3);
    const server = serverSpanOf(spans);
    const clients = spans.filter((span) => span.kind === SpanKind.CLIENT);
    expect(clients).toHaveLength(1);
    const client = clients[0] as ReadableSpan;
    expect(server?.instrumentationScope.name).toBe('@opentelemetry/instrumentation-http');
    expect(server?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(server?.attributes).toMatchObject({ 'figway.route': 'orders', 'figway.side': 'service', 'figway.reason': 'bucket', 'figway.target': 'service' });
    expect(client.instrumentationScope.name).toBe('figway');
    expect(client.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(service.last().headers.traceparent).toBe(`00-${TRACE_ID}-${client.spanContext().spanId}-01`);
    const serviceSpan = spans.find((span) => span.kind === SpanKind.SERVER && span !== server);
    expect(serviceSpan?.parentSpanContext?.spanId).toBe(client.spanContext().spanId);
  });

  it('records a fallback on the server span before the instrumentation ends it', async () => {
    exporter.reset();
    await request(app.url, '/api/reports/2', { headers: { traceparent: PARENT } });
    // The monolith's span, figway's failed call, legacy's call and the service's span of it.
    const spans = await spansOf(TRACE_ID, 4);
    const server = spans.filter((span) => span.attributes['figway.route'] === 'reports').find((span) => span.kind === SpanKind.SERVER);
    expect(server?.attributes['figway.target']).toBe('fallback');
    expect(server?.events.map((event) => event.name)).toContain('figway.fallback');
    // Legacy's own call is traced by the app's instrumentation, under the request's span: the
    // switch-off that keeps figway's call to the dead service to one span does not reach it.
    const legacyCall = spans.find((span) => span.kind === SpanKind.CLIENT && span.instrumentationScope.name === '@opentelemetry/instrumentation-http');
    expect(legacyCall?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(spans.filter((span) => span.kind === SpanKind.CLIENT && span.attributes['figway.route'] === 'reports')).toHaveLength(1);
  });
});
