// The rollout guard: does the service do worse than legacy on the same route, by more than allowed?
import type { SideFigures } from '../observe/side-window.js';
import type { GuardSettings } from './schedule.js';

/** The guard's judgement of one route over its window. */
export type Verdict =
  | { readonly verdict: 'insufficient'; readonly reason: string }
  | { readonly verdict: 'healthy' }
  | { readonly verdict: 'breach'; readonly reason: string };

/**
 * Compares the two sides of a route. It judges only once each side has `minRequests`; a limit is
 * breached only when strictly exceeded, so a service exactly at the limit passes. Latency trips it
 * only when the service p99 is both `maxP99Ratio` times legacy's and `minP99IncreaseMs` above it.
 */
export function judge(guard: GuardSettings, figures: Readonly<Record<'service' | 'legacy', SideFigures>>): Verdict {
  const { service, legacy } = figures;
  if (service.requests < guard.minRequests || legacy.requests < guard.minRequests) {
    return {
      verdict: 'insufficient',
      reason: `needs ${guard.minRequests} requests on each side (service ${service.requests}, legacy ${legacy.requests})`,
    };
  }
  const increase = service.errorRate - legacy.errorRate;
  // Rates are fractions of whole requests: compare on a fixed grid so 0.07 - 0.05 is not above 0.02.
  if (round(increase) > round(guard.maxErrorRateIncrease)) {
    return {
      verdict: 'breach',
      reason: `service error rate ${percent(service.errorRate)} vs legacy ${percent(legacy.errorRate)}: +${percent(increase)} is above the allowed +${percent(guard.maxErrorRateIncrease)}`,
    };
  }
  if (service.p99 !== undefined && legacy.p99 !== undefined) {
    const ratio = service.p99 / legacy.p99;
    const increaseMs = (service.p99 - legacy.p99) * 1000;
    if (round(ratio) > round(guard.maxP99Ratio) && round(increaseMs) > round(guard.minP99IncreaseMs)) {
      return {
        verdict: 'breach',
        reason: `service p99 ${ms(service.p99)} vs legacy ${ms(legacy.p99)}: ${ratio.toFixed(2)}x is above the allowed ${guard.maxP99Ratio}x (and ${ms(increaseMs / 1000)} slower)`,
      };
    }
  }
  return { verdict: 'healthy' };
}

function round(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}

function percent(rate: number): string {
  return `${Number((rate * 100).toFixed(2))}%`;
}

function ms(seconds: number): string {
  return `${Number((seconds * 1000).toFixed(1))} ms`;
}
