// Two readings of one path (PITFALLS 2), by case: figway matches paths with the app's case
// sensitivity, so a path in another case never skips a route (and its auth) in figway while
// reaching a handler in the app.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FigwayConfigError } from '../../src/index.js';
import { EXPRESS_VERSIONS } from '../helpers/express-versions.js';
import { GATEWAY_MODES, startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const CASES = EXPRESS_VERSIONS.flatMap(([label, express]) => GATEWAY_MODES.map((mode) => [label, mode, express] as const));

describe.each(CASES)('case sensitivity (%s, %s mode)', (_label, mode, express) => {
  let service: Upstream;
  let dir: string;
  const monoliths: Monolith[] = [];

  beforeAll(async () => {
    service = await startUpstream('admin-service');
    dir = mkdtempSync(path.join(tmpdir(), 'figway-case-'));
  });
  afterAll(async () => {
    for (const monolith of monoliths) await monolith.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const yaml = (caseSensitive?: boolean) => `
${caseSensitive === undefined ? '' : `matching: { caseSensitive: ${caseSensitive} }\n`}routes:
  - id: admin
    match: { path: /api/svc/admin }
    upstream: ${service.url}
`;
  async function start(appCaseSensitive: boolean, caseSensitive?: boolean): Promise<Monolith> {
    const file = path.join(dir, `figway-${monoliths.length}-${String(caseSensitive)}.yaml`);
    writeFileSync(file, yaml(caseSensitive));
    const monolith = await startMonolith(
      express,
      { config: file, registry: new Registry() },
      {
        mode,
        settings: { 'case sensitive routing': appCaseSensitive },
        // The unprotected legacy handler a differently spelled path must not reach past figway's route.
        after: (app) => app.get('/api/svc/admin', (_req, res) => void res.json({ service: 'legacy-admin' })),
      },
    );
    monoliths.push(monolith);
    return monolith;
  }
  const served = async (monolith: Monolith, target: string) => (await request(monolith.url, target)).json<{ service: string }>().service;

  it('follows a case-insensitive app (Express default): every spelling goes through the route', async () => {
    const monolith = await start(false);
    expect(await served(monolith, '/api/svc/admin')).toBe('admin-service');
    expect(await served(monolith, '/API/SVC/ADMIN')).toBe('admin-service');
  });

  it('follows a case-sensitive app: another spelling is neither the route nor the app handler', async () => {
    const monolith = await start(true);
    expect(await served(monolith, '/api/svc/admin')).toBe('admin-service');
    expect(await served(monolith, '/API/SVC/ADMIN')).toBe('legacy');
  });

  it('accepts matching.caseSensitive when it says what the app does', async () => {
    const monolith = await start(true, true);
    expect(await served(monolith, '/API/SVC/ADMIN')).toBe('legacy');
  });

  it.each([
    [false, true],
    [true, false],
  ])("refuses to start when the app's case sensitive routing is %s and matching.caseSensitive %s, naming both and the line", async (app, configured) => {
    const started = start(app, configured);
    await expect(started).rejects.toThrow(FigwayConfigError);
    const err = (await started.catch((e: unknown) => e)) as FigwayConfigError;
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatchObject({ path: 'matching.caseSensitive', line: 2 });
    expect(err.message).toContain(`is ${configured} but the Express app's 'case sensitive routing' is ${app}`);
  });

  it('refuses a reload that would contradict the app, and keeps serving the config it had', async () => {
    const monolith = await start(false);
    const file = path.join(dir, `figway-${monoliths.length - 1}-undefined.yaml`);
    writeFileSync(file, yaml(true));
    await expect(monolith.gateway.reload(file)).rejects.toThrow(/'case sensitive routing' is false/);
    expect(monolith.gateway.current.config.matching).toBeUndefined();
    expect(await served(monolith, '/API/SVC/ADMIN')).toBe('admin-service');
  });
});
