// The processes a soak runs: the gateway under test, the service it proxies to, and redis-server.
import { fork, spawn, spawnSync } from 'node:child_process';
import net from 'node:net';

const here = (name) => new URL(name, import.meta.url);
const running = new Set();
// Whatever the soak started goes with it, however it ends.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function track(child) {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** A port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
}

/** Resolves with the first IPC message `accept` takes, or rejects after `ms`. */
function waitFor(child, accept, ms, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${ms} ms`)), ms);
    const onMessage = (message) => {
      if (!accept(message)) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message);
    };
    child.on('message', onMessage);
    child.once('exit', (code, signal) => reject(new Error(`${what} exited (${signal ?? code}) while starting`)));
  });
}

/** The service, killable and restartable on the same port. */
export function upstream(port) {
  let child;
  return {
    async start() {
      child = track(fork(here('./upstream-process.mjs'), [String(port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
      await waitFor(child, (m) => m === 'ready', 5000, 'the service');
    },
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}

/**
 * The gateway under test. `onMessage` gets what it reports; `onExit` is called when it exits
 * without being asked to (a crash the soak counts as a restart).
 */
export function gateway(configFile, port, { onMessage, onExit }) {
  let child;
  let stopping = false;
  return {
    /** Starts it; resolves with its admin URL once it serves. */
    async start() {
      // --expose-gc: memory is read after a full collection, so start and end compare live data only.
      child = track(fork(here('./gateway-process.mjs'), [configFile, String(port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--expose-gc'] }));
      child.on('message', onMessage);
      child.once('exit', (code, signal) => stopping || onExit(signal ?? code));
      const ready = await waitFor(child, (m) => m?.type === 'ready', 15_000, 'the gateway');
      return ready.admin;
    },
    /** Its process.memoryUsage(), after a full garbage collection. */
    async memory() {
      const reply = waitFor(child, (m) => m?.type === 'memory', 5000, 'a memory reading');
      child.send('memory');
      return reply;
    },
    async stop() {
      stopping = true;
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}

/** Whether redis-server is installed. */
export function hasRedis() {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** redis-server on `port`, its data kept in `dir` (append-only) so a restart keeps figway's state. */
export function redis(port, dir) {
  let child;
  return {
    async start() {
      child = track(
        spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--loglevel', 'warning'], {
          stdio: 'ignore',
        }),
      );
      for (const started = Date.now(); Date.now() - started < 5000; await new Promise((r) => setTimeout(r, 50))) {
        if (await ping(port)) return;
      }
      throw new Error(`redis-server did not answer on ${port}`);
    },
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}
