// Runs an Express/Connect middleware (passport, express-rate-limit...) inside a figway hook.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Any (req, res, next) middleware. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => unknown;

/**
 * Resolves when the middleware calls `next()`, or when it answered the response itself (then the
 * pipeline stops); rejects when it calls `next(err)` or throws.
 *
 * @example
 * ```ts
 * const limiter = rateLimit({ windowMs: 60_000, limit: 100 });
 * const plugin = { name: 'my-limit', setup: () => ({ onLimit: (ctx) => runMiddleware(limiter, ctx.req, ctx.res) }) };
 * ```
 */
export function runMiddleware(middleware: Middleware, req: IncomingMessage, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      res.off('finish', answered);
      res.off('close', answered);
      finish();
    };
    const answered = () => settle(resolve);
    res.once('finish', answered);
    res.once('close', answered);
    try {
      const result = middleware(req, res, (err?: unknown) => settle(() => (err === undefined || err === null ? resolve() : reject(err))));
      if (result instanceof Promise) result.catch((err: unknown) => settle(() => reject(err)));
    } catch (err) {
      settle(() => reject(err));
    }
  });
}
