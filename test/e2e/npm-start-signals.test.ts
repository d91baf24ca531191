// `npm start` stops on SIGTERM or SIGINT sent to npm, and leaves nothing it started running.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { descendantsOf, isRunning, killRunning, type ProcessEntry } from '../helpers/process-tree.js';
import { request } from '../helpers/request.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const stateDir = mkdtempSync(path.join(tmpdir(), 'figway-npm-start-'));

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

interface Started {
  readonly npm: ChildProcess;
  readonly exited: Promise<Exit>;
  output: string;
  /** What npm had started while the example ran, taken before it is signalled. */
  tree: ProcessEntry[];
}

const started: Started[] = [];

afterAll(() => {
  for (const run of started) {
    const stillStarted = run.npm.exitCode === null && run.npm.signalCode === null ? descendantsOf(run.npm.pid as number) : [];
    run.npm.kill('SIGKILL');
    killRunning([...run.tree, ...stillStarted]);
  }
  rmSync(stateDir, { recursive: true, force: true });
});

function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function startExample(): Started {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    ORDERS_PORT: '0',
    USERS_PORT: '0',
    CART_PORT: '0',
    CATALOG_PORT: '0',
    ADMIN_PORT: '0',
    FIGWAY_ADMIN_TOKEN: 'npm-start-signals-token',
    FIGWAY_STATE_FILE: path.join(stateDir, `state-${started.length}.json`),
  };
  delete env.ORDERS_URL;
  // --ignore-scripts skips only prestart's build (npm test has built dist already); start itself runs.
  // Detached, npm leads its own process group, which the Ctrl-C case signals the way a terminal does.
  const npm = spawn('npm', ['start', '--ignore-scripts'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<Exit>((resolve) => npm.once('exit', (code, signal) => resolve({ code, signal })));
  const run: Started = { npm, exited, output: '', tree: [] };
  npm.stdout?.on('data', (data: Buffer) => (run.output += data.toString()));
  npm.stderr?.on('data', (data: Buffer) => (run.output += data.toString()));
  started.push(run);
  return run;
}

async function waitForBanner(run: Started): Promise<void> {
  const shown = new Promise<void>((resolve, reject) => {
    const check = () => (run.output.includes('Stop with Ctrl-C') ? resolve() : undefined);
    run.npm.stdout?.on('data', check);
    void run.exited.then((exit) => reject(new Error(`npm start ended (${JSON.stringify(exit)}) before its banner: ${run.output}`)));
  });
  await within(15_000, shown, 'banner');
}

function urlAfter(output: string, label: string): string {
  const found = new RegExp(`${label}\\s+(http://127\\.0\\.0\\.1:\\d+)`).exec(output);
  if (!found) throw new Error(`no ${label} address in: ${output}`);
  return found[1] as string;
}

/** The error a connection to the port meets, or 'connected'. */
function tryConnect(url: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

it.each([
  { how: 'SIGTERM sent to npm', signal: 'SIGTERM', group: false },
  { how: 'SIGINT sent to npm', signal: 'SIGINT', group: false },
  // The terminal signals every process in the foreground group, so the example gets it twice: from
  // the terminal and from npm.
  { how: 'Ctrl-C in a terminal (SIGINT to npm and all of its process group)', signal: 'SIGINT', group: true },
] as const)('$how: npm exits, and nothing it started still runs or listens', async ({ signal, group }) => {
  const run = startExample();
  await waitForBanner(run);
  const addresses = ['monolith \\(legacy \\+ figway\\)', 'orders service', 'users service', 'admin API'].map((label) => urlAfter(run.output, label));
  const reply = await request(addresses[0] as string, '/api/users/7');
  expect(reply.json()).toEqual({ servedBy: 'users-service', user: { id: '7', name: 'user 7' } });

  run.tree = descendantsOf(run.npm.pid as number);
  expect(run.tree.map((entry) => entry.command)).toContainEqual(expect.stringContaining('example-app/start.cjs'));
  process.kill(group ? -(run.npm.pid as number) : (run.npm.pid as number), signal);

  // npm ends the way the example did: by the signal, after the example stopped cleanly.
  expect(await within(10_000, run.exited, 'exit of npm')).toEqual({ code: null, signal });
  expect(run.tree.filter(isRunning)).toEqual([]);
  for (const url of addresses) expect(await tryConnect(url)).toBe('ECONNREFUSED');
}, 30_000);
