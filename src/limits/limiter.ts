// One express-rate-limit limiter: a budget with its own prefix and store, run inside the limit hook.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { rateLimit, type Store } from 'express-rate-limit';
import type { Logger } from 'pino';
import { contextOf } from '../context.js';
import { FigwayError } from '../errors.js';
import { runMiddleware, type Middleware } from '../plugins/run-middleware.js';

/** What makes a limiter; one is kept across reloads only while these stay the same. */
export interface LimiterSettings {
  /** Names the budget: `global` or `route:<id>:<index>`; also the draft-8 policy name. */
  readonly prefix: string;
  readonly limit: number;
  readonly windowMs: number;
}

export interface Limiter {
  readonly settings: LimiterSettings;
  /**
   * Counts the request against `key`'s budget and sets the RateLimit headers; answers 429
   * FIGWAY_RATE_LIMITED (with Retry-After) once the budget is spent. Rejects with
   * FIGWAY_RATE_LIMIT_UNAVAILABLE when the store fails.
   */
  check(req: IncomingMessage, res: ServerResponse, key: string): Promise<void>;
  /** Releases the store's timers. */
  shutdown(): void;
}

/**
 * Creates a limiter over `store`, which must belong to this limiter alone.
 *
 * @example
 * ```ts
 * const limiter = createLimiter({ prefix: 'global', limit: 100, windowMs: 60_000 }, new MemoryStore(), logger);
 * await limiter.check(ctx.req, ctx.res, 'user:alice');
 * ```
 */
export function createLimiter(settings: LimiterSettings, store: Store, logger: Logger): Limiter {
  // The key is worked out by the plugin (from identity and the trusted address) just before the check.
  const keys = new WeakMap<IncomingMessage, string>();
  const refusal = `rate limit exceeded: ${settings.limit} requests per ${formatWindow(settings.windowMs)}`;
  const middleware = rateLimit({
    windowMs: settings.windowMs,
    limit: settings.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: settings.prefix,
    keyGenerator: (request) => keys.get(request) as string,
    handler: (request) => contextOf(request).answerError(new FigwayError('FIGWAY_RATE_LIMITED', refusal)),
    store,
    logger: {
      error: (err, message) => logger.error({ err }, message ?? 'figway: express-rate-limit reported an error'),
      warn: (err, message) => logger.warn({ err }, message ?? 'figway: express-rate-limit reported a problem'),
    },
    // Limiters are made when a config is set up, which may be a reload called from a request
    // handler; they are kept across requests all the same, so this check would only mislead.
    validate: { creationStack: false },
  }) as unknown as Middleware;
  return {
    settings,
    async check(req, res, key) {
      keys.set(req, key);
      // express-rate-limit writes its draft-8 headers with Express's res.append; a response outside
      // the app's stack (server mode, upgrades) has only Node's own.
      (res as { append?: unknown }).append ??= appendHeader;
      try {
        await runMiddleware(middleware, req, res);
      } finally {
        keys.delete(req);
      }
    },
    shutdown: () => void store.shutdown?.(),
  };
}

function appendHeader(this: ServerResponse, name: string, value: string): ServerResponse {
  return this.appendHeader(name, value);
}

function formatWindow(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
