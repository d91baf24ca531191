// The built-in `logging` plugin: one JSON line per routed request, in pino-http's shape, written with pino.
import type { IncomingMessage } from 'node:http';
import { pino, type Logger } from 'pino';
import type { FigwayContext, FigwayPlugin } from '../types.js';
import { DEFAULT_REDACTED_HEADERS, REDACTED, redactHeaders, redactUrl } from './redact.js';
import { traceOf } from './trace-context.js';

/**
 * figway's logger when the app passes none: pino on stdout, written asynchronously so a slow
 * terminal or pipe never stalls requests, in batches of 32 KB and at least once a second, as a
 * buffered access log is. Each write is a hand-off to a worker thread and a system call: a line
 * written on its own cost a busy gateway ~60 µs of CPU, in 32 KB batches ~12 µs (server mode,
 * undici). Lines are handed over as bytes: sonic-boom's text mode appends each line to one growing
 * string and measures it again on every line, a copy of the whole batch per line (~3 µs a line at
 * 32 KB); its buffer mode keeps a list and joins it once per write. pino writes what is left when
 * the process exits.
 *
 * @example
 * ```ts
 * const logger = options.logger ?? defaultLogger();
 * ```
 */
export function defaultLogger(): Logger {
  const stdout = pino.destination({ dest: 1, sync: false, minLength: 32768, maxWrite: 65536, periodicFlush: 1000, contentMode: 'buffer' });
  const bytes = {
    // Looked up on each call: pino swaps `write` for a no-op when stdout's reader has gone (EPIPE).
    // sonic-boom's types declare text only; its buffer mode takes Buffers.
    write: (line: string) => stdout.write(Buffer.from(line) as unknown as string),
    flush: (done: (err?: Error) => void) => stdout.flush(done),
  };
  return pino(bytes);
}

interface LoggingOptions {
  level?: 'trace' | 'debug' | 'info' | 'warn';
  clientClosedLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  sample?: number;
  headers?: boolean | string[];
  redactHeaders?: string[];
  redactQuery?: string[];
}

/**
 * The `logging` plugin: each request figway matched gets one JSON line when its response ends,
 * with route, target (side), decision reason and bucket, upstream, upstream status and latency,
 * request id and trace id. Credentials in headers and token-like query parameters are redacted,
 * and so are the header and query parameter `auth.apiKeys` names, whatever they are called.
 * `sample` keeps that share of successful requests; errors (5xx) are always logged.
 *
 * @example
 * ```yaml
 * plugins:
 *   logging: { sample: 0.1, redactHeaders: [x-session-token] }   # or `logging: false`
 * ```
 */
export function loggingPlugin(logger?: Logger): FigwayPlugin<LoggingOptions> {
  const base = logger ?? defaultLogger();
  return {
    name: 'logging',
    order: -100,
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        level: { enum: ['trace', 'debug', 'info', 'warn'], description: 'Level of the line for a successful request. Default info.' },
        clientClosedLevel: {
          enum: ['trace', 'debug', 'info', 'warn', 'error'],
          description: 'Level of the line for a request whose client went away before its response ended ("request aborted by the client", error code CLIENT_CLOSED): routine for browsers and mobile apps, so not an error. Default info.',
        },
        sample: { type: 'number', minimum: 0, maximum: 1, description: 'Share of successful requests logged, 0 to 1. Errors are always logged. Default 1.' },
        headers: {
          type: ['boolean', 'array'],
          items: { type: 'string' },
          description: 'Request headers to write: true for all, or a list of names. Default none (lean lines; headers cost CPU on every request). Credentials are redacted either way.',
        },
        redactHeaders: { type: 'array', items: { type: 'string' }, description: 'More headers to redact, besides Authorization, Cookie, Set-Cookie, API keys.' },
        redactQuery: { type: 'array', items: { type: 'string' }, description: 'More query parameters to redact, besides token-like names.' },
      },
    },
    setup: ({ config, random }) => {
      const apiKeys = config.auth?.apiKeys;
      const credentials = { headers: apiKeys?.header ? [apiKeys.header] : [], query: apiKeys?.query ? [apiKeys.query] : [] };
      // One writer per route's options (level, sampling and redaction may differ by route).
      const writers = new WeakMap<LoggingOptions, (ctx: FigwayContext, sampled: boolean) => void>();
      return {
        onResponse(ctx, options) {
          let write = writers.get(options);
          if (!write) {
            write = createRequestLogger(base, options, credentials);
            writers.set(options, write);
          }
          const sample = options.sample ?? 1;
          write(ctx, sample >= 1 || random() < sample);
        },
      };
    },
  };
}

function createRequestLogger(
  base: Logger,
  options: LoggingOptions,
  credentials: { headers: readonly string[]; query: readonly string[] },
): (ctx: FigwayContext, sampled: boolean) => void {
  const level = options.level ?? 'info';
  const redacted = new Set([...DEFAULT_REDACTED_HEADERS, ...credentials.headers, ...(options.redactHeaders ?? [])].map((h) => h.toLowerCase()));
  const query = new Set([...credentials.query, ...(options.redactQuery ?? [])].map((q) => q.toLowerCase()));
  const wanted = Array.isArray(options.headers) ? options.headers.map((h) => h.toLowerCase()) : undefined;
  const headersOf = (req: IncomingMessage): Record<string, unknown> | undefined => {
    if (options.headers === true) return redactHeaders(req.headers, redacted);
    if (!wanted) return undefined;
    const picked: Record<string, unknown> = {};
    for (const name of wanted) if (req.headers[name] !== undefined) picked[name] = redacted.has(name) ? REDACTED : req.headers[name];
    return picked;
  };
  const ok = base[level].bind(base);
  const clientError = base.warn.bind(base);
  const serverError = base.error.bind(base);
  const clientClosed = base[options.clientClosedLevel ?? 'info'].bind(base);
  return (ctx, sampled) => {
    const { req, res } = ctx;
    const finished = res.writableFinished;
    const status = res.statusCode;
    // The client left on its own: nothing figway or the service did wrong.
    const aborted = !finished && ctx.error === undefined && status < 500;
    const failed = status >= 500 || !finished;
    if (!sampled && !failed) return;
    const { decision } = ctx;
    const trace = traceOf(ctx);
    const requestId = trace?.requestId;
    const latency = ctx.upstreamLatency;
    // One object literal, every field in place: pino skips the undefined ones.
    const line = {
      req: { id: requestId, method: req.method, url: redactUrl((req as { originalUrl?: string }).originalUrl ?? req.url ?? '', query), headers: headersOf(req) },
      res: { statusCode: status, contentLength: res.getHeader('content-length'), setCookie: res.hasHeader('set-cookie') ? REDACTED : undefined },
      responseTime: Math.round(performance.now() - ctx.startedAt),
      requestId,
      route: ctx.route.id,
      target: ctx.target,
      reason: decision?.reason,
      bucket: decision?.bucket,
      cohort: decision?.cohort,
      stickyKey: decision?.stickyKey,
      upstream: decision?.side === 'service' ? ctx.route.upstream.name : undefined,
      upstreamStatus: ctx.upstreamStatus,
      upstreamLatencyMs: latency === undefined ? undefined : Math.round(latency * 1000) / 1000,
      traceId: trace?.traceId,
      clientIp: ctx.view.ip,
      error: failed ? errorOf(ctx, finished) : undefined,
    };
    if (aborted) clientClosed(line, 'request aborted by the client');
    else if (failed) serverError(line, 'request errored');
    else (status >= 400 ? clientError : ok)(line, 'request completed');
  };
}

/** What went wrong with a request that failed: figway's own error, or the client leaving early. */
function errorOf(ctx: FigwayContext, finished: boolean): { code: string; message: string } | undefined {
  if (ctx.error) return { code: ctx.error.code, message: ctx.error.message };
  return finished ? undefined : { code: 'CLIENT_CLOSED', message: 'the client closed the connection before the response ended' };
}
