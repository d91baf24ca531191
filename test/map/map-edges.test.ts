// The migration map where apps differ: handlers before figway, app.all and arrays of paths, another
// framework's stack mounted in the app, a rejected reload, and a route the map plugin is off for.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { figway } from '../../src/index.js';
import type { MapAnswer } from '../../src/map/map-schema.js';
import type { FigwayMiddleware } from '../../src/types.js';
import { adminCall } from '../helpers/admin-client.js';
import { EXPRESS_VERSIONS } from '../helpers/express-versions.js';
import { listen, type Listening } from '../helpers/listen.js';
import { quietLogger } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const config = (dir: string, upstream: string, map: string) => `
admin: { port: 0 }
reload: { watch: false }
state: { store: file, path: ${path.join(dir, 'state.json')} }
map: ${map}
routes:
  - id: early
    match: { path: /early }
    upstream: ${upstream}
  - id: quiet
    match: { path: /quiet }
    upstream: ${upstream}
    plugins: { map: false }
`;

describe.each(EXPRESS_VERSIONS)('migration map edges, %s', (_label, express) => {
  let dir: string;
  let file: string;
  let service: Upstream;
  let gateway: FigwayMiddleware;
  let monolith: Listening;
  const mapOf = async () => (await adminCall(gateway.adminUrl as string, undefined, 'GET', '/map')).json() as MapAnswer;
  const endpoint = (map: MapAnswer, method: string, p: string) => map.endpoints.find((e) => e.method === method && e.path === p);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'figway-map-edges-'));
    file = path.join(dir, 'figway.yaml');
    service = await startUpstream('svc');
    writeFileSync(file, config(dir, service.url, '{ countLegacy: true }'));
    const app = express();
    const legacy = (_req: unknown, res: { json(body: unknown): void }) => res.json({ service: 'legacy' });
    // Served before figway sees the request: the route covering it changes nothing for it.
    app.get('/early', legacy);
    gateway = figway({ config: file, registry: new Registry(), logger: quietLogger });
    app.use(gateway);
    // Another framework's stack (connect, Vite's middlewares): its items have a `route` string, not an Express Route.
    const connectLike = Object.assign((_req: unknown, _res: unknown, next: () => void) => next(), { stack: [{ route: '', handle: () => {} }] });
    app.use(connectLike);
    app.all('/any', legacy);
    app.get(['/one', '/two'], legacy);
    app.get('/quiet', legacy);
    monolith = await listen(http.createServer(app));
    await gateway.ready;
  });
  afterAll(async () => {
    await monolith.close();
    await gateway.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says an endpoint declared before figway is legacy only, whatever route covers it', async () => {
    expect((await request(monolith.url, '/early')).json()).toEqual({ service: 'legacy' });
    expect(endpoint(await mapOf(), 'GET', '/early')).toMatchObject({ route: 'early', percent: 100, state: 'legacy-only', why: ['declared before figway in the app: its requests never reach route early (mount figway first)'] });
  });

  it('reads past a stack that is not an Express router, and counts app.all as one ALL endpoint', async () => {
    await request(monolith.url, '/any', { method: 'POST' });
    await request(monolith.url, '/any');
    const map = await mapOf();
    expect(map.hidden).toEqual([]);
    expect(endpoint(map, 'ALL', '/any')?.served).toEqual({ legacy: 2 });
  });

  it('counts an Express route with several paths once in the shares', async () => {
    const before = await mapOf();
    const area = (map: MapAnswer, name: string) => map.areas.find((a) => a.area === name);
    expect(area(before, 'one')?.strangled).toBeUndefined();
    await request(monolith.url, '/one');
    await request(monolith.url, '/two');
    const map = await mapOf();
    // Both paths show the route's two requests; the shares count them once, in the first path's area.
    expect(endpoint(map, 'GET', '/one')?.served).toEqual({ legacy: 2 });
    expect(endpoint(map, 'GET', '/two')?.served).toEqual({ legacy: 2 });
    expect(area(map, 'one')?.strangled).toBe(0);
    expect(area(map, 'two')?.strangled).toBeUndefined();
  });

  it('never says a route the map plugin is off for is ready to retire', async () => {
    expect(endpoint(await mapOf(), 'GET', '/quiet')).toMatchObject({ route: 'quiet', state: 'at-100', why: ['the map plugin is off for route quiet, so what legacy serves of it is not counted', 'its time at 100% is not in the history yet'] });
  });

  it('keeps its settings when a reload is refused after the plugins were set up (a CA file that is not there)', async () => {
    const refused = config(dir, service.url, '{ countLegacy: false, window: 2h }').replace('routes:', 'upstreams:\n  secure: { url: "https://127.0.0.1:9", tls: { caFile: missing-ca.pem } }\nroutes:') + '  - id: secure\n    match: { path: /secure }\n    upstream: secure\n';
    writeFileSync(file, refused);
    await expect(gateway.reload()).rejects.toThrow(/upstreams\.secure\.tls\.caFile  cannot be read/);
    const map = await mapOf();
    expect(map.countLegacy).toBe(true);
    expect(map.windowSeconds).toBe(86_400);
  });
});
