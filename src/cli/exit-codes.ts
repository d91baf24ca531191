// The CLI's exit codes and the one error type commands throw to end with one of them.

/** Exit codes, stable for scripts and CI. */
export const EXIT = {
  OK: 0,
  /** The config is invalid, or the admin API refused the request (400, 404, 409...). */
  REFUSED: 1,
  /** Wrong arguments or options. */
  USAGE: 2,
  /** The admin API is unreachable or failed (connection refused, timeout, 5xx, not an admin API). */
  UNAVAILABLE: 3,
  /** The admin API refused the token (401/403). */
  UNAUTHORIZED: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit-code table shown at the end of every `--help`. */
export const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  the config is invalid, or the admin API refused the request (400, 404, 409...)
  2  usage error (unknown command or option, bad percent...)
  3  the admin API is unreachable or failed (connection refused, timeout after 10 s, 5xx)
  4  not authorized: the admin API refused the token (401/403)

Environment:
  FIGWAY_ADMIN_URL    admin API URL (default http://127.0.0.1:9901), or --admin
  FIGWAY_ADMIN_TOKEN  admin API bearer token, or --token (which other users can see in ps)`;

/**
 * Ends a command with an exit code and a message for stderr. An empty message means the command
 * already said what went wrong (e.g. validate listed the problems).
 */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  /** The admin API's error code (FIGWAY_ADMIN_NOT_FOUND...) when it gave one: scripts read it with --json. */
  readonly code: string | undefined;
  /** The admin API's details (a change's id when its outcome is unknown...). */
  readonly details: unknown;

  constructor(exitCode: ExitCode, message = '', api: { code?: string; details?: unknown } = {}) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.code = api.code;
    this.details = api.details;
  }
}

/** A usage error (exit 2). */
export function usageError(message: string): CliError {
  return new CliError(EXIT.USAGE, message);
}
