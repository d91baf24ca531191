// A reload of a 10,000-route table under steady traffic: the file is read, parsed and validated in a
// worker thread (a config object is validated there) and the table compiled a slice at a time, so
// requests keep flowing while it happens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureReloadUnderLoad } from '../helpers/reload-under-load.mjs';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

describe('reloading a 10,000-route table under 300 requests/s', () => {
  let service: Upstream;

  beforeAll(async () => {
    service = await startUpstream('orders');
  });
  afterAll(async () => {
    await service.close();
  });

  it.each(['admin', 'object'] as const)('fails no request, and keeps p99 during the reload within 3x of before (via %s)', async (via) => {
    // Other test files run beside this one on a machine of two cores: a run the neighbours slowed
    // is measured again (at most three runs). Each run must fail nothing and wait nowhere near
    // the 1.2-2 s that parsing alone took on the event loop before the worker thread.
    const runs = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const result = await measureReloadUnderLoad({ routes: 10_000, rate: 300, service: service.url, via });
      console.log(`reload of 10,000 routes under 300 requests/s (${via === 'admin' ? 'POST /reload' : 'gateway.reload(object)'}): ${JSON.stringify(result)}`);
      expect(result.error).toBeUndefined();
      expect(result.status).toBe(200);
      expect(result.failures).toEqual([]);
      expect(result.during.requests).toBeGreaterThan(150);
      expect(result.during.worst).toBeLessThan(150);
      runs.push(result.during.p99 / result.before.p99);
      if (runs.at(-1) as number <= 3) break;
    }
    expect(Math.min(...runs)).toBeLessThanOrEqual(3);
  }, 90_000);
});
