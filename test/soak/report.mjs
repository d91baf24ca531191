// What a soak counted, and the verdict: no request without an answer, no restart, no finding.

const SAMPLES = 10;

/** An empty tally; `finding` counts something outside the documented kinds and keeps the first few. */
export function createTally() {
  const tally = {
    sent: 0,
    byStatus: {},
    kinds: {},
    noResponse: 0,
    cut: 0,
    restarts: 0,
    findings: 0,
    samples: [],
    faults: {},
    admin: {},
    logs: {},
    finding(text) {
      tally.findings += 1;
      if (tally.samples.length < SAMPLES) tally.samples.push(text);
    },
  };
  return tally;
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const table = (record) =>
  Object.entries(record)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `    ${key}: ${value}`)
    .join('\n') || '    (none)';

/** Prints the summary; returns whether the soak passed. */
export function printReport(tally, { seconds, memory, redis }) {
  const passed = tally.noResponse === 0 && tally.restarts === 0 && tally.findings === 0;
  console.log(`
figway soak: ${seconds.toFixed(0)} s${redis ? ', with redis-server' : ', without redis-server'}
  requests sent: ${tally.sent}
  responses by status:
${table(tally.byStatus)}
  responses by kind:
${table(tally.kinds)}
  cut mid-response (service killed while answering): ${tally.cut}
  requests without any response: ${tally.noResponse} (must be 0)
  process restarts: ${tally.restarts} (must be 0)
  errors outside the documented kinds: ${tally.findings} (must be 0)${tally.samples.map((s) => `\n    ${s}`).join('')}
  faults injected:
${table(tally.faults)}
  admin API answers:
${table(tally.admin)}
  gateway log lines at warn and above:
${table(tally.logs)}
  gateway memory: heap ${mb(memory.start.heapUsed)} → ${mb(memory.end.heapUsed)}, rss ${mb(memory.start.rss)} → ${mb(memory.end.rss)}
${passed ? 'PASS' : 'FAIL'}`);
  return passed;
}
