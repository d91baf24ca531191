// The matcher on its own: the match stage (normalising the path, then the route trie) for tables of
// 10, 1,000 and 10,000 routes, on the same mix of request paths. Runs in this process.
import { performance } from 'node:perf_hooks';
import { matchRequest } from '../../dist/routing/match-request.js';
import { parsePathPattern } from '../../dist/routing/path-pattern.js';
import { RouteTable } from '../../dist/routing/route-table.js';
import { median } from './compare.mjs';

/** Routes the way real tables grow: services, each with a prefix route, a :param route and a deeper one. */
function table(size) {
  const routes = [];
  for (let i = 0; routes.length < size; i++) {
    for (const path of [`/api/svc-${i}`, `/api/svc-${i}/items/:id`, `/api/svc-${i}/items/:id/lines/*`]) {
      if (routes.length < size) routes.push({ pattern: parsePathPattern(path), conditions: undefined });
    }
  }
  return new RouteTable(routes, { caseSensitive: false });
}

/** Requests that hit routes at every depth, and ones that match nothing (the monolith's own). */
const requests = [
  '/api/svc-0/items/7',
  '/api/svc-1/items/7/lines/2?x=1',
  '/api/svc-2',
  '/api/svc-3/orders',
  '/account/7',
  '/static/app.js',
  '/api/unknown/items/7',
  '/API/Svc-0/Items/9',
].map((url) => ({ url, method: 'GET', headers: {} }));

/** Nanoseconds per match, median of `samples` timed batches. */
function time(routes, samples, batch) {
  let sink = 0;
  const results = [];
  for (let s = 0; s < samples; s++) {
    const started = performance.now();
    for (let i = 0; i < batch; i++) if (matchRequest(routes, requests[i % requests.length]) !== undefined) sink++;
    results.push(((performance.now() - started) * 1e6) / batch);
  }
  if (sink < 0) console.log(sink);
  return median(results);
}

/** @returns {{ routes: number, nsPerMatch: number }[]} */
export function benchMatcher({ samples = 15, batch = 200_000 } = {}) {
  const tables = [10, 1000, 10_000].map((size) => ({ size, routes: table(size) }));
  for (const { routes } of tables) time(routes, 3, batch); // warm up every table before timing any
  // Interleaved, like the contenders: each sample of each size in turn.
  const perSize = tables.map(() => []);
  for (let s = 0; s < samples; s++) for (const [i, { routes }] of tables.entries()) perSize[i].push(time(routes, 1, batch));
  return tables.map(({ size }, i) => ({ routes: size, nsPerMatch: median(perSize[i]) }));
}
