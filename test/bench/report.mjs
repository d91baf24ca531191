// The benchmark's markdown report: the tables, each target with its verdict, and the machine.
import { ratioBetween } from './compare.mjs';
import { APP_WORK_VARIANTS } from './serve.mjs';

const fixed = (n, digits = 0) => (n === undefined || Number.isNaN(n) ? '—' : n.toFixed(digits));
const ratio = (n) => (n === undefined ? '—' : `${n.toFixed(2)}×`);

const DIRECT = 'direct to the upstream';
const EXPRESS_HPM = 'Express + http-proxy-middleware';
const HAND_WIRED = 'hand-wired Express stack (features)';
const NODE_UNDICI = "Node's server + undici (no routing, no features)";
const FASTIFY = 'fastify + @fastify/http-proxy';
const FASTIFY_FEATURES = 'fastify + @fastify/http-proxy (features)';
const SERVER_UNDICI = 'figway server mode, undici (features)';
const SERVER_UNDICI_OFF = 'figway server mode, undici (features off)';
const SERVER_HPM = 'figway server mode, http-proxy-middleware (features)';
const MIDDLEWARE_UNDICI = 'figway middleware mode, undici (features)';
const MIDDLEWARE_HPM = 'figway middleware mode, http-proxy-middleware (features)';

/** The proxied path's contenders, in table order; `baseline` is the row the table's ratios are against. */
export const CONTENDERS = [
  { label: DIRECT, kind: 'upstream' },
  { label: EXPRESS_HPM, kind: 'express-hpm', baseline: DIRECT },
  { label: HAND_WIRED, kind: 'hand-wired', baseline: EXPRESS_HPM },
  { label: NODE_UNDICI, kind: 'node-undici', baseline: EXPRESS_HPM },
  { label: FASTIFY, kind: 'fastify-proxy', baseline: EXPRESS_HPM },
  { label: FASTIFY_FEATURES, kind: 'fastify-features', baseline: EXPRESS_HPM },
  { label: SERVER_UNDICI_OFF, kind: 'figway-server-bare', baseline: NODE_UNDICI },
  { label: SERVER_UNDICI, kind: 'figway-server', baseline: FASTIFY_FEATURES },
  { label: SERVER_HPM, kind: 'figway-server-hpm', baseline: EXPRESS_HPM },
  { label: MIDDLEWARE_UNDICI, kind: 'figway-middleware-undici', baseline: EXPRESS_HPM },
  { label: MIDDLEWARE_HPM, kind: 'figway-auth-limit', baseline: HAND_WIRED },
];

/** Latency at a fixed rate: the upstream itself first (the reference), then figway with all features in each mode. */
export const LATENCY_CONTENDERS = [
  { label: DIRECT, kind: 'upstream' },
  { label: SERVER_UNDICI, kind: 'figway-server' },
  { label: MIDDLEWARE_HPM, kind: 'figway-auth-limit' },
];

/** The mixed workload (mixed.mjs): the bare proxy sends every request to the service; figway half of them. */
const MIXED_MIDDLEWARE = 'figway middleware mode (figway before the parser)';
export const MIXED_CONTENDERS = [
  { label: `${EXPRESS_HPM} (every request to the service)`, kind: 'express-hpm' },
  { label: MIXED_MIDDLEWARE, kind: 'mixed-middleware' },
  { label: 'figway middleware mode (parser before figway)', kind: 'mixed-middleware-parser-first' },
  { label: 'figway server mode', kind: 'mixed-server' },
];
const MIXED_P99_LIMIT = 1.1;
const MIXED_RSS_DRIFT_MB = 10;

const FEATURE_LIMIT_US = 10;
/** map.countLegacy: counting a legacy request by its Express route, at response finish. */
const COUNT_LEGACY_LIMIT_US = 2;
const LEGACY_FIGWAY = 'monolith with figway, 1,000 unmatched routes';
const ALL_FEATURES_LIMIT = 0.25;
/** Without an SDK the opentelemetry plugin must cost next to nothing: a fraction of a percent of a ~100 µs request. */
const TRACING_CHECK_LIMIT_NS = 200;
const LATENCY_P50_MS = 0.3;
const LATENCY_P99_MS = 1.5;

/** The issue's targets, each checked against this run's figures: [name, value, rounds' range, by CPU, met]. */
function targets(r) {
  const throughput = (label, base, minimum) => {
    const { median, range } = ratioBetween(r.proxied, label, base);
    const cpu = ratioBetween(r.proxied, label, base, 'cpu').median;
    return [`${label} ≥ ${minimum}× ${base} (throughput)`, ratio(median), `${range[0].toFixed(2)}–${range[1].toFixed(2)}`, ratio(1 / cpu), median >= minimum];
  };
  const legacy = r.legacy.rows.find((x) => x.label === LEGACY_FIGWAY);
  const [ten, , tenThousand] = r.matcher;
  const matchRatio = tenThousand.nsPerMatch / ten.nsPerMatch;
  const server = r.latency.find((x) => x.generator === 'paced' && x.label === SERVER_UNDICI);
  const variants = r.features.variants.filter((v) => v.name !== 'off' && v.name !== 'all' && !APP_WORK_VARIANTS.includes(v.name));
  const all = r.features.variants.find((v) => v.name === 'all');
  const costliest = variants.reduce((a, b) => (b.overOff > a.overOff ? b : a));
  return [
    throughput(SERVER_UNDICI_OFF, NODE_UNDICI, 0.9),
    throughput(SERVER_UNDICI, FASTIFY_FEATURES, 1.5),
    throughput(SERVER_UNDICI, EXPRESS_HPM, 2.5),
    throughput(MIDDLEWARE_UNDICI, EXPRESS_HPM, 1.0),
    throughput(MIDDLEWARE_HPM, HAND_WIRED, 1.3),
    [`each feature ≤ ${FEATURE_LIMIT_US} µs CPU per request over features off (costliest: ${costliest.name})`, `${fixed(costliest.overOff, 1)} µs`, '', '', costliest.overOff <= FEATURE_LIMIT_US],
    [`all features together ≤ ${ALL_FEATURES_LIMIT * 100}% over features off (CPU per request)`, `+${fixed(all.overOffPercent, 1)}%`, '', '', all.overOffPercent <= ALL_FEATURES_LIMIT * 100],
    [`added p50 latency at ${r.settings.latencyRate} requests/s, server mode with all features ≤ ${LATENCY_P50_MS} ms`, `${fixed(server.addedP50, 3)} ms`, '', '', server.addedP50 <= LATENCY_P50_MS],
    [`added p99 latency at ${r.settings.latencyRate} requests/s, server mode with all features ≤ ${LATENCY_P99_MS} ms`, `${fixed(server.addedP99, 3)} ms`, '', '', server.addedP99 <= LATENCY_P99_MS],
    ['legacy pass-through ≥ 0.97× the monolith without figway (throughput)', ratio(legacy.rpsRatio), legacy.rpsRatioRange ? `${legacy.rpsRatioRange[0].toFixed(2)}–${legacy.rpsRatioRange[1].toFixed(2)}` : '', ratio(1 / legacy.cpuRatio), legacy.rpsRatio >= 0.97],
    ['legacy pass-through p99 within 5% of the monolith without figway', ratio(legacy.p99Ratio), '', '', legacy.p99Ratio <= 1.05],
    [`map.countLegacy ≤ ${COUNT_LEGACY_LIMIT_US} µs per legacy request (in process)`, `${fixed(r.countLegacy.nsPerRequest)} ns`, '', '', r.countLegacy.nsPerRequest <= COUNT_LEGACY_LIMIT_US * 1000],
    ['matching at 10,000 routes ≤ 2× matching at 10', ratio(matchRatio), '', '', matchRatio <= 2],
    [
      `p99 while a ${r.reload.routes.toLocaleString('en')}-route table reloads at ${r.reload.rate} requests/s ≤ 3× p99 before`,
      `${fixed(r.reload.during.p99, 1)} ms vs ${fixed(r.reload.before.p99, 1)} ms`,
      '',
      '',
      r.reload.during.p99 <= 3 * r.reload.before.p99,
    ],
    [`OpenTelemetry hooks without an SDK ≤ ${TRACING_CHECK_LIMIT_NS} ns per request`, `${fixed(r.tracingCheck.nsPerRequest)} ns`, '', '', r.tracingCheck.nsPerRequest <= TRACING_CHECK_LIMIT_NS],
    mixedP99(r.mixed),
    ...r.mixed.rows
      .filter((x) => x.kind !== 'express-hpm')
      .map((x) => {
        const drift = x.rss.afterSecond - x.rss.afterFirst;
        return [`mixed workload: RSS after a second run within ${MIXED_RSS_DRIFT_MB} MB of after the first (${x.label})`, `${drift >= 0 ? '+' : ''}${fixed(drift, 1)} MB`, '', '', Math.abs(drift) <= MIXED_RSS_DRIFT_MB];
      }),
    ...r.streaming.map((s) => [`peak RSS grows < 50 MB for ${s.megabytes} MB up and down (${s.engine})`, `${fixed(s.growthMB, 1)} MB`, '', '', s.growthMB < 50]),
  ];
}

/** Middleware mode's p99 over the bare proxy's, run by run (the same run's machine for both), then their mean. */
function mixedP99(mixed) {
  const [bare] = mixed.rows;
  const own = mixed.rows.find((x) => x.label === MIXED_MIDDLEWARE);
  const ratios = own.runs.map((run, i) => run.p99 / bare.runs[i].p99);
  const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
  return [`mixed workload: ${MIXED_MIDDLEWARE} p99 ≤ ${MIXED_P99_LIMIT}× ${bare.label}`, ratio(mean), ratios.map((x) => x.toFixed(2)).join(', '), '', mean <= MIXED_P99_LIMIT];
}

function mixedTable(mixed) {
  const [bare] = mixed.rows;
  const lines = ['| contender | run | req/s | p50 ms | p99 ms | p99 vs the bare proxy | CPU µs/req | RSS MB after the run |', '|---|---:|---:|---:|---:|---:|---:|---:|'];
  for (const x of mixed.rows) {
    lines.push(`| ${x.label} | warm-up | | | | | | ${fixed(x.rss.warm)} |`);
    x.runs.forEach((run, i) => {
      const vs = x === bare ? '—' : ratio(run.p99 / bare.runs[i].p99);
      lines.push(`| | ${i + 1} | ${fixed(run.rps)} | ${fixed(run.p50, 1)} | ${fixed(run.p99, 1)} | ${vs} | ${fixed(run.cpu)} | ${fixed(i === 0 ? x.rss.afterFirst : x.rss.afterSecond)} |`);
    });
  }
  return lines.join('\n');
}

function table(rows) {
  const lines = ['| contender | req/s | p50 ms | p99 ms | CPU µs/req | vs | throughput | p99 | CPU/req |', '|---|---:|---:|---:|---:|---|---:|---:|---:|'];
  for (const x of rows) {
    lines.push(`| ${x.label} | ${fixed(x.rps)} | ${fixed(x.p50, 2)} | ${fixed(x.p99, 2)} | ${fixed(x.cpu)} | ${x.baseline ?? '—'} | ${ratio(x.rpsRatio)} | ${ratio(x.p99Ratio)} | ${ratio(x.cpuRatio)} |`);
  }
  return lines.join('\n');
}

function featureTable(features) {
  const lines = ['| variant | CPU µs/req | over features off | req/s |', '|---|---:|---:|---:|'];
  for (const v of features.variants) {
    const over = v.name === 'off' ? '—' : `${v.overOff >= 0 ? '+' : ''}${fixed(v.overOff, 1)} µs (${v.overOffPercent >= 0 ? '+' : ''}${fixed(v.overOffPercent, 1)}%)`;
    lines.push(`| ${v.name} | ${fixed(v.cpu, 1)} | ${over} | ${fixed(v.rps)} |`);
  }
  return lines.join('\n');
}

function latencyTable(rows) {
  const lines = ['| generator | contender | requests | p50 ms | p99 ms | added p50 ms | added p99 ms |', '|---|---|---:|---:|---:|---:|---:|'];
  for (const x of rows) {
    const added = (n) => (x.label === DIRECT ? '—' : fixed(n, 3));
    lines.push(`| ${x.generator} | ${x.label} | ${x.requests} | ${fixed(x.p50, 3)} | ${fixed(x.p99, 3)} | ${added(x.addedP50)} | ${added(x.addedP99)} |`);
  }
  return lines.join('\n');
}

/** @param {object} r the results bench.mjs collected */
export function renderReport(r) {
  const m = r.machine;
  const s = r.settings;
  return `# figway benchmark results

\`npm run bench\` on ${r.date.slice(0, 10)}${r.quick ? ' (--quick)' : ''}, ${r.durationSeconds} s in all. Raw figures: \`test/bench/results${r.quick ? '-quick' : ''}.json\`.

Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, ${m.kernel}. Node ${m.node}, figway ${m.figway} (${m.commit}), Express ${m.express}, http-proxy-middleware ${m.httpProxyMiddleware}, undici ${m.undici}, fastify ${m.fastify} with @fastify/http-proxy ${m.fastifyHttpProxy}; load from ${m.loadGenerator} (throughput) and autocannon ${m.autocannon} (fixed rate). Load average before the run: ${m.loadAverageBefore}; after: ${m.loadAverageAfter}.

Every contender runs in its own process on loopback, a fresh one each round after a ${s.warmUp} s warm-up (two processes of one server can differ by several percent for their whole life); all share the machine with the upstream and the load generator. Medians of ${s.rounds} interleaved rounds (${s.legacyRounds} for the legacy pair; A B C, then C B A, and so on) of ${s.seconds} s at ${s.connections} connections; ratios are taken within each round, then the median. CPU µs/req is the contender process's own CPU time per request (the upstream's and the load generator's are not in it).

"Features" means: a required bearer JWT (HS256: passport-jwt in the hand-wired stack, @fastify/jwt with its verified-token cache in fastify's, figway's own jose-based source with its cache in figway), a rate limit (in memory: express-rate-limit, @fastify/rate-limit, figway's), one JSON log line per request (pino, batched to /dev/null: pino-http, fastify's own logger, figway's), a request-duration histogram (prom-client), then the proxy. figway also has its trace context (request id, traceparent) on, as by default.

## Targets

| target | this run | rounds' range | by CPU per request | met |
|---|---:|---:|---:|---|
${targets(r)
  .map(([name, value, range, cpu, met]) => `| ${name} | ${value} | ${range} | ${cpu} | ${met ? 'yes' : '**no**'} |`)
  .join('\n')}

"By CPU per request" is the baseline's CPU per request over the contender's: the ratio the throughput would show if the contender's own CPU were all that limited it. On a shared machine it moves less than requests/s does; the verdict is on requests/s. "Rounds' range" is the lowest and highest of the rounds' throughput ratios, whose median is the verdict.

## Proxied path (\`GET /api/orders/7\`)

${table(r.proxied.rows)}

## Feature budget (server mode, undici)

Each feature alone, and all of them, against features off: each variant runs in a process of its own beside a figway with features off (two gateways, two ports), so the several percent two processes of one server can differ by falls on both sides alike; a fresh process each round, both warmed for ${s.warmUp} s before they are measured, in turn (off first, then the variant first in the next round); medians of ${s.featureRounds} rounds of the CPU per request and of its difference from features off in the same process. "off" is the median over every pair. The identity token is signed per caller and reused until shortly before it expires, as in production; its row has the JWT it needs too. "OpenTelemetry, no SDK" is figway's check for a registered tracer provider, what every app without tracing pays; "OpenTelemetry, SDK recording" registers the SDK (every span sampled and recorded, none exported), so it is the app's tracing at work and is not held to the per-feature budget.

${featureTable(r.features)}

## Latency at a fixed rate (${s.latencyRate} requests/s)

${s.latencySeconds} s per contender and generator (two halves, A B C then C B A), each response's time to the microsecond; "added" is over direct to the upstream, measured the same way in the same run. The verdict is on **paced**: one request every ${1000 / s.latencyRate} ms on its own schedule (open loop), as independent clients arrive. **autocannon** (\`overallRate\` ${s.latencyRate}, ${s.latencyConnections} connections) is shown for reference: its rate is a per-second quota per connection, which each connection spends back to back at the start of every second, so its figures are those of ${s.latencyConnections} concurrent requests at full load (queueing behind each other), not of a steady ${s.latencyRate} requests/s.

${latencyTable(r.latency)}

## Legacy pass-through (\`GET /account/7\`, a route of the monolith's own)

${table(r.legacy.rows)}

## Mixed workload: GETs and 256 KB uploads (\`/api/orders\`, ${s.mixedConnections} connections)

Every ${r.mixed.uploadEvery}th request is a 256 KB JSON \`POST\`, the rest \`GET\`s, each with a session cookie of its own; the route sends 50% of sessions to the service (sticky by the cookie) and the monolith answers the others itself, parsing their JSON (\`express.json()\`), with figway's default observability (metrics, logs, trace context). The bare proxy sends every request to the service. Each contender runs twice for ${s.mixedSeconds} s in one process (first run in table order, second in reverse), after a ${s.mixedWarmUp} s warm-up (with uploads, a process takes longer to settle than with GETs alone); RSS is read after the warm-up and after each run. With the parser before figway, every upload figway forwards is read whole and parsed by the app before figway replays it.

${mixedTable(r.mixed)}

## Matcher (normalise + route trie, in process)

| routes | ns per match |
|---:|---:|
${r.matcher.map((x) => `| ${x.routes.toLocaleString('en')} | ${fixed(x.nsPerMatch)} |`).join('\n')}

## Reloading a ${r.reload.routes.toLocaleString('en')}-route table under ${r.reload.rate} requests/s

A gateway in server mode with that many routes (in a process of its own), requests paced at ${r.reload.rate}/s and timed from when each was due; \`POST /reload\` after 3 s. The file is read, parsed and validated in a worker thread (at low priority) and the table compiled 50 routes at a time with a timer between steps (the loop also waits for I/O in between); routes cross from the worker 250 per message, one message per turn.

| | requests | p50 ms | p99 ms | worst ms |
|---|---:|---:|---:|---:|
| before | ${r.reload.before.requests} | ${fixed(r.reload.before.p50, 1)} | ${fixed(r.reload.before.p99, 1)} | ${fixed(r.reload.before.worst, 1)} |
| during the reload (${fixed(r.reload.reloadMs)} ms) | ${r.reload.during.requests} | ${fixed(r.reload.during.p50, 1)} | ${fixed(r.reload.during.p99, 1)} | ${fixed(r.reload.during.worst, 1)} |

A runtime change (in process, median): one route's rollout **${fixed(r.runtimeChange.oneRouteMs, 2)} ms**, the kill switch (every route) **${fixed(r.runtimeChange.killSwitchMs, 2)} ms**, against ${fixed(r.runtimeChange.wholeCompileMs, 1)} ms for a whole compile of the ${r.runtimeChange.routes.toLocaleString('en')} routes: only the routes a change touches are compiled again, and the route table is kept.

## map.countLegacy (in process)

With \`map: { countLegacy: true }\`, a request figway matched no route for gets a finish listener, and at finish is counted by the Express route that served it (a window slot and a Prometheus series per route pattern): **${fixed(r.countLegacy.nsPerRequest)} ns** per request over counting off, in this process (the legacy table above shows the same through a server, where it is within the noise).

## OpenTelemetry without an SDK (in process)

The opentelemetry plugin is on by default. With no SDK registered, the five hooks a proxied request runs (request, decision, forward, proxy request, response) cost **${fixed(r.tracingCheck.nsPerRequest)} ns** per request together: one look at the global tracer provider, then nothing. The feature budget's "OpenTelemetry, no SDK" row measures the same through a server, where it is below the noise.

## Streaming through figway (middleware mode, observability on)

| engine | upload MB/s | download MB/s | RSS before MB | peak RSS MB | growth |
|---|---:|---:|---:|---:|---:|
${r.streaming.map((x) => `| ${x.engine} | ${fixed(x.uploadMBps)} | ${fixed(x.downloadMBps)} | ${fixed(x.rssBeforeMB)} | ${fixed(x.peakRssMB)} | **+${fixed(x.growthMB, 1)} MB** |`).join('\n')}

${r.streaming[0].megabytes} MB up, then down, per engine. Peak from ${r.streaming[0].peakFrom}.
`;
}
