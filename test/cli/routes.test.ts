// figway routes: a config file's route table, for people and (with --json) for scripts.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('figway routes', () => {
  it('shows match, upstream, rollout and rewrite as a table', async () => {
    const result = await runCli(['routes', fixture('good.yaml')], { REPORTS_URL: 'http://reports.internal:8080' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'ID       MATCH                                UPSTREAM                        ROLLOUT                                               REWRITE',
        'orders   /api/orders GET,POST                 orders (http://127.0.0.1:4001)  25% sticky header:x-user-id,ip cohorts staff→service  -',
        'users    /api/users/:id host=api.example.com  http://127.0.0.1:4002           100%                                                  strip /api add /v2',
        'reports  /reports (exact)                     http://reports.internal:8080    0%                                                    -',
        '',
      ].join('\n'),
    );
  });

  it('shows the default sticky keys and a non-default unkeyed policy when the route does not set them', async () => {
    const result = await runCli(['routes', fixture('defaults.yaml')]);
    expect(result.stdout.split('\n')[1]).toBe('carts  /api/carts  http://127.0.0.1:4001  5% sticky cookie:sid unkeyed random  -');
  });

  it('prints the routes as JSON with --json', async () => {
    const result = await runCli(['routes', fixture('good.yaml'), '--json']);
    expect(result.code).toBe(0);
    const routes = JSON.parse(result.stdout) as { id: string; rollout?: unknown; upstream: string }[];
    expect(routes.map((route) => route.id)).toEqual(['orders', 'users', 'reports']);
    expect(routes[0]?.rollout).toEqual({ percent: 25, sticky: ['header:x-user-id', 'ip'], cohorts: { staff: 'service' } });
    expect(routes[2]?.upstream).toBe('http://127.0.0.1:4003');
  });

  it('lists the problems of an invalid file instead, and exits 1', async () => {
    const file = fixture('bad.yaml');
    const result = await runCli(['routes', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toBe(`${file}:7:25  routes[0].rollout.percent  must be <= 100`);
  });
});
