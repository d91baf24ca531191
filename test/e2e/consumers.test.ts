// The built package works for CommonJS monoliths (require) and ESM apps (import), from node_modules.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// The same tiny monolith, once as CommonJS and once as ESM: one request to a route, one to legacy.
const BODY = `
const app = express();
app.use(figway({ config: { plugins: { logging: false }, routes: [{ id: 'orders', match: { path: '/api/orders' }, upstream: process.env.UPSTREAM }] } }));
app.use((req, res) => res.json({ service: 'legacy' }));
const server = app.listen(0, '127.0.0.1', async () => {
  const base = 'http://127.0.0.1:' + server.address().port;
  const routed = await (await fetch(base + '/api/orders')).json();
  const legacy = await (await fetch(base + '/home')).json();
  console.log(JSON.stringify({ routed: routed.service, legacy: legacy.service, error: typeof FigwayError }));
  server.close();
  process.exit(0);
});`;

describe('package consumers', () => {
  let dir: string;
  let service: Upstream;

  beforeAll(async () => {
    service = await startUpstream('orders');
    dir = mkdtempSync(path.join(tmpdir(), 'figway-consumer-'));
    mkdirSync(path.join(dir, 'node_modules'));
    symlinkSync(ROOT, path.join(dir, 'node_modules', 'figway'), 'dir');
    symlinkSync(path.join(ROOT, 'node_modules', 'express'), path.join(dir, 'node_modules', 'express'), 'dir');
    writeFileSync(path.join(dir, 'app.cjs'), `const express = require('express');\nconst { figway, FigwayError } = require('figway');\n${BODY}`);
    writeFileSync(path.join(dir, 'app.mjs'), `import express from 'express';\nimport { figway, FigwayError } from 'figway';\n${BODY}`);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await service.close();
  });

  // Asynchronous on purpose: the upstream lives in this process and must keep answering.
  const run = async (file: string) => {
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(dir, file)], { cwd: dir, env: { ...process.env, UPSTREAM: service.url } });
    return JSON.parse(stdout) as unknown;
  };

  it('works with require() from a CommonJS app', async () => {
    expect(await run('app.cjs')).toEqual({ routed: 'orders', legacy: 'legacy', error: 'function' });
  });

  it('works with import from an ESM app', async () => {
    expect(await run('app.mjs')).toEqual({ routed: 'orders', legacy: 'legacy', error: 'function' });
  });
});
