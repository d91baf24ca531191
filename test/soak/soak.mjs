// `npm run soak`: steady load through figway while the service is killed and restarted, the config
// file is rewritten, rollouts are flipped and redis-server is restarted; then a report, and exit 1
// if any request went unanswered, the gateway restarted or anything outside the documented kinds
// happened. Flags: see options.mjs (`npm run soak -- --help`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, gateway, hasRedis, redis, upstream } from './children.mjs';
import { writeConfig } from './config-file.mjs';
import { isDocumentedLog } from './documented.mjs';
import { runFaults } from './faults.mjs';
import { runLoad } from './load.mjs';
import { readOptions } from './options.mjs';
import { createTally, printReport } from './report.mjs';

const options = readOptions();
const tally = createTally();
const dir = mkdtempSync(path.join(tmpdir(), 'figway-soak-'));
const configFile = path.join(dir, 'figway.yaml');
const [gatewayPort, upstreamPort, redisPort] = await Promise.all([freePort(), freePort(), freePort()]);
const withRedis = options.redis && hasRedis();

const env = {
  tally,
  upstream: upstream(upstreamPort),
  redis: withRedis ? redis(redisPort, dir) : undefined,
  writeConfig: (variant) => writeConfig(configFile, { upstreamPort, redisPort: withRedis ? redisPort : undefined, stateFile: path.join(dir, 'state.json'), ...variant }),
  adminUrl: () => adminUrl,
};

const onMessage = (message) => {
  if (message.type === 'log') {
    const key = `${message.msg}${message.code ? ` (${message.code})` : ''}`;
    tally.logs[key] = (tally.logs[key] ?? 0) + 1;
    if (!isDocumentedLog(message)) tally.finding(`gateway logged: ${key}`);
  } else if (message.type === 'warning' || message.type === 'crash') {
    tally.finding(`gateway ${message.type}: ${message.message.slice(0, 300)}`);
  }
};
// A gateway that dies is started again so the load can go on, and counted: there must be none.
const onExit = (how) => {
  tally.restarts += 1;
  tally.finding(`the gateway exited (${how})`);
  the.start().then(
    (url) => (adminUrl = url),
    (err) => tally.finding(`the gateway did not start again: ${err.message}`),
  );
};
const the = gateway(configFile, gatewayPort, { onMessage, onExit });

await env.redis?.start();
await env.upstream.start();
env.writeConfig({ variant: 0 });
let adminUrl = await the.start();
const started = Date.now();
const until = started + options.durationMs;
const memory = { start: await the.memory() };

await Promise.all([runLoad({ port: gatewayPort, rate: options.rate, requests: options.requests, until, tally }), runFaults(env, started, until)]);
memory.end = await the.memory();
const seconds = (Date.now() - started) / 1000;

await the.stop();
await env.upstream.kill();
await env.redis?.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(printReport(tally, { seconds, memory, redis: withRedis }) ? 0 : 1);
