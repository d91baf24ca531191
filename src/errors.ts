// Every error figway can raise, with its stable code and HTTP status, in one registry.
import { docsLink } from './docs-link.js';

/**
 * The registry of figway error codes. A code is never reused once retired; the README's
 * "Error codes" table is checked against this object by a test, so the docs cannot drift.
 */
export const ERROR_CODES = {
  FIGWAY_CONFIG_INVALID: {
    status: 500,
    summary: 'The configuration failed validation; every problem is listed with file:line:column and config path.',
  },
  FIGWAY_CONFIG_TOO_LARGE: {
    status: 400,
    summary: 'A reload found a config file larger than reload.maxFileBytes; it was not read and the current config keeps serving.',
  },
  FIGWAY_CONFIG_UNREADABLE: {
    status: 500,
    summary: 'The configuration file could not be read (missing file, permissions).',
  },
  FIGWAY_PLUGIN_INVALID: {
    status: 500,
    summary: 'A plugin passed in code is malformed (no name, duplicate name, hook that is not a function, a schema figway cannot compile, a config key figway or another plugin already has).',
  },
  FIGWAY_USAGE_INVALID: {
    status: 500,
    summary: 'figway was called with something it cannot use, e.g. attach() with an object that is not an Express app.',
  },
  FIGWAY_SESSION_TOO_LARGE: {
    status: 500,
    summary: "The session keys a route shares (session.share) came to more than session.maxBytes as JSON; the request fails rather than reach the service with a cut session.",
  },
  FIGWAY_SESSION_NOT_JSON: {
    status: 500,
    summary: 'The session keys a route shares hold a value JSON cannot carry (a BigInt, a cycle); the request fails, and the reason stays in the process.',
  },
  FIGWAY_PLUGIN_FAILED: {
    status: 500,
    summary: 'A plugin hook threw an error that was not a FigwayError; the request is answered, the process keeps running.',
  },
  FIGWAY_REQUEST_BAD_PATH: {
    status: 400,
    summary: 'The request path is ambiguous (encoded slash or backslash, NUL, bad percent-encoding, invalid UTF-8, a ";" segment parameter) and could reach a figway route.',
  },
  FIGWAY_REQUEST_BAD_FRAMING: {
    status: 400,
    summary: 'The request matched a route and its Transfer-Encoding is not exactly "chunked" (e.g. "identity, chunked"), framing a service could read differently; the connection is closed.',
  },
  FIGWAY_REQUEST_BODY_CONSUMED: {
    status: 500,
    summary: 'A body parser read the request body before figway and figway could not keep a copy (mount figway with app.use, or call attach(app)).',
  },
  FIGWAY_REQUEST_BODY_TOO_LARGE: {
    status: 413,
    summary: 'A body parser read the request body before figway and the body is larger than proxy.replayBodyLimit.',
  },
  FIGWAY_AUTH_REQUIRED: {
    status: 401,
    summary: 'The route requires authentication and the request carries no credentials.',
  },
  FIGWAY_AUTH_INVALID: {
    status: 401,
    summary: 'The credentials are invalid: a bad, expired or not yet valid token, an unknown API key, a failed strategy.',
  },
  FIGWAY_AUTH_THROTTLED: {
    status: 429,
    summary: 'Too many failed authentications from this client (auth.throttle); its credentials were not checked. Retry-After says when it may try again.',
  },
  FIGWAY_AUTH_FORBIDDEN: {
    status: 403,
    summary: 'The caller is authenticated but lacks a role, scope or claim the route requires.',
  },
  FIGWAY_RATE_LIMITED: {
    status: 429,
    summary: 'The caller used up its rate limit; RateLimit headers say when it resets.',
  },
  FIGWAY_RATE_LIMIT_UNAVAILABLE: {
    status: 503,
    summary: 'The rate-limit store is unreachable and limits.onStoreError is closed.',
  },
  FIGWAY_UPSTREAM_UNAVAILABLE: {
    status: 502,
    summary: 'The service refused the connection, its host did not resolve, or the connection broke before a response.',
  },
  FIGWAY_UPSTREAM_BAD_RESPONSE: {
    status: 502,
    summary: 'The service answered with something that is not valid HTTP.',
  },
  FIGWAY_UPSTREAM_CONNECT_TIMEOUT: {
    status: 504,
    summary: 'No connection to the service within timeouts.connect.',
  },
  FIGWAY_UPSTREAM_TLS: {
    status: 502,
    summary: "The TLS handshake with the service failed: its certificate expired, is for another host or from a CA not trusted (upstreams.<name>.tls.ca), or it refused figway's client certificate. The message says which.",
  },
  FIGWAY_UPSTREAM_TIMEOUT: {
    status: 504,
    summary: 'The service did not send response headers within timeouts.response.',
  },
  FIGWAY_ADMIN_UNAUTHORIZED: {
    status: 401,
    summary: 'The admin API needs its bearer token (in the Authorization header; never in the URL).',
  },
  FIGWAY_ADMIN_FORBIDDEN: {
    status: 403,
    summary: 'The admin token is valid but its role does not allow this endpoint (read < operate < admin); nothing was changed.',
  },
  FIGWAY_ADMIN_BAD_REQUEST: {
    status: 400,
    summary: 'The admin API refused a request it cannot apply as sent (invalid rollout, bad JSON); nothing was changed.',
  },
  FIGWAY_ADMIN_CONFLICT: {
    status: 409,
    summary: 'The change does not fit where the route is now (promote a finished rollout, pause one that is not running, set the percent of a progressive rollout); nothing was changed.',
  },
  FIGWAY_ADMIN_NOT_FOUND: {
    status: 404,
    summary: 'No such admin endpoint, or no route with that id.',
  },
  FIGWAY_ADMIN_HOST_REFUSED: {
    status: 421,
    summary: 'The admin API does not answer to that Host (a DNS-rebinding page): only loopback, IP addresses, the address it listens on and admin.allowedHosts.',
  },
  FIGWAY_ADMIN_ORIGIN_REFUSED: {
    status: 403,
    summary: 'A change to the admin API came from a web page of another origin (or a sandboxed one); nothing was changed.',
  },
  FIGWAY_ADMIN_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    summary: 'An admin API request body was not application/json; nothing was changed.',
  },
  FIGWAY_ADMIN_LISTEN_FAILED: {
    status: 500,
    summary: 'The admin listener could not start (port in use, address not available).',
  },
  FIGWAY_STATE_UNAVAILABLE: {
    status: 503,
    summary: 'The state store (file or Redis) could not be read or written; nothing was changed, now or later, on any replica, and the last known state keeps serving.',
  },
  FIGWAY_STATE_OUTCOME_UNKNOWN: {
    status: 504,
    summary:
      'Redis did not say whether a change was applied, nor answered when asked again; `details.change` is its id: `GET /audit?change=<id>` tells once Redis answers, and retrying with `Idempotency-Key: <id>` never applies it twice.',
  },
  FIGWAY_INTERNAL: {
    status: 500,
    summary: 'An unexpected error inside figway; the request is answered and the error is logged.',
  },
} as const satisfies Record<string, { status: number; summary: string }>;

/** A stable figway error code, e.g. `FIGWAY_UPSTREAM_TIMEOUT`. */
export type FigwayErrorCode = keyof typeof ERROR_CODES;

/**
 * The one error type figway raises. `code` is stable and documented; `status` is the HTTP status
 * figway answers with when the error happens during a request.
 *
 * @example
 * ```ts
 * import { FigwayError } from 'figway';
 * throw new FigwayError('FIGWAY_UPSTREAM_TIMEOUT', 'orders did not answer within 2000 ms');
 * ```
 */
export class FigwayError extends Error {
  readonly code: FigwayErrorCode;
  readonly status: number;
  /** Structured detail for callers that can use it (e.g. the problems of a refused rollout change). */
  readonly details: unknown;

  constructor(code: FigwayErrorCode, message: string, options?: { cause?: unknown; status?: number; details?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FigwayError';
    this.code = code;
    this.status = options?.status ?? ERROR_CODES[code].status;
    this.details = options?.details;
  }

  /** The link to the README row that documents this error's code. */
  get docs(): string {
    return docsLink(this.code);
  }
}

/** One problem found in a configuration: where it is and what is wrong. */
export interface ConfigProblem {
  /** The file the problem is in, or `<inline>` for a config object passed in code. */
  file: string;
  /** 1-based line, when the source is a file. */
  line?: number;
  /** 1-based column, when the source is a file. */
  column?: number;
  /** The config path, e.g. `routes[2].rollout.percent`. */
  path: string;
  message: string;
}

/** Formats one problem as `file:line:column  path  message`. */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.column ?? 1}`;
  return `${where}  ${problem.path || '(root)'}  ${problem.message}`;
}

/**
 * Thrown at start-up (and by a rejected reload) when a configuration is invalid.
 * `problems` lists every problem at once; the message shows them one per line.
 *
 * @example
 * ```ts
 * try {
 *   await gateway.reload();
 * } catch (err) {
 *   if (err instanceof FigwayConfigError) for (const p of err.problems) console.error(formatProblem(p));
 * }
 * ```
 */
export class FigwayConfigError extends FigwayError {
  readonly problems: readonly ConfigProblem[];

  constructor(unsorted: readonly ConfigProblem[]) {
    // In file order, so the list reads top to bottom like the file.
    const problems = [...unsorted].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super('FIGWAY_CONFIG_INVALID', `invalid figway config (${count}):\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.name = 'FigwayConfigError';
    this.problems = problems;
    // Where in figway the error was built helps nobody; the problems say where the config is wrong.
    this.stack = `${this.name}: ${this.message}`;
  }
}
