import { describe, expect, it } from 'vitest';
import { parseDuration, parseSize } from '../../src/config-kit/units.js';

describe('config units', () => {
  it('reads durations in ms, s, m, h and d, and a bare number as milliseconds', () => {
    expect(parseDuration(250)).toBe(250);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('14d')).toBe(1_209_600_000);
    expect(() => parseDuration('2w')).toThrow('"2w" has no known unit');
  });

  it('reads sizes in b, kb, mb and gb', () => {
    expect(parseSize('256kb')).toBe(262_144);
    expect(parseSize('1mb')).toBe(1_048_576);
    expect(() => parseSize('1tb')).toThrow();
  });
});
