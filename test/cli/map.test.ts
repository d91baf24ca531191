// figway map end to end: a real Express monolith with legacy routes and figway mounted on it, its admin API, a real service, the CLI in-process.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { figway as createFigway } from '../../src/index.js';
import { MapAnswerSchema, type MapAnswer } from '../../src/map/map-schema.js';
import type { FigwayMiddleware } from '../../src/types.js';
import { listen, type Listening } from '../helpers/listen.js';
import { quietLogger } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { runCli } from './run-cli.js';

const TOKEN = 'map-cli-admin-token-0123456789';
const READ_TOKEN = 'map-cli-read-token-0123456789';
/** Nothing listens there (see admin-failures.test.ts for why not a closed server's port). */
const nowhere = 'http://127.0.0.1:3';

const HEADERS = ['METHOD', 'PATH', 'ROUTE', 'PERCENT', 'STATE', 'SERVICE', 'LEGACY', 'WHY'];

/** The cells of each table row below the header line that starts with `header`. */
function tableRows(text: string, header: string): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith(header));
  if (start < 0) return [];
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') break;
    rows.push(line.split(/ {2,}/));
  }
  return rows;
}

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
const validMap = ajv.compile(MapAnswerSchema);

describe('figway map against a running gateway on an Express monolith', () => {
  let service: Upstream;
  let gateway: FigwayMiddleware;
  let app: Listening;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const figway = (...argv: string[]) => runCli(argv, env);

  beforeAll(async () => {
    service = await startUpstream('new-service');
    dir = mkdtempSync(path.join(os.tmpdir(), 'figway-map-cli-'));
    gateway = createFigway({
      logger: quietLogger,
      config: {
        admin: { port: 0, token: TOKEN, tokens: [{ name: 'dashboard', token: READ_TOKEN, role: 'read' }] },
        state: { store: 'file', path: path.join(dir, 'state.json') },
        upstreams: { svc: { url: service.url } },
        routes: [
          { id: 'orders', match: { path: '/api/orders' }, upstream: 'svc', rollout: { percent: 50 } },
          { id: 'users', match: { path: '/api/users/:id' }, upstream: 'svc' },
          { id: 'reports', match: { path: '/reports' }, upstream: 'svc', rollout: { percent: 0 } },
          { id: 'checkout', match: { path: '/api/checkout' }, upstream: 'svc' },
        ],
      },
    });
    // The monolith, as users have it: figway in one app.use line, the legacy handlers after it.
    const monolith = express();
    monolith.use(gateway);
    const legacy: express.RequestHandler = (req, res) => {
      res.json({ service: 'legacy', url: req.originalUrl });
    };
    monolith.get('/api/orders/:id', legacy);
    monolith.post('/api/orders', legacy);
    monolith.get('/api/users/:id', legacy);
    monolith.get('/reports/daily', legacy);
    monolith.get('/about', legacy);
    app = await listen(monolith);
    await gateway.ready;
    // Requests through the app: figway sees the app it is mounted on, and counts what each side served.
    for (const id of ['1', '2']) expect((await request(app.url, `/api/users/${id}`)).json()).toMatchObject({ service: 'new-service' });
    expect((await request(app.url, '/reports/daily')).json()).toMatchObject({ service: 'legacy' });
    expect((await request(app.url, '/about')).json()).toMatchObject({ service: 'legacy' });
    env = { FIGWAY_ADMIN_URL: gateway.adminUrl, FIGWAY_ADMIN_TOKEN: TOKEN };
  });
  afterAll(async () => {
    await app?.close();
    await gateway?.close();
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every monolith endpoint with its route, percent and state, and why it cannot be retired yet', async () => {
    const result = await figway('map');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.split('\n')[0]?.split(/ {2,}/)).toEqual(HEADERS);
    const rows = tableRows(result.stdout, 'METHOD');
    expect(rows.map((row) => row.slice(0, 5))).toEqual([
      ['GET', '/api/orders/:id', 'orders', '50%', 'rolling-out'],
      ['POST', '/api/orders', 'orders', '50%', 'rolling-out'],
      ['GET', '/api/users/:id', 'users', '100%', 'at-100'],
      ['GET', '/reports/daily', 'reports', '0%', 'legacy-only'],
      ['GET', '/about', '-', '-', 'legacy-only'],
    ]);
    const byPath = new Map(rows.map((row) => [`${row[0]} ${row[1]}`, row]));
    expect(byPath.get('GET /api/orders/:id')?.[7]).toBe('still at 50%');
    expect(byPath.get('GET /reports/daily')?.[7]).toBe('route reports is at 0%');
    expect(byPath.get('GET /about')?.[7]).toBe('no route covers it');
    // The users route served both requests to its endpoint.
    expect(byPath.get('GET /api/users/:id')?.[5]).toBe('2');
    for (const row of rows) expect(row).toHaveLength(HEADERS.length);
  });

  it('then sums up: the strangled share, each area by state, the new routes', async () => {
    const { stdout } = await figway('map');
    expect(stdout).toMatch(/\nstrangled: (\d+(\.\d)?% of the routes' requests \(map\.countLegacy is off: endpoints no route covers are not counted\) in the last 1d \(this replica\)|no requests counted in the last 1d)\n/);
    expect(stdout.split('\n').find((line) => line.startsWith('AREA'))?.split(/ {2,}/)).toEqual(['AREA', 'STRANGLED', 'LEGACY-ONLY', 'ROLLING-OUT', 'AT-100', 'READY-TO-RETIRE']);
    // Per area: its strangled share, then its endpoints per state; * is the whole monolith.
    const areas = tableRows(stdout, 'AREA');
    expect(areas.map((row) => [row[0], ...row.slice(2)])).toEqual([
      ['*', '2', '2', '1', '0'],
      ['about', '1', '0', '0', '0'],
      ['api', '0', '2', '1', '0'],
      ['reports', '1', '0', '0', '0'],
    ]);
    // Only the users route served its requests from the service; reports' one request was legacy's.
    expect(areas.find((row) => row[0] === 'api')?.[1]).toBe('100%');
    expect(areas.find((row) => row[0] === 'reports')?.[1]).toBe('0%');
    expect(areas.find((row) => row[0] === 'about')?.[1]).toBe('-');
    expect(stdout).toContain('\nnew routes (covering no monolith endpoint):\n  checkout  /api/checkout  100%  service ');
    expect(stdout).not.toContain('hidden from the map');
    expect(stdout).not.toContain('note:');
  });

  it('--json prints the answer as the API gives it, in the shape its schema documents', async () => {
    const result = await figway('--json', 'map');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const answer = JSON.parse(result.stdout) as MapAnswer;
    expect(validMap(answer), ajv.errorsText(validMap.errors)).toBe(true);
    expect(answer).toMatchObject({ monolith: 'express', history: 'ok', countLegacy: false, hidden: [] });
    expect(answer.endpoints.map((endpoint) => [endpoint.method, endpoint.path, endpoint.state])).toEqual([
      ['GET', '/api/orders/:id', 'rolling-out'],
      ['POST', '/api/orders', 'rolling-out'],
      ['GET', '/api/users/:id', 'at-100'],
      ['GET', '/reports/daily', 'legacy-only'],
      ['GET', '/about', 'legacy-only'],
    ]);
    expect(answer.newRoutes.map((route) => route.route)).toEqual(['checkout']);
    expect(answer.areas[0]).toMatchObject({ area: '*', endpoints: expect.objectContaining({ 'legacy-only': 2, 'rolling-out': 2, 'at-100': 1 }) });
  });

  it('--state shows only the endpoints in that state, the summary still the whole map', async () => {
    const rolling = await figway('map', '--state', 'rolling-out');
    expect(rolling).toMatchObject({ code: 0, stderr: '' });
    expect(tableRows(rolling.stdout, 'METHOD').map((row) => `${row[0]} ${row[1]}`)).toEqual(['GET /api/orders/:id', 'POST /api/orders']);
    expect(rolling.stdout).toContain('\nnew routes (covering no monolith endpoint):\n');
    const legacyOnly = await figway('map', '--state', 'legacy-only');
    expect(tableRows(legacyOnly.stdout, 'METHOD').map((row) => row[1])).toEqual(['/reports/daily', '/about']);
    const none = await figway('map', '--state', 'ready-to-retire');
    expect(none).toMatchObject({ code: 0, stderr: '' });
    expect(none.stdout.split('\n')[0]).toBe('no endpoint is ready-to-retire (of 5)');
    const json = JSON.parse((await figway('--json', 'map', '--state', 'at-100')).stdout) as MapAnswer;
    expect(validMap(json), ajv.errorsText(validMap.errors)).toBe(true);
    expect(json.endpoints.map((endpoint) => endpoint.path)).toEqual(['/api/users/:id']);
    expect(json.areas[0]?.endpoints['legacy-only']).toBe(2);
  });

  it('refuses an unknown --state with the usage exit code, before calling anything', async () => {
    expect(await runCli(['--admin', nowhere, 'map', '--state', 'done'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: --state must be one of legacy-only, rolling-out, at-100, ready-to-retire, got "done"\n',
    });
    const json = await runCli(['--admin', nowhere, '--json', 'map', '--state', 'done']);
    expect(json).toMatchObject({ code: 2, stderr: '' });
    expect(JSON.parse(json.stdout)).toEqual({ error: { message: '--state must be one of legacy-only, rolling-out, at-100, ready-to-retire, got "done"', exitCode: 2 } });
    expect(await runCli(['--admin', nowhere, 'map', '--state'])).toMatchObject({ code: 2, stdout: '' });
  });

  it('needs only the read role', async () => {
    const result = await runCli(['map'], { ...env, FIGWAY_ADMIN_TOKEN: READ_TOKEN });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(tableRows(result.stdout, 'METHOD')).toHaveLength(5);
  });

  it('fails as the other admin commands do: unreachable, wrong token, not the admin API', async () => {
    const same = async (argv: string[], environment: NodeJS.ProcessEnv = {}) => {
      const map = await runCli([...argv, 'map'], environment);
      expect(map).toEqual(await runCli([...argv, 'status'], environment));
      return map;
    };
    expect(await same(['--admin', nowhere])).toEqual({
      code: 3,
      stdout: '',
      stderr: `error: cannot reach the figway admin API at ${nowhere} (ECONNREFUSED): is the app running, and is --admin (FIGWAY_ADMIN_URL) right?\n`,
    });
    expect(JSON.parse((await same(['--json', '--admin', nowhere])).stdout)).toMatchObject({ error: { exitCode: 3 } });
    expect(await same([], { ...env, FIGWAY_ADMIN_TOKEN: 'not-the-token-0123456789' })).toEqual({
      code: 4,
      stdout: '',
      stderr: 'error: the admin API refused the token: pass --token or set FIGWAY_ADMIN_TOKEN\n',
    });
    expect((await same([], { ...env, FIGWAY_ADMIN_URL: app.url })).code).toBe(3);
  });

  it('has help like the other commands', async () => {
    const help = await runCli(['map', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: figway map \[options\]/);
    expect(help.stdout).toContain('--state <state>');
    expect(help.stdout).toContain('Exit codes:\n  0  success');
    expect((await runCli(['--help'])).stdout).toMatch(/\n {2}map \[options\] +show the migration map/);
  });
});

describe('figway map, the lines after the table', () => {
  let api: Listening;
  /** A map an admin API could give: an endpoint with several reasons, a hidden mount, no Express app known, no history. */
  const answer: MapAnswer = {
    at: '2025-01-02T03:04:05.000Z',
    windowSeconds: 6 * 3600,
    retireAfterSeconds: 14 * 86_400,
    countLegacy: true,
    monolith: 'unknown',
    endpoints: [
      {
        method: 'GET',
        path: '/api/orders/:id',
        area: 'api',
        route: 'orders',
        percent: 100,
        state: 'at-100',
        why: ['legacy served 3 requests today via fallback', 'at 100% with no legacy request for 2 hours of 14 days', "the state store's history is unavailable"],
        served: { service: 40, legacy: 3 },
      },
    ],
    hidden: [{ path: '/admin', reason: 'a sub-app whose router cannot be read' }],
    newRoutes: [],
    areas: [
      { area: '*', endpoints: { 'at-100': 1 }, strangled: 0.9302 },
      { area: 'api', endpoints: { 'at-100': 1 }, strangled: 0.9302 },
    ],
    history: 'unavailable',
  };

  beforeAll(async () => {
    expect(validMap(answer), ajv.errorsText(validMap.errors)).toBe(true);
    api = await listen((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.url === '/map' ? answer : { error: { code: 'FIGWAY_ADMIN_NOT_FOUND', message: 'no such endpoint', status: 404 } }));
    });
  });
  afterAll(() => api.close());

  it('shows the first reason and how many more, the shares, hidden mounts and what the map could not know', async () => {
    const result = await runCli(['--admin', api.url, 'map']);
    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'METHOD  PATH             ROUTE   PERCENT  STATE   SERVICE  LEGACY  WHY',
        'GET     /api/orders/:id  orders  100%     at-100  40       3       legacy served 3 requests today via fallback (+2 more)',
        '',
        'strangled: 93% of all requests in the last 6h (this replica)',
        '',
        'AREA  STRANGLED  LEGACY-ONLY  ROLLING-OUT  AT-100  READY-TO-RETIRE',
        '*     93%        0            0            1       0',
        'api   93%        0            0            1       0',
        '',
        'hidden from the map (their routes cannot be read):',
        '  /admin: a sub-app whose router cannot be read',
        '',
        "note: figway is not mounted on an Express app (yet), so the monolith's endpoints are unknown: only its routes are listed",
        "note: the state store's history could not be read, so no endpoint is said ready to retire",
        '',
      ].join('\n'),
    });
    expect(JSON.parse((await runCli(['--admin', api.url, '--json', 'map'])).stdout)).toEqual(answer);
  });
});
