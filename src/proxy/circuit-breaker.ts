// Passive health per route: after repeated failures the service is left alone for a cool-down.

/** A route's breaker settings, compiled. */
export interface BreakerSettings {
  readonly failures: number;
  readonly cooldownMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

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

  constructor(private readonly now: () => number) {}

  /** Whether a request of `route` may go to the service now (a half-open breaker lets exactly one through). */
  allow(route: string, settings: BreakerSettings): boolean {
    const breaker = this.breakers.get(route);
    if (!breaker || breaker.state === 'closed') return true;
    const now = this.now();
    if (breaker.state === 'open') {
      if (now - breaker.openedAt < settings.cooldownMs) return false;
      breaker.state = 'half-open';
      breaker.probeAt = 0;
    }
    if (breaker.probeAt !== 0 && now - breaker.probeAt < settings.cooldownMs) return false;
    breaker.probeAt = now;
    return true;
  }

  success(route: string): void {
    const breaker = this.breakers.get(route);
    if (!breaker) return;
    breaker.state = 'closed';
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
      breaker.state = 'open';
      breaker.openedAt = this.now();
      breaker.probeAt = 0;
    }
  }

  /** The state of a route's breaker, for the admin API. */
  state(route: string): BreakerState {
    return this.breakers.get(route)?.state ?? 'closed';
  }
}
