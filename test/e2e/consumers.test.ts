// The built package works for CommonJS monoliths (require) and ESM apps (import), from node_modules.
import { mkdtempSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSUMER_ANSWER, runConsumerApp, writeConsumerApps } from '../helpers/consumer-app.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('package consumers', () => {
  let dir: string;
  let service: Upstream;

  beforeAll(async () => {
    service = await startUpstream('orders');
    dir = mkdtempSync(path.join(tmpdir(), 'figway-consumer-'));
    mkdirSync(path.join(dir, 'node_modules'));
    symlinkSync(ROOT, path.join(dir, 'node_modules', 'figway'), 'dir');
    symlinkSync(path.join(ROOT, 'node_modules', 'express'), path.join(dir, 'node_modules', 'express'), 'dir');
    writeConsumerApps(dir);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await service.close();
  });

  it('works with require() from a CommonJS app', async () => {
    expect(await runConsumerApp(dir, 'app.cjs', service.url)).toEqual(CONSUMER_ANSWER);
  });

  it('works with import from an ESM app', async () => {
    expect(await runConsumerApp(dir, 'app.mjs', service.url)).toEqual(CONSUMER_ANSWER);
  });
});
