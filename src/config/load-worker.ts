// The worker thread a reload reads, parses and validates a config file in, off the event loop that serves requests.
import { constants, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { FigwayConfigError, FigwayError } from '../errors.js';
import type { ConfigPath, ConfigSource } from './config-source.js';
import { loadConfig } from './load-config.js';

/** What the main thread asks: load a file, or place problems found later (compiling) in the file last loaded. */
export type LoadRequest =
  | { readonly id: number; readonly kind: 'load'; readonly file: string; readonly env: NodeJS.ProcessEnv; readonly maxFileBytes: number }
  | { readonly id: number; readonly kind: 'locate'; readonly problems: readonly { path: ConfigPath; message: string; atKey?: boolean }[] };

/**
 * The answer: the validated config (a plain object), the problems, or why the file could not be
 * loaded. A config's routes come first, a slice per message (`routes`), and then the rest of it
 * (`config`, its `routes` empty): one message of a large table would take the main thread tens of
 * milliseconds to receive.
 */
export type LoadAnswer =
  | { readonly id: number; readonly routes: readonly unknown[] }
  | { readonly id: number; readonly config: unknown }
  | { readonly id: number; readonly problems: FigwayConfigError['problems'] }
  | { readonly id: number; readonly error: { readonly code: string; readonly message: string } };

let last: ConfigSource | undefined;

// On Linux a thread's nice value is its own (setpriority on "0" is the calling thread): parsing a
// large file yields the CPU to the thread serving requests. Elsewhere it would be the whole process.
if (process.platform === 'linux') {
  try {
    setPriority(0, constants.priority.PRIORITY_LOW);
  } catch {
    // Not allowed here: the parse runs at normal priority.
  }
}

const ROUTES_PER_MESSAGE = 250;

parentPort?.on('message', (request: LoadRequest) => {
  const reply = answer(request);
  if ('config' in reply) {
    const { routes, ...rest } = reply.config as { routes: unknown[] };
    for (let at = 0; at < routes.length; at += ROUTES_PER_MESSAGE) parentPort?.postMessage({ id: request.id, routes: routes.slice(at, at + ROUTES_PER_MESSAGE) });
    parentPort?.postMessage({ id: request.id, config: { ...rest, routes: [] } });
    return;
  }
  parentPort?.postMessage(reply);
});

function answer(request: LoadRequest): LoadAnswer {
  if (request.kind === 'locate') {
    const source = last;
    return { id: request.id, problems: request.problems.map((p) => source?.problem(p.path, p.message, p.atKey) ?? { file: '', path: '', message: p.message }) };
  }
  try {
    const loaded = loadConfig(request.file, request.env, { maxFileBytes: request.maxFileBytes });
    last = loaded.source;
    return { id: request.id, config: loaded.config };
  } catch (err) {
    if (err instanceof FigwayConfigError) return { id: request.id, problems: err.problems };
    if (err instanceof FigwayError) return { id: request.id, error: { code: err.code, message: err.message } };
    return { id: request.id, error: { code: 'FIGWAY_INTERNAL', message: `loading the config failed: ${(err as Error).message}` } };
  }
}
