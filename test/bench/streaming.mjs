// 200 MB uploaded and 200 MB downloaded through figway (each engine), and how much the gateway process's peak RSS grew.
import http from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { start } from './compare.mjs';

const MB = 1024 * 1024;

/** A process's resident set size and its peak since the last reset, in bytes. */
function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** Resets the peak RSS the kernel keeps for a process (Linux: clear_refs 5); false where that is not allowed. */
function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

function transfer(url, { method, upload }) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode, received: Number(res.headers['x-received'] ?? 0), bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (!upload) return void req.end();
    const chunk = Buffer.alloc(64 * 1024, 'y');
    let left = upload;
    const pump = () => {
      while (left > 0) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

/**
 * Sends `megabytes` up and then down through a figway process (middleware mode, all observability
 * on, forwarding through `engine`) to a service that counts what it received and streams what it
 * is asked for; samples the gateway's RSS every 10 ms as well, in case the kernel's peak cannot be reset.
 */
export async function benchStreaming({ megabytes, engine }) {
  const service = await start('stream-upstream');
  const gateway = await start(engine === 'undici' ? 'figway-observed-undici' : 'figway-observed', service.url);
  try {
    const bytes = megabytes * MB;
    await transfer(`${gateway.url}/api/orders/warm?bytes=${MB}`, { method: 'POST', upload: MB });
    const pid = gateway.child.pid;
    const exactPeak = resetPeak(pid);
    const before = memory(pid).rss;
    let sampled = before;
    const sampler = setInterval(() => (sampled = Math.max(sampled, memory(pid).rss)), 10);
    const started = performance.now();
    const up = await transfer(`${gateway.url}/api/orders/upload`, { method: 'POST', upload: bytes });
    const upSeconds = (performance.now() - started) / 1000;
    const down = await transfer(`${gateway.url}/api/orders/download?bytes=${bytes}`, { method: 'GET' });
    const downSeconds = (performance.now() - started) / 1000 - upSeconds;
    clearInterval(sampler);
    const peak = Math.max(sampled, exactPeak ? memory(pid).peak : 0);
    if (up.status !== 200 || up.received !== bytes || down.status !== 200 || down.bytes !== bytes) {
      throw new Error(`streaming: upload ${up.status} ${up.received}/${bytes}, download ${down.status} ${down.bytes}/${bytes}`);
    }
    return {
      engine,
      megabytes,
      uploadMBps: megabytes / upSeconds,
      downloadMBps: megabytes / downSeconds,
      rssBeforeMB: before / MB,
      peakRssMB: peak / MB,
      growthMB: (peak - before) / MB,
      peakFrom: exactPeak ? 'VmHWM (reset before the transfers) and 10 ms samples' : '10 ms samples of VmRSS',
    };
  } finally {
    gateway.child.kill();
    service.child.kill();
  }
}
