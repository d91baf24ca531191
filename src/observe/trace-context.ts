// Request ids and W3C trace context: kept from the caller when valid, generated otherwise, passed to services.
import type { FigwayContext, FigwayPlugin } from '../types.js';
import { randomUUID } from 'node:crypto';
import { randomHex } from './random-ids.js';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;
/** The request's ids, in its plugin scratch space. */
const TRACE = Symbol('figway.trace');

/** The ids of one request, as figway sends them on. */
export interface TraceInfo {
  /** The caller's X-Request-Id when it is a plain token of at most 128 characters, else a new UUID. */
  readonly requestId: string;
  /** W3C trace id: the caller's, or a new one. */
  readonly traceId: string;
  /** The span id figway uses as parent of the service's span. */
  readonly spanId: string;
  /** The traceparent sent to the service. */
  readonly traceparent: string;
  /** The caller's tracestate, forwarded unchanged when its traceparent was valid. */
  readonly tracestate: string | undefined;
}

/**
 * The request id and trace context of a request, once the trace-context plugin has run.
 *
 * @example
 * ```ts
 * const { requestId, traceId } = traceOf(ctx) ?? {};
 * ```
 */
export function traceOf(ctx: FigwayContext): TraceInfo | undefined {
  return ctx.locals.get(TRACE) as TraceInfo | undefined;
}

/** Gives the request new trace ids (the OpenTelemetry plugin's, once its spans exist). */
export function setTrace(ctx: FigwayContext, trace: TraceInfo): void {
  ctx.locals.set(TRACE, trace);
}

interface TraceOptions {
  requestIdHeader?: string;
}

/**
 * The built-in `trace-context` plugin. A valid incoming `traceparent` keeps its trace id (and its
 * `tracestate`); otherwise a new trace starts, marked sampled so services using parent-based
 * sampling record the migrated traffic. figway is one hop: the service's parent is a fresh span id.
 * The request id is echoed on the response.
 */
export function traceContextPlugin(): FigwayPlugin<TraceOptions> {
  return {
    name: 'trace-context',
    order: -200,
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        requestIdHeader: { type: 'string', minLength: 1, description: 'Header carrying the request id, kept from the caller when safe. Default x-request-id.' },
      },
    },
    setup: ({ options }) => {
      const header = (options.requestIdHeader ?? 'x-request-id').toLowerCase();
      return {
        onRequest(ctx) {
          const trace = readTrace(ctx, header);
          setTrace(ctx, trace);
          if (!ctx.res.headersSent) ctx.res.setHeader(header, trace.requestId);
        },
        onProxyRequest(proxyReq, ctx) {
          const trace = traceOf(ctx);
          if (!trace) return;
          proxyReq.setHeader(header, trace.requestId);
          proxyReq.setHeader('traceparent', trace.traceparent);
          if (trace.tracestate) proxyReq.setHeader('tracestate', trace.tracestate);
          else proxyReq.removeHeader('tracestate');
        },
      };
    },
  };
}

function readTrace(ctx: FigwayContext, header: string): TraceInfo {
  const incomingId = ctx.view.header(header);
  const requestId = incomingId !== undefined && SAFE_REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
  const incoming = ctx.view.header('traceparent');
  const parent = incoming === undefined ? null : TRACEPARENT.exec(incoming);
  // Version ff is invalid; all-zero ids are invalid; a version-00 header must have nothing after the flags.
  const valid = parent !== null && parent[1] !== 'ff' && !/^0+$/.test(parent[2] as string) && !/^0+$/.test(parent[3] as string) && !(parent[1] === '00' && parent[5]);
  if (valid) {
    const traceId = parent[2] as string;
    const spanId = randomHex(8);
    return { requestId, traceId, spanId, traceparent: `00-${traceId}-${spanId}-${parent[4]}`, tracestate: ctx.view.header('tracestate') };
  }
  // A new trace: its id and figway's span id from one draw.
  const ids = randomHex(24);
  const traceId = ids.slice(0, 32);
  const spanId = ids.slice(32);
  return { requestId, traceId, spanId, traceparent: `00-${traceId}-${spanId}-01`, tracestate: undefined };
}
