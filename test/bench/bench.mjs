// `npm run bench`: figway against what users would otherwise run, in one run, on this machine.
// Proxied path: direct to the upstream, bare Express + http-proxy-middleware, the same features as
// figway's wired by hand, figway in middleware mode, figway in server mode. Legacy path: the monolith
// with and without figway (1,000 routes that do not match). Then the matcher, and 200 MB each way.
// `--quick` for a short run (not written to RESULTS.md). Raw figures go to test/bench/results.json.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { SignJWT } from 'jose';
import { measure } from './compare.mjs';
import { loadGenerator, loadGeneratorVersion } from './load.mjs';
import { benchMatcher } from './matcher.mjs';
import { renderReport } from './report.mjs';
import { BENCH_SECRET } from './serve.mjs';
import { benchStreaming } from './streaming.mjs';

const require = createRequire(import.meta.url);
const quick = process.argv.includes('--quick');
const settings = quick
  ? { rounds: 3, legacyRounds: 4, seconds: 1, connections: 16, megabytes: 50, matcherSamples: 5 }
  : // The legacy target is a 3% margin, within one round's noise on a shared machine: more rounds there.
    { rounds: 7, legacyRounds: 14, seconds: 3, connections: 16, megabytes: 200, matcherSamples: 15 };

const began = performance.now();
const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  memoryGB: Math.round(os.totalmem() / 2 ** 30),
  kernel: `${os.type()} ${os.release()}`,
  node: process.version,
  figway: require('../../package.json').version,
  commit: git(['rev-parse', '--short', 'HEAD']),
  express: versionOf('express'),
  httpProxyMiddleware: versionOf('http-proxy-middleware'),
  loadGenerator: loadGeneratorVersion(),
  loadAverageBefore: os.loadavg().map((n) => n.toFixed(2)).join(' '),
};
console.log(`figway bench${quick ? ' (quick)' : ''}: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GB, ${machine.kernel}, node ${machine.node}, ${machine.loadGenerator}; load average ${machine.loadAverageBefore}`);

const token = await new SignJWT({ sub: 'bench-user', roles: ['buyer'] }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(BENCH_SECRET));
const common = { rounds: settings.rounds, seconds: settings.seconds, connections: settings.connections };

console.log('proxied path...');
const proxied = await measure({
  ...common,
  // Every contender gets the same request; those without auth ignore the token.
  headers: { authorization: `Bearer ${token}` },
  contenders: [
    { label: 'direct to the upstream', kind: 'upstream', path: '/api/orders/7' },
    { label: 'Express + http-proxy-middleware', kind: 'express-hpm', path: '/api/orders/7', baseline: 'direct to the upstream' },
    { label: 'hand-wired Express stack (features)', kind: 'hand-wired', path: '/api/orders/7', baseline: 'Express + http-proxy-middleware' },
    { label: 'figway middleware mode (features)', kind: 'figway-auth-limit', path: '/api/orders/7', baseline: 'hand-wired Express stack (features)' },
    { label: 'figway server mode (features)', kind: 'figway-server', path: '/api/orders/7', baseline: 'Express + http-proxy-middleware' },
    // Not a target: what server mode itself costs next to the bare proxy, without the features.
    { label: 'figway server mode (features off)', kind: 'figway-server-bare', path: '/api/orders/7', baseline: 'Express + http-proxy-middleware' },
    // Not a target: the ceiling of any server mode forwarding through http-proxy-middleware, figway's included.
    { label: 'http-proxy-middleware alone (no Express, no features)', kind: 'hpm', path: '/api/orders/7', baseline: 'Express + http-proxy-middleware' },
    // Not a target either: the floor of any forwarding engine in Node (http.request + pipe, nothing else).
    { label: 'plain Node proxy (no library, no features)', kind: 'node-proxy', path: '/api/orders/7', baseline: 'Express + http-proxy-middleware' },
  ],
});
console.log('legacy path...');
const legacy = await measure({
  ...common,
  rounds: settings.legacyRounds,
  contenders: [
    { label: 'monolith without figway', kind: 'monolith', path: '/account/7' },
    { label: 'monolith with figway, 1,000 unmatched routes', kind: 'monolith-figway', path: '/account/7', baseline: 'monolith without figway' },
  ],
});
console.log('matcher...');
const matcher = benchMatcher({ samples: settings.matcherSamples });
console.log('streaming...');
const streaming = await benchStreaming({ megabytes: settings.megabytes });

machine.loadAverageAfter = os.loadavg().map((n) => n.toFixed(2)).join(' ');
const results = {
  date: new Date().toISOString(),
  quick,
  settings: { ...settings, loadGenerator },
  durationSeconds: Math.round((performance.now() - began) / 1000),
  machine,
  proxied,
  legacy,
  matcher,
  streaming,
};
const report = renderReport(results);
console.log(`\n${report}`);
const json = new URL(quick ? './results-quick.json' : './results.json', import.meta.url);
writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
if (!quick) writeFileSync(new URL('./RESULTS.md', import.meta.url), report);
console.log(`raw figures: ${json.pathname}${quick ? '' : '; table: test/bench/RESULTS.md'}`);

/** A dependency's installed version (read from the file: not every package exports its package.json). */
function versionOf(name) {
  return JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
}

function git(args) {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}
