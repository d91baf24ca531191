// What the opentelemetry plugin's hooks cost a request when the app has no OpenTelemetry SDK: the
// five hooks a proxied request runs, called in this process on one matched request's context.
import { performance } from 'node:perf_hooks';
import { openTelemetryPlugin, spansOf } from '../../dist/observe/opentelemetry.js';
import { median } from './compare.mjs';

/** The fields of a matched, decided request the hooks read. */
const ctx = {
  trace: undefined,
  decision: { routeId: 'orders', side: 'service', reason: 'bucket', percent: 50, bucket: 1234 },
  route: { id: 'orders' },
  res: { statusCode: 200 },
};
/** figway's own dispatch step, as the onForward hook is given it: here, nothing. */
const forward = () => {};
const legacy = () => {};
const proxyReq = { method: 'GET', path: '/api/orders/7', setHeader() {}, getHeader() {}, removeHeader() {}, hasHeader: () => false };

/** @returns {{ nsPerRequest: number }} median of `samples` timed batches of `batch` requests */
export function benchTracingCheck({ samples = 15, batch = 500_000 } = {}) {
  const hooks = openTelemetryPlugin().setup({ options: {}, config: {}, now: Date.now, random: Math.random });
  const one = () => {
    hooks.onRequest(ctx, {});
    hooks.onDecision(ctx, {});
    hooks.onForward(ctx, forward, legacy, {});
    hooks.onProxyRequest(proxyReq, ctx, {});
    hooks.onResponse(ctx, {});
  };
  const results = [];
  for (let s = 0; s < samples + 3; s++) {
    const started = performance.now();
    for (let i = 0; i < batch; i++) one();
    // The first three batches warm the code up.
    if (s >= 3) results.push(((performance.now() - started) * 1e6) / batch);
  }
  if (spansOf(ctx) !== undefined) throw new Error('an OpenTelemetry SDK is registered in the bench process');
  return { nsPerRequest: median(results) };
}
