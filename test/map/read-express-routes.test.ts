// Reading a real Express 4 or 5 app's endpoints: routes, routers, sub-apps, and the Route object a request reaches.
import type { RequestHandler } from 'express';
import { describe, expect, it } from 'vitest';
import { readExpressRoutes, watchSubApps } from '../../src/map/read-express-routes.js';
import { EXPRESS_VERSIONS } from '../helpers/express-versions.js';
import { listen } from '../helpers/listen.js';

const ok: RequestHandler = (_req, res) => {
  res.end('ok');
};
const pass: RequestHandler = (_req, _res, next) => next();

/** 'METHOD path' for each endpoint, in order. */
const printed = (app: object) => readExpressRoutes(app).endpoints.map(({ method, path }) => `${method} ${path}`);

describe.each(EXPRESS_VERSIONS)('readExpressRoutes on %s', (label, express) => {
  const v5 = label === 'express 5';

  it('lists routes, app.all and app.route chains in stack order, leaving plain middleware out', () => {
    const app = express();
    app.use(pass);
    app.get('/a', ok);
    app.post('/a', ok);
    app.all('/any', ok);
    app.route('/x').get(ok).post(ok).delete(ok);
    app.route('/y').all(pass).get(ok);
    app.get('/a', ok);
    expect(printed(app)).toEqual(['GET /a', 'POST /a', 'ALL /any', 'GET /x', 'POST /x', 'DELETE /x', 'ALL /y', 'GET /y', 'GET /a']);
    expect(readExpressRoutes(app).hidden).toEqual([]);
  });

  it("keeps params, wildcards and optional parts in the version's own syntax, in route and mount paths", () => {
    const paths = v5
      ? ['/users/:id', '/files/*path', '/docs{/:page}', '/f/:name.:ext', '/CaseKept']
      : ['/users/:id', '/files/*', '/docs/:page?', '/f/:name.:ext', '/u/:id(\\d+)', '/user-:id', '/u/:id*', '/CaseKept'];
    const app = express();
    for (const path of paths) app.get(path, ok);
    for (const path of paths) app.use(path, express.Router().get('/leaf', ok));
    expect(printed(app)).toEqual([...paths.map((p) => `GET ${p}`), ...paths.map((p) => `GET ${p}/leaf`)]);
    expect(readExpressRoutes(app).hidden).toEqual([]);
  });

  it('gives one endpoint per path of an array, in routes and in mount paths', () => {
    const app = express();
    app.get(['/a', '/b'], ok);
    app.use(['/v1', '/v2/:tenant'], express.Router().get('/x', ok));
    expect(printed(app)).toEqual(['GET /a', 'GET /b', 'GET /v1/x', 'GET /v2/:tenant/x']);
  });

  it('walks routers nested three deep, with params in their mount paths and one at /', () => {
    const tasks = express.Router().get('/', ok).get('/:task', ok);
    const projects = express.Router().get('/', ok);
    projects.use('/:project/tasks', tasks);
    const api = express.Router();
    api.use('/orgs/:org/projects', projects);
    const app = express();
    app.use('/api', api);
    app.use('/', express.Router().get('/health', ok));
    app.use(express.Router().get('/ready', ok));
    expect(printed(app)).toEqual([
      'GET /api/orgs/:org/projects',
      'GET /api/orgs/:org/projects/:project/tasks',
      'GET /api/orgs/:org/projects/:project/tasks/:task',
      'GET /health',
      'GET /ready',
    ]);
  });

  it('prints a RegExp path as its literal, marked so no request path is made from it', () => {
    const app = express();
    app.get(/^\/v\d+$/, ok);
    expect(readExpressRoutes(app).endpoints).toEqual([{ method: 'GET', path: '/^\\/v\\d+$/', route: expect.any(Object), regexp: true }]);
  });

  it(v5 ? 'reads a RegExp mount path' : 'reports a RegExp mount path hidden: Express 4 keeps only a regexp it cannot tell from a compiled path', () => {
    const app = express();
    app.use(/^\/v\d+/, express.Router().get('/x', ok));
    const { endpoints, hidden } = readExpressRoutes(app);
    if (v5) {
      expect(endpoints.map(({ path, regexp }) => ({ path, regexp }))).toEqual([{ path: '/^\\/v\\d+//x', regexp: true }]);
      expect(hidden).toEqual([]);
    } else {
      expect(endpoints).toEqual([]);
      expect(hidden).toEqual([{ path: '/^\\/v\\d+/', reason: expect.stringContaining('compiled') }]);
    }
  });

  it('reads sub-apps mounted after watchSubApps, and their sub-apps, and reports one mounted before as hidden', () => {
    const app = express();
    const legacy = express().get('/old', ok);
    app.use('/legacy', legacy);
    watchSubApps(app);
    watchSubApps(app);
    const admin = express().get('/stats', ok);
    app.use('/admin', pass, admin);
    const deep = express();
    admin.use('/deep', deep);
    deep.get('/x', ok);
    app.use('/also', admin);
    app.get('/after', ok);
    expect(printed(app)).toEqual(['GET /admin/stats', 'GET /admin/deep/x', 'GET /also/stats', 'GET /also/deep/x', 'GET /after']);
    expect(readExpressRoutes(app).hidden).toEqual([{ path: '/legacy', reason: 'a sub-app mounted before figway: its routes are not visible' }]);
  });

  it('reads a sub-app mounted on a Router without watching: the layer holds the app', () => {
    const reports = express().get('/daily', ok);
    const app = express();
    app.use('/api', express.Router().use('/reports', reports));
    expect(printed(app)).toEqual(['GET /api/reports/daily']);
  });

  it('shows routes added after a read on the next read', () => {
    const app = express();
    const router = express.Router();
    app.use('/r', router);
    expect(printed(app)).toEqual([]);
    router.get('/', ok);
    app.get('/later', ok);
    expect(printed(app)).toEqual(['GET /r', 'GET /later']);
  });

  it('gives the Route object Express sets as req.route when it dispatches a request', async () => {
    let seen: unknown;
    const app = express();
    app.use('/api/:tenant', express.Router().get('/users/:id', (req, res) => {
      seen = req.route;
      res.end('ok');
    }));
    const server = await listen(app);
    try {
      expect((await fetch(`${server.url}/api/acme/users/7`)).status).toBe(200);
    } finally {
      await server.close();
    }
    const [endpoint] = readExpressRoutes(app).endpoints;
    expect(endpoint?.path).toBe('/api/:tenant/users/:id');
    expect(seen).toBeDefined();
    expect(endpoint?.route).toBe(seen);
  });
});
