// Reloads a gateway with a large route table (big-table-gateway.mjs, in a process of its own) while
// requests flow at a steady rate, and reports what its clients saw: for the test suite and the bench.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

/**
 * @param {{ routes: number, rate: number, service: string, warmUpMs?: number, via?: 'admin' | 'object' }} plan
 *   via: POST /reload of the file (default), or gateway.reload() with the same table as an object,
 *   three times back to back: one takes under a second, too few requests for a p99 that is not just
 *   its third-slowest request
 * @returns {Promise<{ status: number, error?: string, reloads: number, reloadMs: number, failures: string[], before: Figures, during: Figures }>}
 *   reloadMs: the time one reload took
 *   latency counted from when each request was due (paced from a schedule, so a stall is not hidden)
 * @typedef {{ requests: number, p50: number, p99: number, worst: number }} Figures
 */
export async function measureReloadUnderLoad({ routes, rate, service, warmUpMs = 3000, via = 'admin' }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'figway-big-reload-'));
  const child = fork(new URL('./big-table-gateway.mjs', import.meta.url), [String(routes), service, dir], { stdio: 'ignore' });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  try {
    const gateway = await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`the gateway exited (${code})`)));
    });
    const samples = [];
    const failures = [];
    const inFlight = [];
    const began = performance.now();
    const send = (due) =>
      new Promise((resolve) => {
        const req = http.get(`http://127.0.0.1:${gateway.port}/api/orders/7`, { agent }, (res) => {
          res.resume();
          res.on('end', () => {
            samples.push({ at: due, ms: performance.now() - due });
            if (res.statusCode !== 200) failures.push(String(res.statusCode));
            resolve();
          });
        });
        req.on('error', (err) => {
          failures.push(err.message);
          resolve();
        });
      });
    let sent = 0;
    let stop = Number.POSITIVE_INFINITY;
    const pacer = setInterval(() => {
      const now = performance.now();
      while (sent < ((Math.min(now, stop) - began) * rate) / 1000) inFlight.push(send(began + (sent++ * 1000) / rate));
    }, 2);
    await new Promise((resolve) => setTimeout(resolve, warmUpMs));
    const reloadStarted = performance.now();
    // http, not fetch: fetch's first use loads undici, which would stall this process's pacer and
    // charge the gateway for the wait.
    const reloads = via === 'admin' ? 1 : 3;
    let reload = { status: 200 };
    for (let n = 0; n < reloads && reload.status === 200; n++) reload = via === 'admin' ? await post(`${gateway.admin}/reload`) : await reloadObject(child);
    const reloadEnded = performance.now();
    stop = reloadEnded + 300;
    await new Promise((resolve) => setTimeout(resolve, 400));
    clearInterval(pacer);
    await Promise.all(inFlight);
    // The first second warms connections up; it is not "before".
    const before = samples.filter((s) => s.at >= began + 1000 && s.at < reloadStarted);
    const during = samples.filter((s) => s.at >= reloadStarted && s.at <= reloadEnded);
    return { status: reload.status, error: reload.error, reloads, reloadMs: (reloadEnded - reloadStarted) / reloads, failures, before: figures(before), during: figures(during) };
  } finally {
    agent.destroy();
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

function reloadObject(child) {
  return new Promise((resolve) => {
    const answered = (message) => {
      if (typeof message !== 'object' || !('reloaded' in message)) return;
      child.off('message', answered);
      resolve({ status: message.reloaded, error: message.error });
    };
    child.on('message', answered);
    child.send('reload-object');
  });
}

function post(url) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST' }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode }));
    });
    req.on('error', reject);
    req.end();
  });
}

function figures(samples) {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;
  return { requests: sorted.length, p50: at(0.5), p99: at(0.99), worst: sorted.at(-1) ?? Number.NaN };
}
