// Passive health per route: after repeated failures the service is left alone for a cool-down; the last failure is kept for the route view.

/** A route's breaker settings, compiled. */
export interface BreakerSettings {
  readonly failures: number;
  readonly cooldownMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** A failure of a route's service, as the route view shows the last one. */
export interface UpstreamFailure {
  /** The FigwayError code, or `HTTP_<status>` for a status `fallback.on` lists. */
  readonly code: string;
  readonly message: string;
  /** ISO 8601. */
  readonly at: string;
}

/** Told of every change of a breaker's state, with why. */
export type BreakerTransition = (route: string, from: BreakerState, to: BreakerState, reason: string) => void;

interface Breaker {
  state: BreakerState;
  failures: number;
  openedAt: number;
  /** When the current probe went out (0: none); a probe whose client left says nothing, so it expires. */
  probeAt: number;
}

/**
 * The circuit breakers of one gateway, by route id, kept across reloads. Closed: requests go to the
 * service; `failures` consecutive failures open it. Open: the route's traffic goes to legacy until
 * `cooldownMs` has passed; then one probe request may go to the service (half-open): its success
 * closes the breaker, its failure opens it again for another cool-down.
 */
export class CircuitBreakers {
  private readonly breakers = new Map<string, Breaker>();
  private readonly lastFailures = new Map<string, UpstreamFailure>();

  constructor(
    private readonly now: () => number,
    private readonly transition: BreakerTransition = () => undefined,
  ) {}

  /** Whether a request of `route` may go to the service now (a half-open breaker lets exactly one through). */
  allow(route: string, settings: BreakerSettings): boolean {
    const breaker = this.breakers.get(route);
    if (!breaker || breaker.state === 'closed') return true;
    const now = this.now();
    if (breaker.state === 'open') {
      if (now - breaker.openedAt < settings.cooldownMs) return false;
      this.move(route, breaker, 'half-open', `the ${settings.cooldownMs} ms cool-down passed: one probe request goes to the service`);
      breaker.probeAt = 0;
    }
    if (breaker.probeAt !== 0 && now - breaker.probeAt < settings.cooldownMs) return false;
    breaker.probeAt = now;
    return true;
  }

  success(route: string): void {
    const breaker = this.breakers.get(route);
    // While open, a success can only be a request sent before it opened: only the probe closes it.
    if (!breaker || breaker.state === 'open') return;
    if (breaker.state !== 'closed') this.move(route, breaker, 'closed', 'the service answered the probe request');
    breaker.failures = 0;
    breaker.probeAt = 0;
  }

  failure(route: string, settings: BreakerSettings): void {
    let breaker = this.breakers.get(route);
    if (!breaker) {
      breaker = { state: 'closed', failures: 0, openedAt: 0, probeAt: 0 };
      this.breakers.set(route, breaker);
    }
    breaker.failures += 1;
    if (breaker.state === 'half-open' || breaker.failures >= settings.failures) {
      const cause = this.lastFailures.get(route);
      const why = breaker.state === 'half-open' ? 'the probe request failed' : `${breaker.failures} failures in a row`;
      if (breaker.state !== 'open') this.move(route, breaker, 'open', `${why}${cause ? ` (last: ${cause.code})` : ''}: legacy serves the route for the cool-down`);
      breaker.openedAt = this.now();
      breaker.probeAt = 0;
    }
  }

  /** Keeps a route's latest upstream failure, for the route view (whether or not the route has a breaker). */
  recordFailure(route: string, code: string, message: string): void {
    this.lastFailures.set(route, { code, message, at: new Date(this.now()).toISOString() });
  }

  /** A route's latest upstream failure on this replica, if any. */
  lastFailure(route: string): UpstreamFailure | undefined {
    return this.lastFailures.get(route);
  }

  private move(route: string, breaker: Breaker, to: BreakerState, reason: string): void {
    const from = breaker.state;
    breaker.state = to;
    this.transition(route, from, to, reason);
  }

  /** The state of a route's breaker, for the admin API. */
  state(route: string): BreakerState {
    return this.breakers.get(route)?.state ?? 'closed';
  }
}
