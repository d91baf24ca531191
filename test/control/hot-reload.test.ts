// Hot reload: the config file is watched; valid changes apply atomically, invalid ones are refused
// with line numbers while the old config keeps serving, and no request fails during a reload.
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs, type CapturedLogs } from '../helpers/log-capture.js';
import { startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const config = (upstream: string, path_: string, percent = 100) => `state: { store: file, path: state.json }
routes:
  - id: moving
    match: { path: ${path_} }
    upstream: ${upstream}
    rollout: { percent: ${percent} }
`;

describe('hot reload', () => {
  let dir: string;
  let service: Upstream;
  let monolith: Monolith;
  let logs: CapturedLogs;
  const registry = new Registry();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'figway-reload-'));
    service = await startUpstream('service');
    writeFileSync(path.join(dir, 'figway.yaml'), config(service.url, '/v1'));
    logs = captureLogs();
    monolith = await startMonolith(express, { config: path.join(dir, 'figway.yaml'), logger: logs.logger, registry });
    await monolith.gateway.ready;
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const served = async (p: string) => (await request(monolith.url, p)).json().service;

  it('applies a valid change to the watched file', async () => {
    expect(await served('/v1')).toBe('service');
    writeFileSync(path.join(dir, 'figway.yaml'), config(service.url, '/v2'));
    await expect.poll(() => served('/v2'), { timeout: 3000 }).toBe('service');
    expect(await served('/v1')).toBe('legacy');
  });

  it('refuses an invalid change with line numbers, logs and counts it, and keeps serving the old config', async () => {
    writeFileSync(path.join(dir, 'figway.yaml'), `${config(service.url, '/v2')}    unknownField: true\n`);
    await expect.poll(() => logs.lines.find((line) => line.msg === 'figway: config change rejected, the previous config keeps serving'), { timeout: 3000 }).toBeDefined();
    const line = logs.lines.find((l) => l.msg === 'figway: config change rejected, the previous config keeps serving') as { problems: string[] };
    expect(line.problems).toEqual([`${path.join(dir, 'figway.yaml')}:7:5  routes[0].unknownField  unknown field (expected one of: id, description, match, upstream, rewrite, rollout, timeouts, shadow, fallback, auth, session, limits, plugins)`]);
    expect(await served('/v2')).toBe('service');
    expect(await registry.getSingleMetricAsString('figway_config_reloads_total')).toContain('figway_config_reloads_total{result="failure"} 1');
  });

  it('places a problem found while compiling (a plugin option) on its line too, though the file was parsed in a worker thread', async () => {
    const before = logs.lines.length;
    writeFileSync(path.join(dir, 'figway.yaml'), `plugins:\n  logging: { level: loud }\n${config(service.url, '/v2')}`);
    const rejected = () => logs.lines.slice(before).find((l) => l.msg === 'figway: config change rejected, the previous config keeps serving') as { problems: string[] } | undefined;
    await expect.poll(rejected, { timeout: 3000 }).toBeDefined();
    expect(rejected()?.problems).toEqual([expect.stringMatching(new RegExp(`^${path.join(dir, 'figway.yaml')}:2:\\d+  plugins\\.logging\\.level  `))]);
    expect(await served('/v2')).toBe('service');
    writeFileSync(path.join(dir, 'figway.yaml'), config(service.url, '/v2'));
  });

  it('follows a Kubernetes ConfigMap update (a ..data symlink swapped to a new directory)', async () => {
    const mount = path.join(dir, 'configmap');
    mkdirSync(path.join(mount, '..2026_01'), { recursive: true });
    writeFileSync(path.join(mount, '..2026_01', 'figway.yaml'), config(service.url, '/k1'));
    symlinkSync('..2026_01', path.join(mount, '..data'));
    symlinkSync('..data/figway.yaml', path.join(mount, 'figway.yaml'));
    const k8s = await startMonolith(express, { config: path.join(mount, 'figway.yaml'), logger: logs.logger, registry: new Registry() });
    await k8s.gateway.ready;
    expect((await request(k8s.url, '/k1')).json().service).toBe('service');
    // What the kubelet does: write the new version beside the old one, then swap the link atomically.
    mkdirSync(path.join(mount, '..2026_02'));
    writeFileSync(path.join(mount, '..2026_02', 'figway.yaml'), config(service.url, '/k2'));
    symlinkSync('..2026_02', path.join(mount, '..data_tmp'));
    renameSync(path.join(mount, '..data_tmp'), path.join(mount, '..data'));
    await expect.poll(async () => (await request(k8s.url, '/k2')).json().service, { timeout: 3000 }).toBe('service');
    await k8s.close();
  });

  it('fails no request while the config is reloaded again and again under load', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    let stop = false;
    const failures: string[] = [];
    let done = 0;
    const worker = async () => {
      while (!stop) {
        const status = await new Promise<number>((resolve) => {
          const req = http.get(`${monolith.url}/v2/item`, { agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', (err) => {
            failures.push(err.message);
            resolve(0);
          });
        });
        if (status !== 200) failures.push(String(status));
        done += 1;
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    for (let i = 0; i < 40; i++) {
      await monolith.gateway.reload({ routes: [{ id: 'moving', match: { path: '/v2' }, upstream: service.url, rollout: { percent: i % 2 === 0 ? 0 : 100 } }] });
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    stop = true;
    await Promise.all(workers);
    agent.destroy();
    expect(failures).toEqual([]);
    expect(done).toBeGreaterThan(100);
  });

  it('refuses a file over reload.maxFileBytes from its size, naming file, size and limit, and keeps serving', async () => {
    const file = path.join(dir, 'small.yaml');
    const small = `reload: { maxFileBytes: 2048 }\n${config(service.url, '/s1')}`;
    writeFileSync(file, small);
    const limited = await startMonolith(express, { config: file, logger: logs.logger, registry: new Registry() });
    await limited.gateway.ready;
    try {
      const big = `${config(service.url, '/s2')}${'# padding\n'.repeat(1000)}`;
      writeFileSync(file, big);
      const message = `figway config ${file} is ${Buffer.byteLength(big)} bytes, over the 2048-byte limit (reload.maxFileBytes); it was not read`;
      await expect.poll(() => logs.lines.find((line) => (line.err as { message?: string } | undefined)?.message === message), { timeout: 3000 }).toBeDefined();
      expect((await request(limited.url, '/s1')).json().service).toBe('service');
      await expect(limited.gateway.reload()).rejects.toThrow(expect.objectContaining({ code: 'FIGWAY_CONFIG_TOO_LARGE', message }));
      // Back under the limit, it applies.
      writeFileSync(file, small.replace('/s1', '/s3'));
      await expect.poll(async () => (await request(limited.url, '/s3')).json().service, { timeout: 3000 }).toBe('service');
    } finally {
      await limited.close();
    }
  });
});
