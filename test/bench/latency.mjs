// Latency at a fixed rate: what figway adds to a request's time when it is not saturated, the figure
// a production app feels. Each contender runs in its own fresh process; its times are compared with
// the upstream's own, measured the same way in the same run.
//
// Two generators. The verdict is on a paced one: a request every 1/rate s, each on its own schedule
// whatever the earlier ones are doing (open loop), as independent clients arrive. autocannon's
// `overallRate` is shown beside it: it is a per-second quota per connection (each connection sends
// back to back until its share of the second is used, then waits for the next second), so its
// figures are those of bursts at full load on `connections` concurrent requests.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { start } from './compare.mjs';
import { drive } from './load.mjs';

/** The q-quantile (0..1) of sorted values. */
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/**
 * Sends `rate` requests/s for `seconds`, request i at start + i/rate (1 ms timer granularity), over a
 * keep-alive pool large enough that no request waits for a connection; each time runs from the
 * request's send to its response's end.
 */
function paced({ url, headers, rate, seconds }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const total = Math.round(rate * seconds);
  const times = [];
  let failures = 0;
  let sent = 0;
  let settled = 0;
  return new Promise((resolve) => {
    const settle = () => {
      if (++settled < total) return;
      agent.destroy();
      resolve({ times, failures });
    };
    const send = () => {
      const began = performance.now();
      http
        .get(url, { agent, headers }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) times.push(performance.now() - began);
            else failures += 1;
            settle();
          });
        })
        .on('error', () => {
          failures += 1;
          settle();
        });
    };
    const startedAt = performance.now();
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - startedAt) * rate) / 1000) + 1);
      while (sent < due) {
        sent += 1;
        send();
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
}

/** autocannon at `overallRate`; every response's time in ms (its own histogram keeps whole milliseconds only). */
function autocannonAtRate({ url, headers, rate, seconds, connections }) {
  return new Promise((resolve, reject) => {
    const times = [];
    let failures = 0;
    const instance = autocannon({ url, headers, connections, overallRate: rate, duration: seconds }, (err) => (err ? reject(err) : resolve({ times, failures })));
    instance.on('response', (_client, status, _bytes, responseTime) => {
      if (status === 200) times.push(responseTime);
      else failures += 1;
    });
  });
}

const GENERATORS = { paced, autocannon: autocannonAtRate };

/**
 * @param {{ rate: number, seconds: number, connections: number, headers: Record<string, string>,
 *   contenders: { label: string, kind: string, path: string }[] }} plan the first contender is the
 *   reference (the upstream itself, kind 'upstream'); each generator's run is split in two halves,
 *   A B C then C B A
 * @returns {Promise<object[]>} per generator and contender: requests, p50, p99 (ms), and the p50 and
 *   p99 over the reference's
 */
export async function measureLatency(plan) {
  const upstream = await start('upstream');
  const running = [];
  try {
    for (const contender of plan.contenders) running.push({ ...contender, ...(contender.kind === 'upstream' ? upstream : await start(contender.kind, upstream.url)) });
    for (const c of running) await drive({ url: `${c.url}${c.path}`, headers: plan.headers, connections: plan.connections, seconds: 1 });
    const rows = [];
    for (const [generator, run] of Object.entries(GENERATORS)) {
      const times = running.map(() => []);
      for (const half of [0, 1]) {
        const order = [...running.entries()];
        if (half === 1) order.reverse();
        for (const [i, c] of order) {
          const result = await run({ url: `${c.url}${c.path}`, headers: plan.headers, rate: plan.rate, seconds: plan.seconds / 2, connections: plan.connections });
          if (result.failures > 0) throw new Error(`${c.label}: ${result.failures} failed requests at ${plan.rate}/s (${generator})`);
          times[i].push(...result.times);
        }
      }
      const figures = running.map((c, i) => {
        const sorted = times[i].sort((a, b) => a - b);
        return { generator, label: c.label, requests: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
      });
      const [reference] = figures;
      rows.push(...figures.map((row) => ({ ...row, addedP50: row.p50 - reference.p50, addedP99: row.p99 - reference.p99 })));
    }
    return rows;
  } finally {
    for (const c of running) if (c.child !== upstream.child) c.child.kill();
    upstream.child.kill();
  }
}
