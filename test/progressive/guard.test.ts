// The rollout guard at its edges: exactly at a limit passes, just over trips, too few requests never judges.
import { describe, expect, it } from 'vitest';
import type { SideFigures } from '../../src/observe/side-window.js';
import { judge } from '../../src/progressive/guard.js';
import type { GuardSettings } from '../../src/progressive/schedule.js';

const guard: GuardSettings = { minRequests: 50, maxErrorRateIncrease: 0.02, maxP99Ratio: 1.5, minP99IncreaseMs: 20, onBreach: 'rollback' };

function side(requests: number, errors: number, p99?: number): SideFigures {
  return { requests, errors, errorRate: requests === 0 ? 0 : errors / requests, perSecond: requests / 60, p50: p99, p99 };
}

describe('judge', () => {
  it('does not judge until both sides have minRequests, however bad the service looks', () => {
    const allFailing = side(49, 49, 30);
    expect(judge(guard, { service: allFailing, legacy: side(500, 0, 0.01) })).toEqual({
      verdict: 'insufficient',
      reason: 'needs 50 requests on each side (service 49, legacy 500)',
    });
    expect(judge(guard, { service: side(500, 500, 30), legacy: side(49, 0, 0.01) }).verdict).toBe('insufficient');
  });

  it('judges once each side has exactly minRequests', () => {
    expect(judge(guard, { service: side(50, 50, 0.01), legacy: side(50, 0, 0.01) }).verdict).toBe('breach');
    expect(judge(guard, { service: side(50, 0, 0.01), legacy: side(50, 0, 0.01) })).toEqual({ verdict: 'healthy' });
  });

  it('passes an error rate exactly the allowed increase above legacy, and trips one request over', () => {
    // legacy 5 of 100 (5%), service 7 of 100 (7%): +2 points, the limit exactly.
    expect(judge(guard, { service: side(100, 7, 0.1), legacy: side(100, 5, 0.1) })).toEqual({ verdict: 'healthy' });
    expect(judge(guard, { service: side(100, 8, 0.1), legacy: side(100, 5, 0.1) })).toEqual({
      verdict: 'breach',
      reason: 'service error rate 8% vs legacy 5%: +3% is above the allowed +2%',
    });
  });

  it('never trips on a service that fails less than legacy', () => {
    expect(judge(guard, { service: side(100, 0, 0.1), legacy: side(100, 90, 0.1) })).toEqual({ verdict: 'healthy' });
  });

  it('passes a p99 exactly maxP99Ratio times legacy, and trips just above it', () => {
    expect(judge(guard, { service: side(100, 0, 0.15), legacy: side(100, 0, 0.1) })).toEqual({ verdict: 'healthy' });
    expect(judge(guard, { service: side(100, 0, 0.1501), legacy: side(100, 0, 0.1) })).toEqual({
      verdict: 'breach',
      reason: 'service p99 150.1 ms vs legacy 100 ms: 1.50x is above the allowed 1.5x (and 50.1 ms slower)',
    });
  });

  it('does not trip on a ratio alone when the service is at most minP99Increase slower (a network hop against an in-process handler)', () => {
    // legacy 0.5 ms in-process, service 20.5 ms over the network: 41x, but only 20 ms slower.
    expect(judge(guard, { service: side(100, 0, 0.0205), legacy: side(100, 0, 0.0005) })).toEqual({ verdict: 'healthy' });
    expect(judge(guard, { service: side(100, 0, 0.0206), legacy: side(100, 0, 0.0005) })).toMatchObject({ verdict: 'breach', reason: expect.stringContaining('41.20x') });
  });

  it('checks the error rate before latency, so the reason names the worse problem first', () => {
    expect(judge(guard, { service: side(100, 50, 5), legacy: side(100, 0, 0.1) })).toMatchObject({ verdict: 'breach', reason: expect.stringMatching(/^service error rate/) });
  });

  it('honours other thresholds from config', () => {
    const strict: GuardSettings = { minRequests: 1, maxErrorRateIncrease: 0, maxP99Ratio: 1, minP99IncreaseMs: 0, onBreach: 'previous' };
    expect(judge(strict, { service: side(1, 0, 0.1), legacy: side(1, 0, 0.1) }).verdict).toBe('healthy');
    expect(judge(strict, { service: side(10, 1, 0.1), legacy: side(10, 0, 0.1) }).verdict).toBe('breach');
    expect(judge(strict, { service: side(10, 0, 0.2), legacy: side(10, 0, 0.1) }).verdict).toBe('breach');
  });
});
