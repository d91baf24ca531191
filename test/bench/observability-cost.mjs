// What metrics + logs (and trace context) cost on the proxied path: figway with them off vs on, in
// separate processes, interleaved (A B C A B C ...) in one run. Two figures per round: CPU time the
// figway process spent per request (stable on a shared machine) and requests/s.
// `npm run bench:observability`; ROUNDS, REQUESTS, CONNECTIONS override the defaults.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const SERVE = fileURLToPath(new URL('./serve.mjs', import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const REQUESTS = Number(process.env.REQUESTS ?? 5000);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 16);
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

async function round(contender) {
  const before = cpuMs(contender.child.pid);
  const started = performance.now();
  const result = await autocannon({ url: `${contender.url}/api/orders/7`, connections: CONNECTIONS, amount: REQUESTS });
  const seconds = (performance.now() - started) / 1000;
  if (result.errors || result.non2xx) throw new Error(`${result.errors} errors, ${result.non2xx} non-2xx`);
  return { cpuUsPerRequest: ((cpuMs(contender.child.pid) - before) * 1000) / REQUESTS, rps: REQUESTS / seconds, p99: result.latency.p99 };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const upstream = await start('upstream');
const contenders = {
  off: await start('figway-bare', upstream.url),
  metricsLogs: await start('figway-metrics-logs', upstream.url),
  all: await start('figway-observed', upstream.url),
};
const results = { off: [], metricsLogs: [], all: [] };
try {
  for (const contender of Object.values(contenders)) await autocannon({ url: `${contender.url}/api/orders/7`, connections: CONNECTIONS, amount: 2000 });
  for (let i = 0; i < ROUNDS; i++) for (const [name, contender] of Object.entries(contenders)) results[name].push(await round(contender));
} finally {
  for (const { child } of [upstream, ...Object.values(contenders)]) child.kill();
}

const figure = (name, key) => median(results[name].map((r) => r[key]));
// Each round runs every contender back to back, so the ratio within a round cancels the machine's drift.
const pairRatio = (name, key) => median(results[name].map((r, i) => r[key] / results.off[i][key]));
const LABELS = { off: 'metrics, logs, trace context off', metricsLogs: 'metrics + logs on', all: 'metrics + logs + trace context on' };
console.log('| figway on the proxied path | CPU µs / request | extra CPU vs off | req/s | throughput vs off | p99 ms |');
console.log('|---|---|---|---|---|---|');
for (const name of Object.keys(contenders)) {
  const extra = name === 'off' ? '—' : `${((pairRatio(name, 'cpuUsPerRequest') - 1) * 100).toFixed(1)}%`;
  const throughput = name === 'off' ? '—' : pairRatio(name, 'rps').toFixed(3);
  console.log(`| ${LABELS[name]} | ${figure(name, 'cpuUsPerRequest').toFixed(0)} | ${extra} | ${figure(name, 'rps').toFixed(0)} | ${throughput} | ${figure(name, 'p99')} |`);
}
console.log(`\nmedians of ${ROUNDS} interleaved rounds of ${REQUESTS} requests each, ${CONNECTIONS} connections; ratios are medians of per-round ratios; node ${process.version}`);
