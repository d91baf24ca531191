// 100,000 distinct random paths, each carrying credentials: the number of metric series depends on
// the config only (PITFALLS 16), memory stays flat, and no token or cookie reaches a log line.
import { fork } from 'node:child_process';
import http from 'node:http';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import express4 from 'express4';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { figway } from '../../src/index.js';
import type { FigwayMiddleware } from '../../src/types.js';
import type { ExpressFactory } from '../helpers/express-versions.js';
import { listen, type Listening } from '../helpers/listen.js';
import { canForceGc, heapAfterGc } from './helpers/resources.js';

const TOTAL = 100_000;
const WARM_UP = 10_000;
/** Every secret contains this marker; no log line may. */
const MARK = 'sekret';
/** The load client's mix, per 40 requests (see random-paths-client.mjs). */
const PER_40 = { service: 2, legacy: 2, refused: 1 };

/** A log destination that keeps nothing: it counts lines and remembers the first few that hold a secret. */
function scanningLogger() {
  const found = { lines: 0, leaks: [] as string[] };
  let tail = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (tail + chunk.toString('utf8')).split('\n');
      tail = lines.pop() ?? '';
      for (const line of lines) {
        if (!line) continue;
        found.lines += 1;
        if (line.includes(MARK) && found.leaks.length < 5) found.leaks.push(line);
      }
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), found };
}

const CLIENT = fileURLToPath(new URL('./helpers/random-paths-client.mjs', import.meta.url));

/** Runs the load client (its own process) for requests [from, to); resolves with the answers by status. */
function run(port: number, from: number, to: number): Promise<{ statuses: Record<string, number>; unanswered: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(CLIENT, [String(port), String(from), String(to)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const timer = setTimeout(() => child.kill(), 90_000);
    child.once('message', (result) => resolve(result as { statuses: Record<string, number>; unanswered: number }));
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`the load client exited with ${code}`));
    });
  });
}

describe('100,000 distinct random paths', () => {
  let service: Listening;
  let gateway: FigwayMiddleware;
  let server: http.Server;
  let port: number;
  const registry = new Registry();
  const logs = scanningLogger();

  beforeAll(async () => {
    let sessions = 0;
    // Records nothing: the test measures figway's memory, not a list of what the service saw.
    service = await listen((req, res) => {
      req.resume();
      res.setHeader('set-cookie', `session=${MARK}${sessions++}; Path=/; HttpOnly`);
      res.end('{}');
    });
    // Express 4 with its own per-request work kept small (no query parsing, no ETag): the time
    // goes to figway, which is what is measured.
    const app = (express4 as unknown as ExpressFactory)();
    app.set('query parser', false);
    app.set('etag', false);
    gateway = figway({
      logger: logs.logger,
      registry,
      config: {
        plugins: { logging: { headers: true } },
        upstreams: { service: { url: service.url } },
        routes: [
          { id: 'orders', match: { path: '/api/orders' }, upstream: 'service' },
          { id: 'users', match: { path: '/api/users/:id' }, upstream: 'service' },
          { id: 'legacy', match: { path: '/api/legacy' }, upstream: 'service', rollout: { percent: 0, sticky: ['header:x-user-id'] } },
        ],
      },
    });
    app.use(gateway);
    app.use((_req, res) => void res.type('json').end('{"service":"legacy"}'));
    ({ server, port } = await listen(app));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await gateway.close();
    await service.close();
  });

  const seriesOf = async () => (await registry.metrics()).split('\n').filter((line) => line.startsWith('figway_'));

  it('keeps metric series, memory and logs bounded, and every credential out of the logs', async () => {
    const warm = await run(port, 0, WARM_UP);
    expect(warm.unanswered).toBe(0);
    const seriesAfterWarmUp = await seriesOf();
    const heapAfterWarmUp = await heapAfterGc();

    const rest = await run(port, WARM_UP, TOTAL);
    expect(rest.unanswered).toBe(0);
    const count = (status: string) => (warm.statuses[status] ?? 0) + (rest.statuses[status] ?? 0);
    expect(Object.keys({ ...warm.statuses, ...rest.statuses }).sort()).toEqual(['200', '400']);
    expect(count('200') + count('400')).toBe(TOTAL);
    // The encoded slash into a :param route is refused, never routed.
    expect(count('400')).toBe((TOTAL / 40) * PER_40.refused);

    const series = await seriesOf();
    // Labels come from the config (route ids, sides, methods, status classes), never from the paths.
    expect(series.length).toBe(seriesAfterWarmUp.length);
    expect(series.length).toBeLessThan(200);
    const text = series.join('\n');
    expect(text).not.toMatch(/\br[0-9a-f]{14}\b/);
    expect(text).not.toContain(MARK);

    const heapGrowth = (await heapAfterGc()) - heapAfterWarmUp;
    expect(heapGrowth, `heap grew by ${(heapGrowth / 1024 / 1024).toFixed(1)} MB over ${TOTAL - WARM_UP} requests`).toBeLessThan((canForceGc ? 4 : 40) * 1024 * 1024);

    // Every routed request was logged (unmatched and refused ones are not figway's to log), and none leaked.
    await expect.poll(() => logs.found.lines, { timeout: 3000 }).toBe((TOTAL / 40) * (PER_40.service + PER_40.legacy));
    expect(logs.found.leaks).toEqual([]);
  }, 120_000);
});
