// figway validate: ok with the route count, or every problem with file:line:column on stderr.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('figway validate', () => {
  it('says ok with the number of routes and exits 0', async () => {
    const file = fixture('good.yaml');
    expect(await runCli(['validate', file])).toEqual({ code: 0, stdout: `ok: ${file}, 3 routes\n`, stderr: '' });
  });

  it('lists every problem with line:column and config path on stderr, in file order, and exits 1', async () => {
    const file = fixture('bad.yaml');
    expect(await runCli(['validate', file])).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        `${file}:7:25  routes[0].rollout.percent  must be <= 100`,
        `${file}:9:20  routes[1].match.path  must start with "/"`,
        `${file}:11:16  routes[1].rewrite.stripPrefx  unknown field (did you mean "stripPrefix"?)`,
        '',
      ].join('\n'),
    });
  });

  it('reports cross-field problems once the schema holds', async () => {
    const file = fixture('bad-rules.yaml');
    const result = await runCli(['validate', file]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')).toEqual([
      `${file}:4:59  routes[0].upstream  unknown upstream "ordrs" (known: orders; or give a URL)`,
      `${file}:6:9  routes[1].id  duplicate route id "orders" (first used by routes[0])`,
      '',
    ]);
  });

  it('names a YAML syntax error by line and column', async () => {
    const file = fixture('syntax-error.yaml');
    const result = await runCli(['validate', file]);
    expect(result.code).toBe(1);
    expect(result.stderr.startsWith(`${file}:4:5  (root)  YAML syntax: `)).toBe(true);
  });

  it('exits 1 with the reason when the file cannot be read', async () => {
    const result = await runCli(['validate', 'no-such-figway.yaml']);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: "error: cannot read figway config no-such-figway.yaml: ENOENT: no such file or directory, open 'no-such-figway.yaml'\n",
    });
  });

  it('checks a config without its secrets with --allow-missing-env, listing every value it did not check', async () => {
    const file = fileURLToPath(new URL('../../example-app/figway.yaml', import.meta.url));
    expect((await runCli(['validate', file], {})).code).toBe(1);
    const result = await runCli(['validate', '--allow-missing-env', file], {});
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe(`ok: ${file}, 4 routes (not set, so not checked: FIGWAY_ADMIN_TOKEN, FIGWAY_IDENTITY_KEY)`);
    expect(lines.slice(0, -1)).toEqual([
      expect.stringMatching(/^not checked: .*figway\.yaml:\d+:\d+ {2}admin\.token {2}environment variable FIGWAY_ADMIN_TOKEN is not set/),
      expect.stringMatching(/^not checked: .*figway\.yaml:\d+:\d+ {2}auth\.token\.privateKey {2}environment variable FIGWAY_IDENTITY_KEY is not set/),
    ]);
  });

  it('still reports every other problem with --allow-missing-env, and says so in --json', async () => {
    const file = fixture('needs-env-and-bad.yaml');
    const result = await runCli(['validate', '--allow-missing-env', file], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`${file}:8:25  routes[0].rollout.percent  must be <= 100\n`);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual([
      expect.stringContaining(`not checked: ${file}:2:18  upstreams.orders.url  environment variable ORDERS_URL is not set`),
      expect.stringContaining(`not checked: ${file}:7:27  routes[0].timeouts.response  environment variable ORDERS_TIMEOUT is not set`),
    ]);
    const json = await runCli(['--json', 'validate', '--allow-missing-env', file], {});
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, missingEnv: ['ORDERS_URL', 'ORDERS_TIMEOUT'], problems: [{ path: 'routes[0].rollout.percent' }], unchecked: [{ path: 'upstreams.orders.url' }, { path: 'routes[0].timeouts.response' }] });
  });

  it('takes ${VAR}s from its environment', async () => {
    const file = fixture('needs-env.yaml');
    expect((await runCli(['validate', file], {})).stderr).toContain('environment variable ORDERS_URL is not set');
    expect(await runCli(['validate', file], { ORDERS_URL: 'http://127.0.0.1:4001' })).toMatchObject({ code: 0, stdout: `ok: ${file}, 1 route\n` });
  });

  it('prints the result as JSON with --json, and nothing else on stdout', async () => {
    const good = fixture('good.yaml');
    const ok = await runCli(['--json', 'validate', good]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ ok: true, file: good, routes: 3 });
    const bad = fixture('bad.yaml');
    const failed = await runCli(['validate', bad, '--json']);
    expect(failed).toMatchObject({ code: 1, stderr: '' });
    const result = JSON.parse(failed.stdout) as { ok: boolean; problems: unknown[] };
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toEqual({ file: bad, line: 7, column: 25, path: 'routes[0].rollout.percent', message: 'must be <= 100' });
    expect(result.problems).toHaveLength(3);
  });

  it('is a usage error (exit 2) without a file', async () => {
    const result = await runCli(['validate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: missing required argument 'file'");
  });

  describe('with --plugins', () => {
    const file = fixture('plugin-keys.yaml');

    it("checks the config keys the module's plugins declare as figway's own", async () => {
      expect(await runCli(['validate', file, '--plugins', fixture('figway-plugins.mjs')])).toEqual({ code: 0, stdout: `ok: ${file}, 1 route\n`, stderr: '' });
      const bad = await runCli(['validate', fixture('bad-plugin-keys.yaml'), '--plugins', fixture('figway-plugins.mjs')]);
      expect(bad).toMatchObject({ code: 1, stderr: `${fixture('bad-plugin-keys.yaml')}:2:11  tenants.header  must be a string\n` });
    });

    it('finds the keys unknown without the plugins', async () => {
      const result = await runCli(['validate', file]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`${file}:1:1  tenants  unknown field`);
      expect(result.stderr).toContain(`${file}:7:5  routes[0].tenant  unknown field`);
    });

    it('refuses a malformed plugin as figway() would (exit 1)', async () => {
      const result = await runCli(['validate', file, '--plugins', fixture('bad-schema-plugins.mjs')]);
      expect(result).toMatchObject({ code: 1, stdout: '' });
      expect(result.stderr).toContain('plugin "broken" configKeys.broken is not a JSON Schema figway can use');
    });

    it("lists a file's routes with the plugins' keys too", async () => {
      const listed = await runCli(['routes', file, '--plugins', fixture('figway-plugins.mjs'), '--json']);
      expect(listed).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(listed.stdout)).toMatchObject([{ id: 'reports', tenant: { only: ['acme'] } }]);
      expect((await runCli(['routes', file])).code).toBe(1);
    });

    it('refuses a module without a list of plugins as its default export (exit 1)', async () => {
      const result = await runCli(['validate', file, '--plugins', fixture('not-plugins.mjs')]);
      expect(result).toMatchObject({ code: 1, stdout: '' });
      expect(result.stderr).toContain('must export the list of plugins as its default export');
    });
  });
});
