// Runs contenders, each in its own process (a fresh one every round), interleaved (A B C C B A ...) in one run, and reports
// requests/s, p50, p99 and CPU per request (stable on a shared machine), with ratios to a baseline
// taken within the same round (cancelling the machine's drift), as medians over the rounds.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { drive, loadGenerator } from './load.mjs';

const SERVE = fileURLToPath(new URL('./serve.mjs', import.meta.url));
const TICK_MS = 10; // /proc clock ticks (USER_HZ = 100)
// Load before a fresh process is measured, so the JIT has compiled its hot paths.
const WARM_UP_SECONDS = 1;

/**
 * The median over the rounds of one contender's figure over another's (taken within each round),
 * and the lowest and highest of the rounds' ratios. `key`: rps, p99 or cpu.
 */
export function ratioBetween(measured, label, baseLabel, key = 'rps') {
  const rounds = (name) => {
    const found = measured.raw.find((c) => c.label === name);
    if (!found) throw new Error(`no contender "${name}" in this run`);
    return found.rounds;
  };
  const own = rounds(label);
  const base = rounds(baseLabel);
  const ratios = own.map((r, i) => r[key] / base[i][key]);
  return { median: median(ratios), range: [Math.min(...ratios), Math.max(...ratios)] };
}

/** Starts `serve.mjs <kind> ...args` in its own process; resolves with the child, what it sent (its port, or several) and its URL. */
export function start(kind, ...args) {
  // Request logs go to the child's stdout, which is /dev/null here: the cost of writing them counts, a terminal's does not.
  const child = fork(SERVE, [kind, ...args], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (port) => resolve({ child, port, url: `http://127.0.0.1:${port}` }));
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
}

/** CPU milliseconds (user + system) a process has used so far. */
export function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * @typedef {{ label: string, kind: string, path: string, baseline?: string, headers?: Record<string, string> }} Contender
 *   kind: a serve.mjs kind, started with the upstream's URL; 'upstream' is the upstream itself (the floor)
 * @param {{ contenders: Contender[], headers?: Record<string, string>, rounds: number, seconds: number, connections: number, warmUp?: number }} plan
 * @returns {Promise<{ rows: object[], raw: object[] }>} a row per contender (medians, ratios to its baseline) and every round's figures
 */
export async function measure(plan) {
  const upstream = await start('upstream');
  let running = [];
  const stop = () => {
    for (const { child } of running) if (child !== upstream.child && child.exitCode === null) child.kill();
  };
  try {
    const load = (contender, seconds) =>
      drive({ url: `${contender.url}${contender.path}`, headers: { ...plan.headers, ...contender.headers }, connections: plan.connections, seconds });
    const rounds = plan.contenders.map(() => []);
    for (let round = 0; round < plan.rounds; round++) {
      // Fresh processes every round: two processes of the same server differ by up to 8% in CPU per
      // request for their whole life (what the JIT and the heap made of them), more than some targets' margin.
      stop();
      const started = await Promise.allSettled(plan.contenders.map(async (contender) => ({ ...contender, ...(contender.kind === 'upstream' ? upstream : await start(contender.kind, upstream.url)) })));
      running = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      const failed = started.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
      for (const contender of running) await load(contender, plan.warmUp ?? WARM_UP_SECONDS);
      // Every other round runs in reverse (A B C, C B A, …): the machine drifts during a round, and a
      // fixed order would give that drift to whichever contender always comes last.
      const order = [...running.entries()];
      if (round % 2 === 1) order.reverse();
      for (const [i, contender] of order) {
        const before = cpuMs(contender.child.pid);
        const result = await load(contender, plan.seconds);
        if (result.failures > 0 || !(result.requests > 0)) throw new Error(`${contender.label}: ${result.failures} failed of ${result.requests} requests`);
        rounds[i].push({ ...result, cpu: ((cpuMs(contender.child.pid) - before) * 1000) / result.requests });
      }
    }
    const indexOf = new Map(running.map((c, i) => [c.label, i]));
    const rows = running.map((contender, i) => {
      const own = rounds[i];
      const base = contender.baseline === undefined ? undefined : rounds[indexOf.get(contender.baseline)];
      const ratios = (key) => own.map((r, round) => r[key] / base[round][key]);
      const ratio = (key) => (base ? median(ratios(key)) : undefined);
      return {
        label: contender.label,
        baseline: contender.baseline,
        rps: median(own.map((r) => r.rps)),
        p50: median(own.map((r) => r.p50)),
        p99: median(own.map((r) => r.p99)),
        cpu: median(own.map((r) => r.cpu)),
        rpsRatio: ratio('rps'),
        // The spread of the rounds' throughput ratios: how far one round's verdict could be from the median's.
        rpsRatioRange: base ? [Math.min(...ratios('rps')), Math.max(...ratios('rps'))] : undefined,
        p99Ratio: ratio('p99'),
        cpuRatio: ratio('cpu'),
      };
    });
    return { rows, raw: running.map((c, i) => ({ label: c.label, kind: c.kind, path: c.path, rounds: rounds[i] })) };
  } finally {
    stop();
    upstream.child.kill();
  }
}

/**
 * Compares figway variants on the proxied path, each against the first, and prints a table.
 *
 * @param {{ variants: [string, string][], headers?: Record<string, string>, rounds: number, seconds: number, connections: number }} plan
 *   variants: [label, serve.mjs kind], the first is the baseline
 */
export async function compare(plan) {
  const first = plan.variants[0][0];
  const contenders = plan.variants.map(([label, kind], i) => ({ label, kind, path: '/api/orders/7', baseline: i === 0 ? undefined : first }));
  const { rows } = await measure({ ...plan, contenders });
  console.log('| variant | CPU µs / request | CPU vs first | req/s | throughput vs first | p99 ms |');
  console.log('|---|---|---|---|---|---|');
  for (const row of rows) {
    const cpuVsFirst = row.cpuRatio === undefined ? '—' : `${((row.cpuRatio - 1) * 100).toFixed(1)}%`;
    console.log(`| ${row.label} | ${row.cpu.toFixed(0)} | ${cpuVsFirst} | ${row.rps.toFixed(0)} | ${row.rpsRatio?.toFixed(3) ?? '—'} | ${row.p99.toFixed(2)} |`);
  }
  console.log(`\nmedians of ${plan.rounds} interleaved rounds of ${plan.seconds} s, ${plan.connections} connections, ${loadGenerator}; node ${process.version}`);
}
