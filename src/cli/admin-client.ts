// HTTP calls to the figway admin API, with every failure turned into an exit code and a message a person can act on.
import { CliError, EXIT } from './exit-codes.js';

/** Where the admin API is and how to call it. */
export interface AdminClientOptions {
  /** Base URL, e.g. http://127.0.0.1:9901 (a path prefix is kept, for an API behind a proxy). */
  readonly url: string;
  readonly token: string | undefined;
  /** Sent as X-Figway-Actor: the audit log keeps it as a note beside the token's name. */
  readonly actor: string;
  readonly timeoutMs: number;
  /** Sent as Idempotency-Key with every change: one command is one change, applied at most once however often it is sent. */
  readonly changeId: string;
  /** Sent as X-Figway-Reason with every change: why, for the audit log. */
  readonly reason?: string;
}

/** One admin API call. */
export interface AdminCall {
  /** Query parameters, repeatable, in order. */
  readonly query?: readonly (readonly [string, string])[];
  readonly body?: unknown;
  /** Error statuses whose JSON body is an answer rather than a failure (503 from /readyz while starting). */
  readonly acceptStatus?: readonly number[];
  /**
   * Fields the answer must have. JSON without them comes from something other than the admin API,
   * typically the app's own port given as --admin.
   */
  readonly expect?: readonly string[];
}

/** A client for the admin API. */
export interface AdminClient {
  readonly url: string;
  /**
   * Sends one request and returns its JSON answer.
   *
   * @throws CliError exit 3 when unreachable, timed out, 5xx or not an admin API; exit 4 on 401/403;
   *   exit 1 with the API's message on any other refusal.
   */
  call<T>(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, call?: AdminCall): Promise<T>;
}

interface ApiError {
  readonly error: { readonly code: string; readonly message: string; readonly status: number; readonly details?: unknown };
}

/** Creates a client for the admin API at `options.url`. */
export function createAdminClient(options: AdminClientOptions): AdminClient {
  const base = options.url.replace(/\/+$/, '');
  return {
    url: base,
    async call<T>(method: string, path: string, call: AdminCall = {}): Promise<T> {
      const target = new URL(base + path);
      for (const [name, value] of call.query ?? []) target.searchParams.append(name, value);
      const headers: Record<string, string> = { accept: 'application/json', 'x-figway-actor': options.actor };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (call.body !== undefined) headers['content-type'] = 'application/json';
      if (method !== 'GET') {
        headers['idempotency-key'] = options.changeId;
        // URI-encoded: a header carries only Latin-1, a reason may be in any language.
        if (options.reason !== undefined) headers['x-figway-reason'] = encodeURIComponent(options.reason);
      }
      let response: Response;
      let text: string;
      try {
        response = await fetch(target, {
          method,
          headers,
          body: call.body === undefined ? undefined : JSON.stringify(call.body),
          signal: AbortSignal.timeout(options.timeoutMs),
          redirect: 'manual',
        });
        text = await response.text();
      } catch (err) {
        throw unreachable(base, err, options.timeoutMs);
      }
      const json = parseJson(text);
      if (response.ok || call.acceptStatus?.includes(response.status)) {
        if (!hasFields(json, call.expect ?? [])) throw notAdminApi(base, response);
        return json as T;
      }
      throw refused(base, response, json, Boolean(options.token));
    },
  };
}

function unreachable(base: string, err: unknown, timeoutMs: number): CliError {
  const name = (err as Error).name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new CliError(EXIT.UNAVAILABLE, `the figway admin API at ${base} did not answer within ${timeoutMs / 1000} s: is the app responsive, and is --admin (FIGWAY_ADMIN_URL) its admin port?`);
  }
  return new CliError(EXIT.UNAVAILABLE, `cannot reach the figway admin API at ${base} (${errorCode(err)}): is the app running, and is --admin (FIGWAY_ADMIN_URL) right?`);
}

/** The system error code behind a failed fetch (ECONNREFUSED, ENOTFOUND...), wherever undici put it. */
function errorCode(err: unknown): string {
  const cause = (err as { cause?: { code?: string; errors?: { code?: string }[]; message?: string } }).cause;
  return cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (err as Error).message;
}

function refused(base: string, response: Response, json: unknown, sentToken: boolean): CliError {
  // The token is good but its role is not enough: the API's words name the token, its role and the one needed.
  if (response.status === 403 && isApiError(json) && json.error.code === 'FIGWAY_ADMIN_FORBIDDEN') return new CliError(EXIT.UNAUTHORIZED, json.error.message, json.error);
  if (response.status === 401 || response.status === 403) {
    return new CliError(
      EXIT.UNAUTHORIZED,
      sentToken ? 'the admin API refused the token: pass --token or set FIGWAY_ADMIN_TOKEN' : 'the admin API needs a token: pass --token or set FIGWAY_ADMIN_TOKEN',
    );
  }
  if (!isApiError(json)) return notAdminApi(base, response);
  const { code, message } = json.error;
  if (code === 'FIGWAY_STATE_OUTCOME_UNKNOWN') {
    const id = (json.error as { details?: { change?: string } }).details?.change;
    return new CliError(
      EXIT.UNAVAILABLE,
      `the change's outcome is unknown: ${message}. \`figway audit --change ${id}\` shows whether it was applied; running the same command again with --change-id ${id} applies it at most once`,
      json.error,
    );
  }
  if (response.status >= 500) return new CliError(EXIT.UNAVAILABLE, `the figway admin API at ${base} failed (${response.status} ${code}): ${message}`, json.error);
  return new CliError(EXIT.REFUSED, message, json.error);
}

function notAdminApi(base: string, response: Response): CliError {
  const type = response.headers.get('content-type') ?? 'no content type';
  return new CliError(EXIT.UNAVAILABLE, `the server at ${base} answered ${response.status} (${type}) but is not the figway admin API: is --admin (FIGWAY_ADMIN_URL) the admin port rather than the app's?`);
}

function isApiError(json: unknown): json is ApiError {
  const error = (json as { error?: { message?: unknown } } | null)?.error;
  return typeof error === 'object' && error !== null && typeof error.message === 'string';
}

function hasFields(json: unknown, fields: readonly string[]): boolean {
  return typeof json === 'object' && json !== null && fields.every((field) => field in json);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
