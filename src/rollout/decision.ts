// The decision: made once per request by the decide stage, read by every later stage and the logs.

/** Where a request goes: the new service, or the monolith's own handler. */
export type Side = 'service' | 'legacy';

/**
 * Why a request went where it did.
 * - `override`: the QA override header/cookie chose the side;
 * - `cohort`: the request is in a cohort the route forces to a side;
 * - `percent`: the route is at exactly 0% or 100%;
 * - `bucket`: the sticky key's bucket is below (service) or above (legacy) the percent;
 * - `unkeyed`: the request has none of the sticky keys, so the route's `unkeyed` policy applied;
 * - `kill-switch`: the kill switch is on, so every request goes to legacy;
 * - `breaker-open`: the service failed repeatedly and the route's circuit breaker sends it to legacy.
 */
export type DecisionReason = 'override' | 'cohort' | 'percent' | 'bucket' | 'unkeyed' | 'kill-switch' | 'breaker-open';

/** The recorded decision of one request. */
export interface Decision {
  readonly routeId: string;
  readonly side: Side;
  readonly reason: DecisionReason;
  /** The route's percent when the decision was made. */
  readonly percent: number;
  /** 0 to 9999, when a sticky key was hashed. */
  readonly bucket?: number;
  /** Which sticky source gave the key, e.g. `header:x-user-id` (never the key itself: it may be personal data). */
  readonly stickyKey?: string;
  /** The cohort that forced the side. */
  readonly cohort?: string;
}
