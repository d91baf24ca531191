// The benches that run in process, each at a tiny size: `npm run bench` is not part of the suite, so
// a change to what they call would otherwise break it unseen (the map's setup once did).
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM bench scripts, without types
import { benchCountLegacy } from './count-legacy.mjs';
// @ts-expect-error plain ESM bench scripts, without types
import { benchMatcher } from './matcher.mjs';
// @ts-expect-error plain ESM bench scripts, without types
import { benchRuntimeChange } from './reload.mjs';
// @ts-expect-error plain ESM bench scripts, without types
import { benchTracingCheck } from './tracing-check.mjs';

describe('the in-process benches', () => {
  it('measure map.countLegacy (which fails unless every request was counted)', async () => {
    const { nsPerRequest } = await benchCountLegacy({ samples: 1, batch: 2_000 });
    expect(Number.isFinite(nsPerRequest)).toBe(true);
  });

  it('measure the matcher at each table size', () => {
    expect(benchMatcher({ samples: 1, batch: 1_000 }).map((row: { routes: number; nsPerMatch: number }) => [row.routes, Number.isFinite(row.nsPerMatch)])).toEqual([
      [10, true],
      [1_000, true],
      [10_000, true],
    ]);
  });

  it('measure the OpenTelemetry hooks without an SDK', () => {
    expect(Number.isFinite(benchTracingCheck({ samples: 1, batch: 1_000 }).nsPerRequest)).toBe(true);
  });

  it('measure a runtime change against a whole compile', () => {
    const change = benchRuntimeChange({ routes: 100, samples: 3 });
    expect(change).toMatchObject({ routes: 100 });
    for (const ms of [change.oneRouteMs, change.killSwitchMs, change.wholeCompileMs]) expect(ms).toBeGreaterThan(0);
  });
});
