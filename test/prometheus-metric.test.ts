// A metric made once per registry: a capability asked twice, or a second figway on one registry, shares it.
import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { metricOn } from '../src/prometheus-metric.js';
import { shadowComparisons } from '../src/shadow/shadow-metrics.js';

describe('metricOn', () => {
  it('makes the metric on the registry once, and hands the same one back after', () => {
    const registry = new Registry();
    let made = 0;
    const make = (registers: Registry[]) => {
      made += 1;
      return new Counter({ name: 'probe_total', help: 'probe', registers });
    };
    const first = metricOn(registry, 'probe_total', make);
    expect(metricOn(registry, 'probe_total', make)).toBe(first);
    expect(made).toBe(1);
    expect(registry.getSingleMetric('probe_total')).toBe(first);
  });

  it("keeps each registry's metrics apart", async () => {
    const [a, b] = [new Registry(), new Registry()];
    shadowComparisons(a).inc({ route: 'orders', result: 'match' });
    expect(shadowComparisons(b)).not.toBe(shadowComparisons(a));
    expect(await b.getSingleMetricAsString('figway_shadow_comparisons_total')).not.toContain('orders');
    expect(await a.getSingleMetricAsString('figway_shadow_comparisons_total')).toContain('figway_shadow_comparisons_total{route="orders",result="match"} 1');
  });
});
