// A mixed workload, as a monolith's real traffic is: many keep-alive clients, mostly GETs, every
// twentieth request a 256 KB JSON upload, each request with its own session cookie (the route is
// sticky by it, so half the callers go to the service and half stay on the monolith). Each
// contender runs twice in the same process: latency for both runs, and its RSS after warming up,
// after the first run and after the second (whether memory levels off).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cpuMs, start } from './compare.mjs';
import { drive } from './load.mjs';

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
export async function driveMixed(url, connections, seconds) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'figway-mixed-'));
  const wrkScript = path.join(dir, 'mixed.lua');
  writeFileSync(path.join(dir, 'upload.json'), UPLOAD);
  writeFileSync(wrkScript, WRK_SCRIPT(path.join(dir, 'upload.json')));
  try {
    return await drive({ url, connections, seconds, wrkScript, autocannonRequests: autocannonRequests() });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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

/** The same requests for autocannon (when wrk is not installed). */
function autocannonRequests() {
  let n = 0;
  return [
    {
      setupRequest: (request) => {
        n += 1;
        const headers = { cookie: `sid=s${n}` };
        if (n % UPLOAD_EVERY !== 0) return { ...request, method: 'GET', path: '/api/orders/7', headers };
        return { ...request, method: 'POST', path: '/api/orders', headers: { ...headers, 'content-type': 'application/json' }, body: UPLOAD };
      },
    },
  ];
}
