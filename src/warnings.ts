// Every warning figway logs about itself, with its stable code, in one registry (errors are in errors.ts).

/** One registered warning: what it means, and how it is said. */
export interface WarningEntry {
  readonly summary: string;
  /** Logged at error level (default warn). */
  readonly level?: 'error';
  /** Said once per gateway. */
  readonly once?: true;
}

/**
 * The registry of figway warning codes: what figway logs about its own state, as opposed to the
 * line per request. Each line carries `code` and `docs` (a link to the README's row for the code),
 * so an alert can key on the code. `level: 'error'` marks the ones logged at error level; `once`
 * the ones said once per gateway. A code is never reused
 * once retired; the README's "Warnings" table is checked against this object by a test.
 */
export const WARNING_CODES = {
  FIGWAY_CONFIG_RELOAD_REJECTED: {
    level: 'error',
    summary: 'A changed config file was refused (its problems are listed); the previous config keeps serving.',
  },
  FIGWAY_CONFIG_FILE_SHADOWED: {
    summary: "A runtime change keeps a route's rollout from the file's value; `figway clear <route>` returns it to the file.",
  },
  FIGWAY_CONTROL_START_FAILED: {
    level: 'error',
    summary: 'Runtime control (state store, admin API, progressive rollouts) did not start; requests are still served on the config.',
  },
  FIGWAY_STATE_OVERRIDE_IGNORED: {
    summary: "A runtime rollout change no longer fits the config (e.g. a cohort it names was removed); the route uses the file's rollout.",
  },
  FIGWAY_STATE_NOT_APPLIED: {
    level: 'error',
    summary: 'A new runtime state could not be applied; the previous one keeps serving.',
  },
  FIGWAY_STATE_AUDIT_UNWRITTEN: {
    summary: 'A reload could not be written to the audit log (the state store did not answer); the reload itself applied.',
  },
  FIGWAY_MAP_HISTORY_UNWRITTEN: {
    summary: "The migration map's history (since when routes are at 100%, what legacy served) could not be written to the state store; the counts are kept and sent again. Said when writing starts failing.",
  },
  FIGWAY_PROXY_BODY_REPLAYED: {
    once: true,
    summary: 'A body parser mounted before figway read a body figway forwards: uploads are received whole and replayed, not streamed. Mount figway before the parsers.',
  },
  FIGWAY_UPSTREAM_TLS_UNVERIFIED: {
    summary: "An upstream has tls.insecure: true, so anyone on the network path can pose as the service; said at start-up and on every reload.",
  },
  FIGWAY_UPSTREAM_TLS_FILES_UNUSABLE: {
    level: 'error',
    summary: "An upstream's TLS files changed but cannot be used (e.g. a certificate without its new key); connections keep the previous ones.",
  },
  FIGWAY_FALLBACK_BREAKER_CHANGED: {
    summary: "A route's circuit breaker opened, half-opened or closed; the line says why.",
  },
  FIGWAY_PROGRESSIVE_STUCK: {
    summary: 'A progressive rollout could not take a step (the state store did not answer); it stays where it is and tries again.',
  },
  FIGWAY_PROGRESSIVE_CLOCK_AHEAD: {
    summary: "A progressive rollout's current step starts in this replica's future (a clock jump); its time is counted from now.",
  },
  FIGWAY_PROGRESSIVE_GUARD_TRIPPED: {
    level: 'error',
    summary: "A progressive rollout's guard found the service worse than legacy; the rollout did what guard.onBreach says.",
  },
  FIGWAY_AUTH_THROTTLE_STORE_UNREACHABLE: {
    summary: 'The store of failed authentications (auth.throttle) is unreachable; failures are not counted until it is back.',
  },
  FIGWAY_LIMITS_STORE_UNREACHABLE: {
    summary: 'The rate-limit store is unreachable; limits.onStoreError says whether requests pass or get 503. Said at most every 5 s, with the failures since.',
  },
  FIGWAY_LIMITS_TRUST_PROXY: {
    summary: "Express 'trust proxy' is true, so a client picks its own address and escapes limits keyed by ip; said once per app.",
  },
  FIGWAY_SERVER_NO_SESSION: {
    once: true,
    summary: "Server mode runs before the app's middleware, so the auth source 'session' never sees req.user.",
  },
  FIGWAY_SERVER_NO_SESSION_SHARE: {
    once: true,
    summary: "Server mode runs before the app's middleware, so there is no req.session to share: routes with session.share or session.write send services no session and take no changes back.",
  },
  FIGWAY_SESSION_WRITE_REFUSED: {
    summary: "A service's session patch changed keys its route's session.write does not list (those were left as they were), or could not be read (nothing was applied).",
  },
  FIGWAY_SESSION_NOT_FOUND: {
    once: true,
    summary: "A route shares session keys but the request has no req.session: mount the app's session middleware before figway.",
  },
  FIGWAY_ADMIN_ADDRESS_NEEDS_RESTART: {
    summary: 'admin.host or admin.port changed in a reload: they apply at the next restart (tokens and allowed hosts apply now).',
  },
  FIGWAY_ADMIN_TOKEN_FILE_UNUSABLE: {
    level: 'error',
    summary: 'An admin token file cannot be read or holds no token; that token is refused until the file is fixed.',
  },
} as const satisfies Record<string, WarningEntry>;

/** A stable figway warning code, e.g. `FIGWAY_PROXY_BODY_REPLAYED`. */
export type FigwayWarningCode = keyof typeof WARNING_CODES;
