// The one way figway's warnings, and the errors it reports about itself, reach the log.
import type { Logger } from 'pino';
import { docsLink } from './docs-link.js';
import type { FigwayError } from './errors.js';
import { WARNING_CODES, type FigwayWarningCode, type WarningEntry } from './warnings.js';

/** How figway tells operators about itself: every warn- and error-level line carries a registered code and its docs link. */
export interface Diagnostics {
  /** The gateway's logger, for lines that need no code (progress, "reachable again"). */
  readonly logger: Logger;
  /**
   * Logs a registered warning at its level with `code` and `docs`; a code registered `once` is
   * said the first time only, for the gateway's life.
   */
  warnOnce(code: FigwayWarningCode, message: string, fields?: Readonly<Record<string, unknown>>): void;
  /**
   * Logs, at error level with its code, docs and stack, an error whoever must fix it would
   * otherwise not see: a bug (FIGWAY_INTERNAL) or a plugin's throw (FIGWAY_PLUGIN_FAILED), whether
   * the client was answered or not (a response hook), and the once-a-minute report of a failing
   * TLS handshake.
   */
  reportError(error: FigwayError, message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/**
 * Creates the diagnostics of one gateway.
 *
 * @example
 * ```ts
 * const diagnostics = createDiagnostics(logger);
 * diagnostics.warnOnce('FIGWAY_SERVER_NO_SESSION', "figway: server mode runs before the app's middleware");
 * // {"level":40,"code":"FIGWAY_SERVER_NO_SESSION","docs":"README.md#figway_server_no_session","msg":"figway: server mode ..."}
 * ```
 */
export function createDiagnostics(logger: Logger): Diagnostics {
  const said = new Set<FigwayWarningCode>();
  return {
    logger,
    warnOnce(code, message, fields) {
      const entry = WARNING_CODES[code] as WarningEntry;
      if (entry.once) {
        if (said.has(code)) return;
        said.add(code);
      }
      logger[entry.level ?? 'warn']({ ...fields, code, docs: docsLink(code) }, message);
    },
    reportError(error, message, fields) {
      logger.error({ ...fields, err: error, code: error.code, docs: docsLink(error.code) }, message);
    },
  };
}
