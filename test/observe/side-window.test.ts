// Service and legacy side by side over a sliding window, with an injected clock.
import { describe, expect, it } from 'vitest';
import { SideWindow } from '../../src/observe/side-window.js';

describe('SideWindow', () => {
  it('counts requests, errors and rate per side, and estimates quantiles within a bucket', () => {
    let now = 1_000_000;
    const window = new SideWindow(60_000, () => now);
    for (let i = 0; i < 99; i++) window.record('orders', 'service', false, 0.01);
    window.record('orders', 'service', true, 2);
    for (let i = 0; i < 30; i++) window.record('orders', 'legacy', i < 3, 0.1);
    const { service, legacy } = window.figures('orders');
    expect(service).toMatchObject({ requests: 100, errors: 1, errorRate: 0.01 });
    expect(service.perSecond).toBeCloseTo(100 / 60);
    expect(service.p50).toBeGreaterThanOrEqual(0.01);
    expect(service.p50).toBeLessThanOrEqual(0.0125);
    expect(service.p99).toBeGreaterThanOrEqual(0.01);
    expect(service.p99).toBeLessThanOrEqual(0.0125);
    expect(legacy).toMatchObject({ requests: 30, errors: 3, errorRate: 0.1 });
    expect(legacy.p99).toBeGreaterThanOrEqual(0.1);
    expect(legacy.p99).toBeLessThan(0.125);
    now += 5_000;
    window.record('orders', 'service', true, 3);
    expect(window.figures('orders').service.p99).toBeGreaterThanOrEqual(2);
  });

  it('forgets what is older than the window', () => {
    let now = 0;
    const window = new SideWindow(60_000, () => now);
    window.record('orders', 'service', false, 0.01);
    now = 30_000;
    window.record('orders', 'service', false, 0.01);
    expect(window.figures('orders').service.requests).toBe(2);
    now = 65_000;
    expect(window.figures('orders').service.requests).toBe(1);
    now = 200_000;
    expect(window.figures('orders').service).toEqual({ requests: 0, errors: 0, errorRate: 0, perSecond: 0, p50: undefined, p99: undefined });
  });

  it('with since, counts only the slots that began after it, even when a slot began in the same millisecond', () => {
    let now = 1_000_000;
    const window = new SideWindow(60_000, () => now);
    window.record('orders', 'service', true, 0.01);
    const stepAt = now;
    expect(window.figures('orders', stepAt).service.requests).toBe(0);
    now += 2_000;
    window.record('orders', 'service', false, 0.01);
    expect(window.figures('orders', stepAt).service.requests).toBe(0);
    now += 3_000;
    window.record('orders', 'service', false, 0.01);
    expect(window.figures('orders', stepAt).service).toMatchObject({ requests: 1, errors: 0 });
    expect(window.figures('orders').service).toMatchObject({ requests: 3, errors: 1 });
  });

  it('forgets routes removed from the config', () => {
    const window = new SideWindow(60_000, () => 0);
    window.record('old', 'legacy', false, 0.01);
    window.keepOnly(new Set(['new']));
    expect(window.figures('old').legacy.requests).toBe(0);
  });
});
