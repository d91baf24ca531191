// A real redis-server (Debian's redis-server package) on a loopback port, for tests that stop and restart it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { freePort } from './listen.js';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM, so an append-only file is flushed); resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port, with the same data directory; resolves once it answers PING. */
  restart(): Promise<void>;
  /** Sends the server a signal: SIGSTOP freezes it (connections open, nothing answered), SIGCONT thaws it. */
  signal(signal: NodeJS.Signals): void;
}

export interface RedisServerOptions {
  /** Keeps data in this directory (append-only file) so it survives restart(); without it a restart comes back empty. */
  dir?: string;
}

const READY_TIMEOUT_MS = 5000;
const STOP_TIMEOUT_MS = 5000;

// A test that dies half-way must not leave servers behind: whatever is still running goes with the process.
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const server of running) server.kill('SIGKILL');
  });
}


function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    // A server still loading its append-only file answers -LOADING, which is not ready yet.
    socket.on('data', (data: Buffer) => {
      reply += data.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

function spawnServer(port: number, options: RedisServerOptions): Promise<ChildProcess> {
  const persistence = options.dir === undefined ? ['--appendonly', 'no'] : ['--dir', options.dir, '--appendonly', 'yes'];
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--loglevel', 'warning', ...persistence], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  let output = '';
  const collect = (data: Buffer) => (output = (output + data.toString()).slice(-2000));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(error);
    };
    child.once('error', (err: NodeJS.ErrnoException) =>
      fail(
        err.code === 'ENOENT'
          ? new Error('redis-server is not installed (apt-get install redis-server; .ci/run installs it)')
          : new Error(`redis-server could not start: ${err.message}`),
      ),
    );
    child.once('exit', (code, signal) => fail(new Error(`redis-server exited before answering PING (code ${code}, signal ${signal}):\n${output}`)));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const poll = async (): Promise<void> => {
      while (!settled) {
        if (await ping(port)) {
          settled = true;
          resolve(child);
          return;
        }
        if (Date.now() > deadline) return fail(new Error(`redis-server on port ${port} did not answer PING within ${READY_TIMEOUT_MS} ms:\n${output}`));
        await new Promise((wait) => setTimeout(wait, 20));
      }
    };
    child.once('spawn', () => void poll());
  });
}

function stopServer(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * A port found free can be taken by another process before redis-server binds it (tests run in
 * parallel): then it tries another port, a few times.
 */
export async function spawnOnFreePort(options: RedisServerOptions, pickPort: () => Promise<number> = freePort): Promise<{ port: number; child: ChildProcess }> {
  for (let attempt = 1; ; attempt++) {
    const port = await pickPort();
    try {
      return { port, child: await spawnServer(port, options) };
    } catch (err) {
      if (attempt >= 3 || !(err instanceof Error) || !err.message.includes('Address already in use')) throw err;
    }
  }
}

/** Starts redis-server on a free loopback port; without `dir` it keeps nothing on disk. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const { port, child: started } = await spawnOnFreePort(options);
  let child: ChildProcess | undefined = started;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await stopServer(child);
      child = undefined;
    },
    async restart() {
      await stopServer(child);
      child = undefined;
      child = await spawnServer(port, options);
    },
    signal(signal) {
      if (!child?.kill(signal)) throw new Error(`redis-server on port ${port} is not running`);
    },
  };
}

/**
 * Why the Redis tests cannot run here, or undefined when they can. On a developer machine without
 * redis-server they are skipped, saying so; in CI (CI set, as .ci/run does) a missing binary fails
 * them instead, so they never pass silently.
 */
export const REDIS_MISSING: string | undefined =
  spawnSync('redis-server', ['--version']).error === undefined || process.env.CI
    ? undefined
    : 'SKIPPED: redis-server is not installed (apt-get install redis-server; .ci/run installs it)';

if (REDIS_MISSING) console.warn(REDIS_MISSING);
