// `npm run bench`: figway against what users would otherwise run, in one run, on this machine.
// Proxied path: direct to the upstream, bare Express + http-proxy-middleware, the same features
// wired by hand on Express, Node's server + undici (the floor), fastify + @fastify/http-proxy bare
// and with the same features, figway in server and middleware mode with each engine. Then the
// feature budget, latency at a fixed rate, legacy pass-through, a mixed workload of GETs and uploads,
// the matcher, figway's OpenTelemetry hooks without an SDK, map.countLegacy, a 10,000-route reload under load, and 200 MB each way.
// `--quick` for a short run (not written to RESULTS.md). Raw figures go to test/bench/results.json.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { SignJWT } from 'jose';
import { measure } from './compare.mjs';
import { measureFeatures } from './features.mjs';
import { measureLatency } from './latency.mjs';
import { loadGenerator, loadGeneratorVersion } from './load.mjs';
import { benchMatcher } from './matcher.mjs';
import { benchMixed } from './mixed.mjs';
import { benchReload, benchRuntimeChange } from './reload.mjs';
import { benchTracingCheck } from './tracing-check.mjs';
import { benchCountLegacy } from './count-legacy.mjs';
import { CONTENDERS, LATENCY_CONTENDERS, MIXED_CONTENDERS, renderReport } from './report.mjs';
import { BENCH_SECRET } from './serve.mjs';
import { benchStreaming } from './streaming.mjs';

const require = createRequire(import.meta.url);
const quick = process.argv.includes('--quick');
const settings = quick
  ? { rounds: 1, legacyRounds: 2, featureRounds: 1, seconds: 1, warmUp: 1, connections: 16, latencySeconds: 3, mixedSeconds: 2, mixedWarmUp: 2, mixedConnections: 64, megabytes: 50, matcherSamples: 5 }
  : // The legacy target is a 3% margin, within one round's noise on a shared machine: more rounds there.
    { rounds: 7, legacyRounds: 14, featureRounds: 7, seconds: 3, warmUp: 1, connections: 16, latencySeconds: 20, mixedSeconds: 20, mixedWarmUp: 5, mixedConnections: 64, megabytes: 200, matcherSamples: 15 };
const LATENCY_RATE = 1000;
const LATENCY_CONNECTIONS = 10;

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
  undici: versionOf('undici'),
  fastify: versionOf('fastify'),
  fastifyHttpProxy: versionOf('@fastify/http-proxy'),
  loadGenerator: loadGeneratorVersion(),
  autocannon: versionOf('autocannon'),
  loadAverageBefore: os.loadavg().map((n) => n.toFixed(2)).join(' '),
};
console.log(`figway bench${quick ? ' (quick)' : ''}: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GB, ${machine.kernel}, node ${machine.node}, ${machine.loadGenerator}; load average ${machine.loadAverageBefore}`);

const token = await new SignJWT({ sub: 'bench-user', roles: ['buyer'] }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(BENCH_SECRET));
// Every contender gets the same request; those without auth ignore the token.
const headers = { authorization: `Bearer ${token}` };
const common = { rounds: settings.rounds, seconds: settings.seconds, connections: settings.connections, warmUp: settings.warmUp, headers };

console.log('proxied path...');
const proxied = await measure({ ...common, contenders: CONTENDERS.map((c) => ({ ...c, path: '/api/orders/7' })) });
console.log('feature budget...');
const features = await measureFeatures({ ...common, rounds: settings.featureRounds });
console.log(`latency at ${LATENCY_RATE} requests/s...`);
const latency = await measureLatency({
  rate: LATENCY_RATE,
  seconds: settings.latencySeconds,
  connections: LATENCY_CONNECTIONS,
  headers,
  contenders: LATENCY_CONTENDERS.map((c) => ({ ...c, path: '/api/orders/7' })),
});
console.log('legacy path...');
const legacy = await measure({
  ...common,
  rounds: settings.legacyRounds,
  contenders: [
    { label: 'monolith without figway', kind: 'monolith', path: '/account/7' },
    { label: 'monolith with figway, 1,000 unmatched routes', kind: 'monolith-figway', path: '/account/7', baseline: 'monolith without figway' },
    { label: 'the same, counting legacy requests per endpoint (map.countLegacy)', kind: 'monolith-figway-count', path: '/account/7', baseline: 'monolith with figway, 1,000 unmatched routes' },
  ],
});
console.log('mixed workload...');
const mixed = await benchMixed({ contenders: MIXED_CONTENDERS, seconds: settings.mixedSeconds, connections: settings.mixedConnections, warmUp: settings.mixedWarmUp });
console.log('matcher...');
const matcher = benchMatcher({ samples: settings.matcherSamples });
console.log('OpenTelemetry without an SDK...');
const tracingCheck = benchTracingCheck({ samples: settings.matcherSamples });
console.log('map.countLegacy...');
const countLegacy = await benchCountLegacy({ samples: settings.matcherSamples });
console.log('reload of 10,000 routes under load...');
const reload = await benchReload();
const runtimeChange = benchRuntimeChange();
console.log('streaming...');
const streaming = [await benchStreaming({ megabytes: settings.megabytes, engine: 'http-proxy-middleware' }), await benchStreaming({ megabytes: settings.megabytes, engine: 'undici' })];

machine.loadAverageAfter = os.loadavg().map((n) => n.toFixed(2)).join(' ');
const results = {
  date: new Date().toISOString(),
  quick,
  settings: { ...settings, loadGenerator, latencyRate: LATENCY_RATE, latencyConnections: LATENCY_CONNECTIONS },
  durationSeconds: Math.round((performance.now() - began) / 1000),
  machine,
  proxied,
  features,
  latency,
  legacy,
  mixed,
  matcher,
  tracingCheck,
  countLegacy,
  reload,
  runtimeChange,
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
