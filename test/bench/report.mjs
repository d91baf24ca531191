// The benchmark's markdown report: the tables, each target with its verdict, and the machine.

const fixed = (n, digits = 0) => (n === undefined || Number.isNaN(n) ? '—' : n.toFixed(digits));
const ratio = (n) => (n === undefined ? '—' : `${n.toFixed(2)}×`);

/** The issue's targets, each checked against this run's figures. */
function targets(r) {
  const row = (group, label) => r[group].rows.find((x) => x.label === label);
  const middleware = row('proxied', 'figway middleware mode (features)');
  const server = row('proxied', 'figway server mode (features)');
  const legacy = row('legacy', 'monolith with figway, 1,000 unmatched routes');
  const [ten, , tenThousand] = r.matcher;
  const matchRatio = tenThousand.nsPerMatch / ten.nsPerMatch;
  // Throughput a contender could reach if CPU were all that limited it: the inverse of its CPU per request.
  const byCpu = (x) => ratio(1 / x.cpuRatio);
  const spread = (x) => (x.rpsRatioRange ? `${x.rpsRatioRange[0].toFixed(2)}–${x.rpsRatioRange[1].toFixed(2)}` : '');
  return [
    ['figway middleware mode ≥ 1.2× the hand-wired stack (throughput)', ratio(middleware.rpsRatio), spread(middleware), byCpu(middleware), middleware.rpsRatio >= 1.2],
    ['figway server mode ≥ 1.8× Express + http-proxy-middleware (throughput)', ratio(server.rpsRatio), spread(server), byCpu(server), server.rpsRatio >= 1.8],
    ['legacy pass-through ≥ 0.97× the monolith without figway (throughput)', ratio(legacy.rpsRatio), spread(legacy), byCpu(legacy), legacy.rpsRatio >= 0.97],
    ['legacy pass-through p99 within 5% of the monolith without figway', ratio(legacy.p99Ratio), '', '', legacy.p99Ratio <= 1.05],
    ['matching at 10,000 routes ≤ 2× matching at 10', ratio(matchRatio), '', '', matchRatio <= 2],
    [`peak RSS grows < 50 MB for ${r.streaming.megabytes} MB up and down`, `${fixed(r.streaming.growthMB, 1)} MB`, '', '', r.streaming.growthMB < 50],
  ];
}

function table(rows) {
  const lines = ['| contender | req/s | p50 ms | p99 ms | CPU µs/req | vs | throughput | p99 | CPU/req |', '|---|---:|---:|---:|---:|---|---:|---:|---:|'];
  for (const x of rows) {
    lines.push(`| ${x.label} | ${fixed(x.rps)} | ${fixed(x.p50, 2)} | ${fixed(x.p99, 2)} | ${fixed(x.cpu)} | ${x.baseline ?? '—'} | ${ratio(x.rpsRatio)} | ${ratio(x.p99Ratio)} | ${ratio(x.cpuRatio)} |`);
  }
  return lines.join('\n');
}

/** @param {object} r the results bench.mjs collected */
export function renderReport(r) {
  const m = r.machine;
  const s = r.settings;
  return `# figway benchmark results

\`npm run bench\` on ${r.date.slice(0, 10)}${r.quick ? ' (--quick)' : ''}, ${r.durationSeconds} s in all. Raw figures: \`test/bench/results${r.quick ? '-quick' : ''}.json\`.

Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, ${m.kernel}. Node ${m.node}, figway ${m.figway} (${m.commit}), Express ${m.express}, http-proxy-middleware ${m.httpProxyMiddleware}, load from ${m.loadGenerator}. Load average before the run: ${m.loadAverageBefore}; after: ${m.loadAverageAfter}.

Every contender runs in its own process on loopback, a fresh one each round after a 1 s warm-up (two processes of one server can differ by several percent for their whole life); all share the machine with the upstream and the load generator. Medians of ${s.rounds} interleaved rounds (${s.legacyRounds} for the legacy pair; A B C, then C B A, and so on) of ${s.seconds} s at ${s.connections} connections; ratios are taken within each round against the row named in "vs", then the median. CPU µs/req is the contender process's own CPU time per request (the upstream's and the load generator's are not in it).

"Features" means: a required bearer JWT (HS256: passport-jwt in the hand-wired stack, figway's own jose-based source in figway), a rate limit (express-rate-limit's in-memory store), one JSON log line per request (pino, to /dev/null), a request-duration histogram (prom-client), then the proxy. figway also has its trace context (request id, traceparent) on, as by default.

## Targets

| target | this run | rounds' range | by CPU per request | met |
|---|---:|---:|---:|---|
${targets(r)
  .map(([name, value, range, cpu, met]) => `| ${name} | ${value} | ${range} | ${cpu} | ${met ? 'yes' : '**no**'} |`)
  .join('\n')}

"By CPU per request" is the baseline's CPU per request over the contender's: the ratio the throughput would show if the contender's own CPU were all that limited it. On a shared machine it moves less than requests/s does; the verdict is on requests/s. "Rounds' range" is the lowest and highest of the rounds' throughput ratios, whose median is the verdict.

## Proxied path (\`GET /api/orders/7\`)

${table(r.proxied.rows)}

## Legacy pass-through (\`GET /account/7\`, a route of the monolith's own)

${table(r.legacy.rows)}

## Matcher (normalise + route trie, in process)

| routes | ns per match |
|---:|---:|
${r.matcher.map((x) => `| ${x.routes.toLocaleString('en')} | ${fixed(x.nsPerMatch)} |`).join('\n')}

## Streaming through figway (middleware mode, observability on)

| transfer | MB/s |
|---|---:|
| ${r.streaming.megabytes} MB upload | ${fixed(r.streaming.uploadMBps)} |
| ${r.streaming.megabytes} MB download | ${fixed(r.streaming.downloadMBps)} |

Gateway RSS ${fixed(r.streaming.rssBeforeMB)} MB before, peak ${fixed(r.streaming.peakRssMB)} MB (${r.streaming.peakFrom}): **+${fixed(r.streaming.growthMB, 1)} MB**.
`;
}
