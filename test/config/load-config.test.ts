// Loading figway.yaml: the example as written, ${ENV} interpolation, and every problem with file:line:column.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { FigwayConfigError, FigwayError } from '../../src/errors.js';
import type { RouteConfig } from '../../src/config/schema.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(FigwayConfigError);
    return (err as FigwayConfigError).problems.map((p) => `${p.line}:${p.column} ${p.path} ${p.message}`);
  }
  throw new Error('expected a FigwayConfigError');
}

describe('loadConfig', () => {
  it('loads the example from the issue exactly as written', () => {
    const { config } = loadConfig(fixture('issue-example.yaml'), {});
    expect(config.routes.map((r) => r.id)).toEqual(['orders', 'users']);
    expect(config.routes[0]?.rollout).toEqual({ percent: 25, sticky: ['header:x-user-id', 'ip'] });
    expect(config.routes[1]?.rewrite).toEqual({ stripPrefix: '/api' });
  });

  it('reports every schema problem with line, column and config path', () => {
    expect(problemsOf(() => loadConfig(fixture('schema-errors.yaml'), {}))).toEqual([
      '2:18 upstreams.orders.url must be an http:// or https:// URL without query or fragment',
      '5:20 routes[0].match.path must start with "/"',
      '7:25 routes[0].rollout.percent must be <= 100',
      '7:57 routes[0].rollout.sticky[1] must be user, ip, header:<name> or cookie:<name>',
      '11:16 routes[1].rewrite.stripPrefx unknown field (did you mean "stripPrefix"?)',
      '12:5 routes[2].match is required',
      '14:26 routes[2].timeouts.connect must be milliseconds or a duration such as "2s"',
    ]);
  });

  it('reports every cross-field problem with line, column and config path', () => {
    expect(problemsOf(() => loadConfig(fixture('rule-errors.yaml'), {}))).toEqual([
      '3:20 cohorts.office.cidr[0] "10.0.0.0/33" has a prefix length outside 0..32',
      '7:15 routes[0].upstream unknown upstream "ordrs" (no upstreams are defined; or give a URL)',
      '8:9 routes[1].id duplicate route id "orders" (first used by routes[0])',
      '9:20 routes[1].match.path parameter ":id" appears twice',
      '11:40 routes[1].rollout.cohorts.staf unknown cohort "staf" (known: staff, office)',
      '13:12 routes[2].match can never match: routes[0] ("orders") takes the same requests',
      '15:29 routes[2].rewrite.stripPrefix "/v1" is not a prefix of match.path "/API/orders/", so it would never apply',
    ]);
  });

  it('lists every problem of the named admin tokens, where it is', () => {
    expect(problemsOf(() => loadConfig(fixture('admin-token-errors.yaml'), {}))).toEqual([
      '9:15 admin.tokens[4].name must be 1 to 60 letters, digits and . _ @ - (starting with a letter or digit)',
      '9:67 admin.tokens[4].role must be one of "read", "operate", "admin"',
    ]);
    // The checks across fields run once the schema is met.
    const fixed = path.join(mkdtempSync(path.join(tmpdir(), 'figway-config-')), 'figway.yaml');
    writeFileSync(fixed, readFileSync(fixture('admin-token-errors.yaml'), 'utf8').replace(/\n.*bad name.*\n/, '\n'));
    expect(problemsOf(() => loadConfig(fixed, {}))).toEqual([
      '5:15 admin.tokens[0].name "admin" is already the name of admin.token: the audit log could not tell them apart',
      '6:7 admin.tokens[1] needs one of token and tokenFile',
      '7:7 admin.tokens[2] needs one of token and tokenFile',
      '7:27 admin.tokens[2].token is the same token as admin.token: each holder needs their own',
      '8:15 admin.tokens[3].name "grafana" is already the name of admin.tokens[1]: the audit log could not tell them apart',
    ]);
  });

  it('names the file and line of a YAML syntax error, without a stack trace', () => {
    const file = fixture('syntax-error.yaml');
    let error: FigwayConfigError | undefined;
    try {
      loadConfig(file, {});
    } catch (err) {
      error = err as FigwayConfigError;
    }
    expect(error?.problems).toHaveLength(1);
    expect(error?.problems[0]).toMatchObject({ file, line: 4, column: 5 });
    expect(error?.message).toContain(`${file}:4:5`);
    expect(error?.stack).not.toMatch(/\n\s+at /);
  });

  it('interpolates ${VAR} and ${VAR:-default}; a whole unquoted reference keeps its type', () => {
    const env = { ORDERS_PERCENT: '12.5', USERS_SEGMENT: ':id', USERS_URL: 'http://127.0.0.1:4002', MISSING_TOO: 'x' };
    const { config } = loadConfig(fixture('env.yaml'), env);
    expect(config.upstreams?.orders?.url).toBe('http://127.0.0.1:4001');
    expect(config.routes[0]?.rollout?.percent).toBe(12.5);
    expect(config.routes[1]).toMatchObject({ match: { path: '/api/users/:id' }, upstream: 'http://127.0.0.1:4002', description: 'costs $5 and x' });
  });

  it('lists every unset variable without a default', () => {
    expect(problemsOf(() => loadConfig(fixture('env.yaml'), { ORDERS_PERCENT: '5' }))).toEqual([
      '10:20 routes[1].match.path environment variable USERS_SEGMENT is not set (use ${USERS_SEGMENT:-default} for a default)',
      '11:15 routes[1].upstream environment variable USERS_URL is not set (use ${USERS_URL:-default} for a default)',
      '12:18 routes[1].description environment variable MISSING_TOO is not set (use ${MISSING_TOO:-default} for a default)',
    ]);
  });

  it('validates a config object the same way, naming the path', () => {
    const problems = problemsOf(() => loadConfig({ routes: [{ id: 'x', match: { path: '/x' }, upstream: 'nowhere' }] } as never));
    expect(problems).toEqual(['undefined:undefined routes[0].upstream unknown upstream "nowhere" (no upstreams are defined; or give a URL)']);
  });

  it('refuses timeouts of 0 (except idle, where 0 means off) and beyond what timers can hold', () => {
    const route = { id: 'x', match: { path: '/x' }, upstream: 'http://127.0.0.1:1' };
    expect(problemsOf(() => loadConfig({ defaults: { timeouts: { connect: 0, response: '3000000s', idle: 0 } }, routes: [route] }))).toEqual([
      'undefined:undefined defaults.timeouts.connect must be more than 0 (only idle may be 0, meaning off)',
      'undefined:undefined defaults.timeouts.response must be at most 24 days',
    ]);
  });

  it('refuses rate-limit windows of 0 and beyond what timers can hold, wherever they are', () => {
    const route = (id: string, limits: RouteConfig['limits']) => ({ id, match: { path: `/${id}` }, upstream: 'http://127.0.0.1:1', limits });
    const config = { limits: { global: { limit: 1, window: 0 } }, routes: [route('a', { limit: 1, window: '600h' }), route('b', [{ limit: 1, window: '1s' }, { limit: 1, window: '0ms' }])] };
    expect(problemsOf(() => loadConfig(config))).toEqual([
      'undefined:undefined limits.global.window must be at least 1ms',
      'undefined:undefined routes[0].limits.window must be at most 24 days',
      'undefined:undefined routes[1].limits[1].window must be at least 1ms',
    ]);
  });

  it('says which file it could not read', () => {
    expect(() => loadConfig(fixture('missing.yaml'))).toThrow(FigwayError);
    expect(() => loadConfig(fixture('missing.yaml'))).toThrow(/cannot read figway config .*missing\.yaml/);
  });
});
