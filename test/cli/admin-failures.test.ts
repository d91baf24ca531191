// Failures a person must be able to act on: each has its exit code and a message that says what to do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ADMIN_URL } from '../../src/cli/admin-options.js';
import { startBlackhole, type Blackhole } from '../helpers/blackhole.js';
import { listen, type Listening } from '../helpers/listen.js';
import { runCli } from './run-cli.js';

/**
 * Addresses nothing listens on. Not a server started and closed: the OS hands a freed port to the
 * next listener, which in CI was this file's own failing server. Not port 1 either: fetch refuses
 * it as a "bad port" before connecting.
 */
const nowhere = 'http://127.0.0.1:3';
const elsewhere = 'http://127.0.0.1:4';

describe('figway admin commands when things go wrong', () => {
  let failing: Listening;

  beforeAll(async () => {
    failing = await listen((_req, res) => {
      res.statusCode = 503;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ error: { code: 'FIGWAY_STATE_UNAVAILABLE', message: 'the state store (redis://redis:6379) did not answer: timeout', status: 503 } }));
    });
  });
  afterAll(async () => {
    await failing.close();
  });

  it('exits 3 with what to check when nothing listens at the admin URL', async () => {
    const result = await runCli(['--admin', nowhere, 'status']);
    expect(result).toEqual({
      code: 3,
      stdout: '',
      stderr: `error: cannot reach the figway admin API at ${nowhere} (ECONNREFUSED): is the app running, and is --admin (FIGWAY_ADMIN_URL) right?\n`,
    });
  });

  it('uses FIGWAY_ADMIN_URL, and --admin over it', async () => {
    expect((await runCli(['kill-switch'], { FIGWAY_ADMIN_URL: nowhere })).stderr).toContain(`at ${nowhere} (`);
    expect((await runCli(['--admin', `${nowhere}/`, 'kill-switch'], { FIGWAY_ADMIN_URL: elsewhere })).stderr).toContain(`at ${nowhere} (`);
    // Not called here: the example app's admin API may be listening on the default port.
    expect(DEFAULT_ADMIN_URL).toBe('http://127.0.0.1:9901');
  });

  describe('with an admin API that never answers', () => {
    let blackhole: Blackhole;
    beforeAll(async () => {
      blackhole = await startBlackhole();
    });
    afterAll(() => blackhole.close());

    it('gives up after the timeout and exits 3', async () => {
      const url = `http://127.0.0.1:${blackhole.port}`;
      const result = await runCli(['--admin', url, 'kill-switch'], {}, 300);
      expect(result).toEqual({
        code: 3,
        stdout: '',
        stderr: `error: the figway admin API at ${url} did not answer within 0.3 s: is the app responsive, and is --admin (FIGWAY_ADMIN_URL) its admin port?\n`,
      });
    });
  });

  it('exits 3 with the code and message of a 5xx', async () => {
    const result = await runCli(['--admin', failing.url, 'rollback', 'orders']);
    expect(result).toEqual({
      code: 3,
      stdout: '',
      stderr: `error: the figway admin API at ${failing.url} failed (503 FIGWAY_STATE_UNAVAILABLE): the state store (redis://redis:6379) did not answer: timeout\n`,
    });
  });

  it('exits 2 on a bad percent before calling anything', async () => {
    for (const percent of ['101', '12.345', 'abc', '5e1']) {
      const result = await runCli(['--admin', nowhere, 'rollout', 'orders', percent]);
      expect(result).toEqual({
        code: 2,
        stdout: '',
        stderr: `error: percent must be a number from 0 to 100 with at most two decimals (e.g. 25 or 12.5), got "${percent}"\n`,
      });
    }
    expect((await runCli(['rollout', 'orders', '-5'])).code).toBe(2);
  });

  it('exits 2 on other bad arguments, with commander errors too', async () => {
    const cases: [string[], string][] = [
      [['audit', '--limit', '0'], 'error: --limit must be a whole number from 1 to 1000, got "0"\n'],
      [['--admin', 'localhost:9901', 'status'], 'error: --admin (FIGWAY_ADMIN_URL) must be an http:// or https:// URL such as http://127.0.0.1:9901, got "localhost:9901"\n'],
      [['explain', 'GET', 'api/orders'], 'error: path must start with "/", e.g. /api/orders/7, got "api/orders"\n'],
      [['explain', 'GET', '/api/orders', '--header', 'x-user-id=alice'], 'error: --header must be written name:value, got "x-user-id=alice"\n'],
      [['explain', 'GET', '/api/orders', '--cookie', 'sid'], 'error: --cookie must be written name=value, got "sid"\n'],
      [['explain', 'GET /x', '/api/orders'], 'error: method must be an HTTP method such as GET, got "GET /x"\n'],
      [['rollout', 'orders'], "error: missing required argument 'percent'\n(add --help for usage)\n"],
      [['kill-switch', 'maybe'], "error: command-argument value 'maybe' is invalid for argument 'on|off'. Allowed choices are on, off.\n(add --help for usage)\n"],
      [['rolout', 'orders', '5'], "error: unknown command 'rolout'\n(Did you mean rollout?)\n(add --help for usage)\n"],
      [['status', '--verbose'], "error: unknown option '--verbose'\n(add --help for usage)\n"],
    ];
    for (const [argv, stderr] of cases) {
      expect(await runCli(['--admin', nowhere, ...argv]), argv.join(' ')).toEqual({ code: 2, stdout: '', stderr });
    }
  });

  it('documents the exit codes in --help, on every command, and exits 0', async () => {
    for (const argv of [['--help'], ['rollout', '--help'], ['help', 'audit']]) {
      const result = await runCli(argv);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Exit codes:\n  0  success\n  1  the config is invalid, or the admin API refused the request');
      expect(result.stdout).toContain('  4  not authorized: the admin API refused the token (401/403)');
    }
    const help = (await runCli(['explain', '--help'])).stdout;
    expect(help).toContain('--header <name:value>  a request header (repeatable)\n');
    expect(help).toContain('Global Options:');
  });

  it('shows the help on stderr and exits 2 without a command', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: figway [options] [command]');
  });
});
