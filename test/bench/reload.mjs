// A reload of a 10,000-route table while 300 requests/s flow: how long it takes, and what the
// requests meanwhile waited (test/helpers/reload-under-load.mjs, the same measurement the tests make).
import { measureReloadUnderLoad } from '../helpers/reload-under-load.mjs';
import { start } from './compare.mjs';

/** @returns {Promise<object>} reload time, and p50/p99/worst latency before and during it */
export async function benchReload({ routes = 10_000, rate = 300 } = {}) {
  const upstream = await start('upstream');
  try {
    const result = await measureReloadUnderLoad({ routes, rate, service: upstream.url });
    if (result.status !== 200 || result.failures.length > 0) throw new Error(`the reload under load failed: ${result.status}, ${result.failures.slice(0, 3).join('; ')}`);
    return { routes, rate, ...result };
  } finally {
    upstream.child.kill();
  }
}
