// The built-in `logging` plugin: one JSON line per routed request, through pino-http.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { contextOf } from '../context.js';
import type { FigwayContext, FigwayPlugin } from '../types.js';
import { DEFAULT_REDACTED_HEADERS, redactHeaders, redactUrl } from './redact.js';
import { traceOf } from './trace-context.js';

const SAMPLED = Symbol('figway.logSampled');

interface LoggingOptions {
  level?: 'trace' | 'debug' | 'info' | 'warn';
  sample?: number;
  redactHeaders?: string[];
  redactQuery?: string[];
}

/**
 * The `logging` plugin: each request figway matched gets one JSON line when its response ends,
 * with route, target (side), decision reason and bucket, upstream, upstream status and latency,
 * request id and trace id. Credentials in headers and token-like query parameters are redacted.
 * `sample` keeps that share of successful requests; errors (5xx) are always logged.
 *
 * @example
 * ```yaml
 * plugins:
 *   logging: { sample: 0.1, redactHeaders: [x-session-token] }   # or `logging: false`
 * ```
 */
export function loggingPlugin(logger?: Logger): FigwayPlugin<LoggingOptions> {
  const base = logger ?? pino();
  return {
    name: 'logging',
    order: -100,
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        level: { enum: ['trace', 'debug', 'info', 'warn'], description: 'Level of the line for a successful request. Default info.' },
        sample: { type: 'number', minimum: 0, maximum: 1, description: 'Share of successful requests logged, 0 to 1. Errors are always logged. Default 1.' },
        redactHeaders: { type: 'array', items: { type: 'string' }, description: 'More headers to redact, besides Authorization, Cookie, Set-Cookie, API keys.' },
        redactQuery: { type: 'array', items: { type: 'string' }, description: 'More query parameters to redact, besides token-like names.' },
      },
    },
    setup: ({ options, random }) => {
      const level = options.level ?? 'info';
      const sample = options.sample ?? 1;
      const headers = new Set([...DEFAULT_REDACTED_HEADERS, ...(options.redactHeaders ?? []).map((h) => h.toLowerCase())]);
      const query = new Set((options.redactQuery ?? []).map((q) => q.toLowerCase()));
      const httpLogger = pinoHttp({
        logger: base,
        genReqId: (req) => traceOf(contextOf(req))?.requestId ?? randomUUID(),
        wrapSerializers: false,
        serializers: {
          req: (req: IncomingMessage & { id?: unknown; originalUrl?: string }) => ({
            id: req.id,
            method: req.method,
            url: redactUrl(req.originalUrl ?? req.url ?? '', query),
            headers: redactHeaders(req.headers, headers),
            remoteAddress: req.socket?.remoteAddress,
          }),
          res: (res: ServerResponse) => ({ statusCode: res.statusCode, headers: redactHeaders(res.getHeaders(), headers) }),
        },
        customLogLevel: (req, res, err) => {
          if (err || res.statusCode >= 500) return 'error';
          if (contextOf(req).locals.get(SAMPLED) === false) return 'silent';
          return res.statusCode >= 400 ? 'warn' : level;
        },
        customSuccessObject: (req, _res, value) => ({ ...(value as object), ...describe(contextOf(req)) }),
        customErrorObject: (req, _res, _err, value) => {
          // The request's own error (code and message) says more than a stack trace of "status 502".
          const { err, ...rest } = value as { err?: unknown };
          const ctx = contextOf(req);
          return { ...rest, ...describe(ctx), error: ctx.error ? { code: ctx.error.code, message: ctx.error.message } : undefined };
        },
      });
      return {
        onRequest(ctx) {
          ctx.locals.set(SAMPLED, sample >= 1 || random() < sample);
          httpLogger(ctx.req, ctx.res);
        },
      };
    },
  };
}

/** The figway fields of a request's log line. */
function describe(ctx: FigwayContext): Record<string, unknown> {
  const { decision } = ctx;
  const trace = traceOf(ctx);
  return {
    route: ctx.route.id,
    target: decision?.side ?? 'gateway',
    reason: decision?.reason,
    bucket: decision?.bucket,
    cohort: decision?.cohort,
    stickyKey: decision?.stickyKey,
    upstream: decision?.side === 'service' ? ctx.route.upstream.name : undefined,
    upstreamStatus: ctx.upstreamStatus,
    upstreamLatencyMs: ctx.upstreamLatency === undefined ? undefined : Math.round(ctx.upstreamLatency * 1000) / 1000,
    traceId: trace?.traceId,
  };
}
