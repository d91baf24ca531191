// Every state of the circuit breaker, on an injected clock.
import { describe, expect, it } from 'vitest';
import { CircuitBreakers } from '../../src/proxy/circuit-breaker.js';

const settings = { failures: 3, cooldownMs: 10_000 };

describe('CircuitBreakers', () => {
  it('stays closed below the failure count, and a success resets the count', () => {
    const breakers = new CircuitBreakers(() => 0);
    breakers.failure('r', settings);
    breakers.failure('r', settings);
    breakers.success('r');
    breakers.failure('r', settings);
    breakers.failure('r', settings);
    expect(breakers.state('r')).toBe('closed');
    expect(breakers.allow('r', settings)).toBe(true);
  });

  it('opens after consecutive failures and keeps the service alone for the cool-down', () => {
    let now = 0;
    const breakers = new CircuitBreakers(() => now);
    for (let i = 0; i < 3; i++) breakers.failure('r', settings);
    expect(breakers.state('r')).toBe('open');
    expect(breakers.allow('r', settings)).toBe(false);
    now = 9_999;
    expect(breakers.allow('r', settings)).toBe(false);
  });

  it('after the cool-down lets exactly one probe through (half-open)', () => {
    let now = 0;
    const breakers = new CircuitBreakers(() => now);
    for (let i = 0; i < 3; i++) breakers.failure('r', settings);
    now = 10_000;
    expect(breakers.allow('r', settings)).toBe(true);
    expect(breakers.state('r')).toBe('half-open');
    expect(breakers.allow('r', settings)).toBe(false);
  });

  it('closes when the probe succeeds, opens again when it fails', () => {
    let now = 0;
    const breakers = new CircuitBreakers(() => now);
    for (let i = 0; i < 3; i++) breakers.failure('r', settings);
    now = 10_000;
    breakers.allow('r', settings);
    breakers.failure('r', settings);
    expect(breakers.state('r')).toBe('open');
    expect(breakers.allow('r', settings)).toBe(false);
    now = 20_000;
    expect(breakers.allow('r', settings)).toBe(true);
    breakers.success('r');
    expect(breakers.state('r')).toBe('closed');
    expect(breakers.allow('r', settings)).toBe(true);
  });

  it('sends another probe when one never reported (its client left)', () => {
    let now = 0;
    const breakers = new CircuitBreakers(() => now);
    for (let i = 0; i < 3; i++) breakers.failure('r', settings);
    now = 10_000;
    expect(breakers.allow('r', settings)).toBe(true);
    now = 20_000;
    expect(breakers.allow('r', settings)).toBe(true);
  });

  it('keeps routes apart', () => {
    const breakers = new CircuitBreakers(() => 0);
    for (let i = 0; i < 3; i++) breakers.failure('a', settings);
    expect(breakers.allow('a', settings)).toBe(false);
    expect(breakers.allow('b', settings)).toBe(true);
  });
});
