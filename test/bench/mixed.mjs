// A mixed workload, as a monolith's real traffic is: many keep-alive clients, mostly GETs, every
// twentieth request a 256 KB JSON upload, each request with its own session cookie (the route is
// sticky by it, so half the callers go to the service and half stay on the monolith). Each
// contender runs twice in the same process: latency for both runs, and its RSS after warming up,
// after the first run and after the second (whether memory levels off).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { cpuMs, start } from './compare.mjs';
import { loadGenerator } from './load.mjs';

const UPLOAD_EVERY = 20;
const UPLOAD_BYTES = 256 * 1024;
// Valid JSON, so the monolith's parser accepts it when the legacy side answers.
const UPLOAD = JSON.stringify({ blob: 'x'.repeat(UPLOAD_BYTES - 11) });

/**
 * @typedef {{ label: string, kind: string }} MixedContender  kind: a serve.mjs kind, started with the service's URL
 * @param {{ contenders: MixedContender[], seconds: number, connections: number, warmUp: number }} plan
 * @returns {Promise<{ uploadEvery: number, rows: object[] }>} per contender: each run's requests/s, p50 and p99 (ms), CPU µs per request, and RSS (MB) after the warm-up and after each run
 */
export async function benchMixed(plan) {
  const service = await start('reading-upstream');
  const running = [];
  try {
    for (const contender of plan.contenders) running.push({ ...contender, ...(await start(contender.kind, service.url)), runs: [], rss: [] });
    for (const contender of running) {
      await driveMixed(contender.url, plan.connections, plan.warmUp);
      contender.rss.push(rssMB(contender.child.pid));
    }
    // Run one in order, run two in reverse, so the machine's drift falls on no contender in particular.
    for (const order of [running, [...running].reverse()]) {
      for (const contender of order) {
        const before = cpuMs(contender.child.pid);
        const result = await driveMixed(contender.url, plan.connections, plan.seconds);
        result.cpu = ((cpuMs(contender.child.pid) - before) * 1000) / result.requests;
        if (result.failures > 0 || !(result.requests > 0)) throw new Error(`${contender.label}: ${result.failures} failed of ${result.requests} requests`);
        contender.runs.push(result);
        contender.rss.push(rssMB(contender.child.pid));
      }
    }
  } finally {
    for (const { child } of running) child.kill();
    service.child.kill();
  }
  return {
    uploadEvery: UPLOAD_EVERY,
    rows: running.map(({ label, kind, runs, rss }) => ({ label, kind, runs, rss: { warm: rss[0], afterFirst: rss[1], afterSecond: rss[2] } })),
  };
}

function rssMB(pid) {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return Math.round((kb / 1024) * 10) / 10;
}

/** Drives the mixed workload at `url` (the server's origin) for `seconds`. */
export function driveMixed(url, connections, seconds) {
  return loadGenerator === 'wrk' ? mixedWrk(url, connections, seconds) : mixedAutocannon(url, connections, seconds);
}

// wrk's Lua: request n carries session sid=n; every UPLOAD_EVERY-th is the upload.
const WRK_SCRIPT = (uploadFile) => `
local f = io.open(${JSON.stringify(uploadFile)}, "rb")
local upload = f:read("*a")
f:close()
local n = 0
request = function()
  n = n + 1
  local headers = { ["Cookie"] = "sid=s" .. n }
  if n % ${UPLOAD_EVERY} == 0 then
    headers["Content-Type"] = "application/json"
    return wrk.format("POST", "/api/orders", headers, upload)
  end
  return wrk.format("GET", "/api/orders/7", headers)
end
`;

function mixedWrk(url, connections, seconds) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'figway-mixed-'));
  const script = path.join(dir, 'mixed.lua');
  writeFileSync(path.join(dir, 'upload.json'), UPLOAD);
  writeFileSync(script, WRK_SCRIPT(path.join(dir, 'upload.json')));
  return new Promise((resolve, reject) => {
    execFile('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, url], { encoding: 'utf8' }, (err, out) => {
      rmSync(dir, { recursive: true, force: true });
      if (err) return reject(err);
      const number = (pattern) => Number(pattern.exec(out)?.[1] ?? NaN);
      const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      resolve({
        requests: number(/(\d+) requests in/),
        rps: number(/Requests\/sec:\s+([\d.]+)/),
        p50: wrkLatency(/50%\s+([\d.]+)(us|ms|s)/.exec(out)),
        p99: wrkLatency(/99%\s+([\d.]+)(us|ms|s)/.exec(out)),
        failures: (number(/Non-2xx or 3xx responses: (\d+)/) || 0) + (socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0),
      });
    });
  });
}

function wrkLatency(match) {
  if (!match) return NaN;
  return Number(match[1]) * { us: 0.001, ms: 1, s: 1000 }[match[2]];
}

async function mixedAutocannon(url, connections, seconds) {
  let n = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        setupRequest: (request) => {
          n += 1;
          const headers = { cookie: `sid=s${n}` };
          if (n % UPLOAD_EVERY !== 0) return { ...request, method: 'GET', path: '/api/orders/7', headers };
          return { ...request, method: 'POST', path: '/api/orders', headers: { ...headers, 'content-type': 'application/json' }, body: UPLOAD };
        },
      },
    ],
  });
  const requests = result.requests.total;
  return { requests, rps: requests / seconds, p50: result.latency.p50, p99: result.latency.p99, failures: result.errors + result.non2xx };
}
