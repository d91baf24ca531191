// Where a contender's time goes: `node test/bench/profile.mjs <kind> [seconds]` runs it under
// --cpu-prof with the benchmark's load and prints the functions with the most self time, by module.
// A kind `feature:<variant>` profiles one variant of the feature budget (e.g. `feature:rate limit`);
// a mixed workload kind (MIXED_KINDS, or express-hpm with `mixed:`) runs under mixed.mjs's load.
// The .cpuprofile is kept in test/bench/profiles/ (open it in Chrome DevTools for the full picture).
import { fork } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { start } from './compare.mjs';
import { drive } from './load.mjs';
import { driveMixed } from './mixed.mjs';
import { BENCH_SECRET, MIXED_KINDS } from './serve.mjs';

const [kind = 'figway-server', seconds = '10'] = process.argv.slice(2);
const dir = fileURLToPath(new URL('./profiles/', import.meta.url));
mkdirSync(dir, { recursive: true });
const before = new Set(readdirSync(dir));

const mixed = kind.startsWith('mixed');
const upstream = await start(mixed ? 'reading-upstream' : 'upstream');
const [served, variant] = kind.startsWith('feature:') ? ['figway-feature-pair', kind.slice('feature:'.length)] : [kind.replace(/^mixed:/, '')];
const child = fork(fileURLToPath(new URL('./serve.mjs', import.meta.url)), [served, upstream.url, ...(variant ? [variant] : [])], {
  execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
const sent = await new Promise((resolve) => child.once('message', resolve));
const port = variant === undefined ? sent : variant === 'off' ? sent.off : sent.variant;
const token = await new SignJWT({ sub: 'bench-user' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(BENCH_SECRET));
const path = kind.startsWith('monolith') ? '/account/7' : '/api/orders/7';
const result = mixed ? await driveMixed(`http://127.0.0.1:${port}`, 64, Number(seconds)) : await drive({ url: `http://127.0.0.1:${port}${path}`, headers: { authorization: `Bearer ${token}` }, connections: 16, seconds: Number(seconds) });
console.log(`${kind}: ${result.rps.toFixed(0)} req/s, p99 ${result.p99.toFixed(2)} ms, ${result.failures} failures`);
// serve.mjs exits on SIGTERM, which lets Node write the profile.
await new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM'));
upstream.child.kill();

const file = readdirSync(dir).find((name) => !before.has(name) && name.endsWith('.cpuprofile'));
const profile = JSON.parse(readFileSync(`${dir}${file}`, 'utf8'));
const sampleTime = new Map();
for (let i = 0; i < profile.samples.length; i++) sampleTime.set(profile.samples[i], (sampleTime.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
const total = [...sampleTime.values()].reduce((a, b) => a + b, 0);
const byFunction = new Map();
const byModule = new Map();
for (const node of profile.nodes) {
  const time = sampleTime.get(node.id) ?? 0;
  const { functionName, url, lineNumber } = node.callFrame;
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.includes('/dist/') ? 'figway' : url.startsWith('node:') ? 'node core' : url || functionName);
  const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + time);
  byModule.set(module, (byModule.get(module) ?? 0) + time);
}
const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, time]) => `${((time / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
console.log(`\nself time by module:\n${top(byModule, 15).join('\n')}\n\nself time by function:\n${top(byFunction, 30).join('\n')}\n\nprofile: ${dir}${file}`);
