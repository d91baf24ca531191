// A runtime change wins over the file until it is cleared: figway says so wherever an operator looks
// (a warning on every reload with both values, `figway status`, GET /routes), and `figway clear`
// returns the route to its file value.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall } from '../helpers/admin-client.js';
import { captureLogs, type CapturedLogs } from '../helpers/log-capture.js';
import { startMonolith, type Monolith } from '../helpers/monolith.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { runCli } from '../cli/run-cli.js';

const TOKEN = 'file-vs-runtime-token-0123456789';

const config = (upstream: string, percent: number) => `admin: { port: 0, token: ${TOKEN} }
state: { store: file, path: state.json }
reload: { watch: false }
routes:
  - id: orders
    match: { path: /api/orders }
    upstream: ${upstream}
    rollout: { percent: ${percent} }
`;

describe('file vs runtime', () => {
  let dir: string;
  let file: string;
  let service: Upstream;
  let monolith: Monolith;
  let logs: CapturedLogs;
  let env: NodeJS.ProcessEnv;
  const figway = (...argv: string[]) => runCli(argv, env);
  const shadowWarnings = () => logs.lines.filter((line) => line.route === 'orders' && line.field === 'percent');

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'figway-file-vs-runtime-'));
    file = path.join(dir, 'figway.yaml');
    service = await startUpstream('orders');
    writeFileSync(file, config(service.url, 25));
    logs = captureLogs();
    monolith = await startMonolith(express, { config: file, logger: logs.logger });
    await monolith.gateway.ready;
    env = { FIGWAY_ADMIN_URL: monolith.gateway.adminUrl, FIGWAY_ADMIN_TOKEN: TOKEN };
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('warns on a reload that a runtime change keeps the file from applying, naming the route and both values', async () => {
    expect((await figway('rollout', 'orders', '40')).code).toBe(0);
    writeFileSync(file, config(service.url, 10));
    await monolith.gateway.reload();
    expect(shadowWarnings()).toEqual([
      expect.objectContaining({ level: 40, code: 'FIGWAY_CONFIG_FILE_SHADOWED', file: 10, runtime: 40, msg: 'figway: orders: the file says percent 10, but a runtime change keeps 40; `figway clear orders` (DELETE /routes/orders/rollout) returns it to the file' }),
    ]);
    expect(monolith.gateway.current.config.routes[0]?.rollout?.percent).toBe(10);
  });

  it('shows the file value beside the one that serves, and where that comes from', async () => {
    const status = await figway('status');
    const row = status.stdout.split('\n').find((line) => line.startsWith('orders'))?.split(/ {2,}/);
    expect(row?.slice(0, 4)).toEqual(['orders', '40%', 'runtime', '10%']);
    expect(status.stdout).toContain('runtime changes win over the file for orders: `figway clear <route>` returns a route to its file rollout');
    const reply = await adminCall(monolith.gateway.adminUrl as string, TOKEN, 'GET', '/routes/orders');
    expect(reply.json()).toMatchObject({ rollout: { percent: 40, source: 'runtime' }, fileRollout: { percent: 10 }, override: { percent: 40 } });
  });

  it('clear returns the route to the file value; a reload then warns no more', async () => {
    const cleared = await figway('clear', 'orders');
    expect(cleared.stdout).toBe("orders: back to the file's rollout, 10% (was 40%)\n");
    const before = shadowWarnings().length;
    await monolith.gateway.reload();
    expect(shadowWarnings()).toHaveLength(before);
    const status = await figway('status');
    expect(status.stdout.split('\n').find((line) => line.startsWith('orders'))?.split(/ {2,}/).slice(0, 4)).toEqual(['orders', '10%', 'file', '10%']);
    expect(status.stdout).not.toContain('runtime changes win');
  });
});
