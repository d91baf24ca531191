// Runs figway variants, each in its own process, interleaved (A B C A B C ...) in one run, and
// reports CPU per request (stable on a shared machine) and requests/s, each as a ratio to the first
// variant within the same round (cancelling the machine's drift), as medians.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const SERVE = fileURLToPath(new URL('./serve.mjs', import.meta.url));
const TICK_MS = 10; // /proc clock ticks (USER_HZ = 100)

function start(kind, ...args) {
  // Request logs go to the child's stdout, which is /dev/null here: the cost of writing them counts, a terminal's does not.
  const child = fork(SERVE, [kind, ...args], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (port) => resolve({ child, url: `http://127.0.0.1:${port}` }));
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
}

/** CPU milliseconds (user + system) a process has used so far. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * @param {{ variants: [string, string][], headers?: Record<string, string>, rounds: number, requests: number, connections: number }} plan
 *   variants: [label, serve.mjs kind], the first is the baseline
 */
export async function compare(plan) {
  const upstream = await start('upstream');
  const running = [];
  try {
    for (const [label, kind] of plan.variants) running.push({ label, ...(await start(kind, upstream.url)) });
    const options = (url, amount) => ({ url: `${url}/api/orders/7`, connections: plan.connections, amount, headers: plan.headers ?? {} });
    for (const variant of running) await autocannon(options(variant.url, 2000));
    const results = running.map(() => []);
    for (let round = 0; round < plan.rounds; round++) {
      for (const [i, variant] of running.entries()) {
        const before = cpuMs(variant.child.pid);
        const started = performance.now();
        const result = await autocannon(options(variant.url, plan.requests));
        const seconds = (performance.now() - started) / 1000;
        if (result.errors || result.non2xx) throw new Error(`${variant.label}: ${result.errors} errors, ${result.non2xx} non-2xx`);
        results[i].push({ cpu: ((cpuMs(variant.child.pid) - before) * 1000) / plan.requests, rps: plan.requests / seconds, p99: result.latency.p99 });
      }
    }
    const ratio = (i, key) => median(results[i].map((r, round) => r[key] / results[0][round][key]));
    console.log('| variant | CPU µs / request | CPU vs first | req/s | throughput vs first | p99 ms |');
    console.log('|---|---|---|---|---|---|');
    for (const [i, variant] of running.entries()) {
      const cpu = median(results[i].map((r) => r.cpu));
      const first = i === 0 ? '—' : `${((ratio(i, 'cpu') - 1) * 100).toFixed(1)}%`;
      const rps = median(results[i].map((r) => r.rps));
      console.log(`| ${variant.label} | ${cpu.toFixed(0)} | ${first} | ${rps.toFixed(0)} | ${i === 0 ? '—' : ratio(i, 'rps').toFixed(3)} | ${median(results[i].map((r) => r.p99))} |`);
    }
    console.log(`\nmedians of ${plan.rounds} interleaved rounds of ${plan.requests} requests, ${plan.connections} connections; node ${process.version}`);
  } finally {
    for (const { child } of [upstream, ...running]) child.kill();
  }
}
