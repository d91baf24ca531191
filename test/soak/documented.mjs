// What the soak counts as a documented outcome of the faults it injects; everything else is a finding.

/** figway's answers to a service that is down or slow (README: Proxying). */
const SERVICE_DOWN = new Set(['FIGWAY_UPSTREAM_UNAVAILABLE', 'FIGWAY_UPSTREAM_CONNECT_TIMEOUT', 'FIGWAY_UPSTREAM_TIMEOUT']);

/**
 * The kind of one answer to the load, or undefined when it is outside the documented kinds.
 * `sentBytes` is the length of the JSON body sent, checked against what the side that served it read.
 */
export function answerKind({ status, code, body, path, sentBytes }) {
  if (status === 200) {
    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
    if (parsed.side !== 'service' && parsed.side !== 'legacy') return undefined;
    if (sentBytes !== undefined && parsed.bytes !== sentBytes) return undefined;
    return parsed.side;
  }
  if (status === 429 && code === 'FIGWAY_RATE_LIMITED' && path.startsWith('/api/limited')) return 'rate limited';
  if ((status === 502 || status === 504) && SERVICE_DOWN.has(code)) return 'service down';
  return undefined;
}

/** Warnings (README: Warnings) that the injected faults explain, by code. */
const DOCUMENTED_WARNINGS = new Set([
  'FIGWAY_CONFIG_RELOAD_REJECTED',
  'FIGWAY_LIMITS_STORE_UNREACHABLE',
  'FIGWAY_STATE_AUDIT_UNWRITTEN',
  // The soak flips a rollout at runtime and rewrites the file: a reload says the runtime change keeps the file's value from applying.
  'FIGWAY_CONFIG_FILE_SHADOWED',
  // The soak's app keeps its parser in front of figway, so bodies are replayed; figway says so once.
  'FIGWAY_PROXY_BODY_REPLAYED',
]);

/** Log lines at warn and above that the injected faults explain (the rest are findings). */
const DOCUMENTED_LOGS = [
  // A request that ended with an error status is logged at warn (4xx) or error (5xx).
  (line) => line.msg === 'request completed',
  (line) => line.msg === 'request errored' && SERVICE_DOWN.has(line.code),
  (line) => DOCUMENTED_WARNINGS.has(line.code),
];

export function isDocumentedLog(line) {
  return DOCUMENTED_LOGS.some((documented) => documented(line));
}

/** The admin API's documented refusals: the state store down (Redis restarting), an invalid config file. */
export function isDocumentedAdminAnswer(status, code, expected) {
  if (status === expected) return true;
  if (status === 503 && code === 'FIGWAY_STATE_UNAVAILABLE') return true;
  return status === 400 && code === 'FIGWAY_CONFIG_INVALID' && expected === 400;
}
