// Drives load at one URL for a bounded time: wrk when installed (a C load generator, so less of the
// machine goes to generating load), else autocannon from npm. Both report requests/s, p50 and p99.
import { execFile, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import autocannon from 'autocannon';

const require = createRequire(import.meta.url);

/** 'wrk' when it is on the PATH, else 'autocannon'; BENCH_LOAD=autocannon forces autocannon. */
export const loadGenerator = (() => {
  if (process.env.BENCH_LOAD === 'autocannon') return 'autocannon';
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (err) {
    // wrk --version exits 1 after printing its version; only a missing binary fails to spawn.
    if (err.code === 'ENOENT') return 'autocannon';
  }
  return 'wrk';
})();

/** The load generator's name and version, for the report. */
export function loadGeneratorVersion() {
  if (loadGenerator === 'autocannon') return `autocannon ${require('autocannon/package.json').version}`;
  try {
    return execFileSync('wrk', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch (err) {
    return String(err.stdout ?? 'wrk').split('\n')[0].replace(/ \[.*/, '').trim();
  }
}

/**
 * @param {{ url: string, headers?: Record<string, string>, connections: number, seconds: number, wrkScript?: string, autocannonRequests?: object[] }} run
 *   seconds: whole seconds (wrk takes no fractions); wrkScript: a Lua file that makes each request,
 *   autocannonRequests: the same for autocannon (`requests`), for workloads other than one GET
 * @returns {Promise<{ requests: number, rps: number, p50: number, p99: number, failures: number }>} latencies in ms
 */
export function drive(run) {
  return loadGenerator === 'wrk' ? driveWrk(run) : driveAutocannon(run);
}

async function driveAutocannon({ url, headers = {}, connections, seconds, autocannonRequests }) {
  const result = await autocannon({ url, headers, connections, duration: seconds, ...(autocannonRequests ? { requests: autocannonRequests } : {}) });
  const requests = result.requests.total;
  return { requests, rps: requests / seconds, p50: result.latency.p50, p99: result.latency.p99, failures: result.errors + result.non2xx };
}

function driveWrk({ url, headers = {}, connections, seconds, wrkScript }) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...(wrkScript ? ['-s', wrkScript] : [])];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  return new Promise((resolve, reject) => {
    execFile('wrk', [...args, url], { encoding: 'utf8' }, (err, out) => {
      if (err) return reject(err);
      const number = (pattern) => Number(pattern.exec(out)?.[1] ?? NaN);
      const requests = number(/(\d+) requests in/);
      const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      resolve({
        requests,
        rps: number(/Requests\/sec:\s+([\d.]+)/),
        p50: latency(/50%\s+([\d.]+)(us|ms|s)/.exec(out)),
        p99: latency(/99%\s+([\d.]+)(us|ms|s)/.exec(out)),
        failures: (number(/Non-2xx or 3xx responses: (\d+)/) || 0) + (socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0),
      });
    });
  });
}

function latency(match) {
  if (!match) return NaN;
  const scale = { us: 0.001, ms: 1, s: 1000 }[match[2]];
  return Number(match[1]) * scale;
}
