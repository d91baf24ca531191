// The route features' runtimes as the gateway makes them: what the pipeline runs, what the admin API reports, which metrics they export.
import type { IncomingMessage } from 'node:http';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FEATURE_METRIC_NAMES, FEATURE_REPORTS, NO_RUNNING_FEATURES, startFeatureRuntimes } from '../src/feature-runtimes.js';
import { FigwayError } from '../src/errors.js';
import { SHADOW_COMPARISONS } from '../src/shadow/shadow-metrics.js';
import { ShadowAnswerSchema } from '../src/shadow/shadow-report-schema.js';

const start = (registry = new Registry()) =>
  startFeatureRuntimes({
    registry,
    random: () => 0,
    now: () => 0,
    forwarderFor: () => {
      throw new FigwayError('FIGWAY_INTERNAL', 'no request is forwarded in these tests');
    },
  });

describe('the feature runtimes', () => {
  it('are run at dispatch by the key they read of a route, and let their own requests through', () => {
    const running = start();
    expect(running.atDispatch.map((runtime) => runtime.key)).toEqual(['shadow']);
    expect(running.ownRequests).toHaveLength(1);
    // A client's request, even one naming the shadow header, is not one a feature made.
    const request = { headers: { 'x-figway-shadow': 'forged' } } as unknown as IncomingMessage;
    expect(running.ownRequests.some((isOwn) => isOwn(request))).toBe(false);
    expect(request.headers['x-figway-shadow']).toBe('forged');
  });

  it('make their metrics on the registry they are given, and list them by name', () => {
    const registry = new Registry();
    start(registry);
    expect(FEATURE_METRIC_NAMES).toEqual([SHADOW_COMPARISONS]);
    expect(registry.getSingleMetric(SHADOW_COMPARISONS)).toBeDefined();
  });

  it('report on a route through the endpoint they document', () => {
    expect(FEATURE_REPORTS.map(({ key, response }) => ({ key, response }))).toEqual([{ key: 'shadow', response: ShadowAnswerSchema }]);
    const running = start();
    expect(running.report('shadow', { id: 'orders', config: {} })).toEqual({ id: 'orders', shadow: null, compared: 0, mismatches: 0, errors: 0, skipped: 0, samples: [] });
    expect(running.report('shadow', { id: 'orders', config: { shadow: { percent: 5 } } })).toMatchObject({ id: 'orders', shadow: { percent: 5 } });
  });

  it('answer a feature that does not report with FIGWAY_ADMIN_NOT_FOUND', () => {
    expect(() => start().report('fallback', { id: 'orders', config: {} })).toThrow(expect.objectContaining({ code: 'FIGWAY_ADMIN_NOT_FOUND' }));
  });

  it('are none on WebSocket upgrades', () => {
    expect(NO_RUNNING_FEATURES).toEqual({ atDispatch: [], ownRequests: [] });
  });
});
