// The worker thread a reload reads, parses and validates a config in, off the event loop that serves requests.
// First, before the modules it loads: this thread runs at low priority.
import './low-priority-thread.js';
import { parentPort, workerData } from 'node:worker_threads';
import { FigwayConfigError, FigwayError } from '../errors.js';
import type { DeclaredKeys } from './compose-schema.js';
import type { ConfigSource } from '../config-kit/config-source.js';
import { loadConfig } from './load-config.js';
import { ROUTES_PER_MESSAGE, type LoadAnswer, type LoadRequest } from './load-protocol.js';
import type { FigwayConfig } from './schema.js';

let last: ConfigSource | undefined;
/** The config keys of the app's plugins, as the main thread sent them at start (one list, so the schema is composed once). */
const plugins = (workerData as { plugins?: readonly DeclaredKeys[] } | undefined)?.plugins ?? [];

/** Routes of configs given as objects, received before the rest of them, by request id. */
const receiving = new Map<number, unknown[]>();
/** Loaded configs whose routes are still being sent, by request id. */
const sending = new Map<number, { readonly config: { routes: unknown[] }; at: number }>();

parentPort?.on('message', (request: LoadRequest) => {
  if (request.kind === 'routes') {
    const routes = receiving.get(request.id) ?? [];
    receiving.set(request.id, routes);
    for (const route of request.routes) routes.push(route);
    return;
  }
  if (request.kind === 'more') {
    sendSlice(request.id);
    return;
  }
  const reply = answer(request);
  if ('config' in reply) {
    sending.set(request.id, { config: reply.config as { routes: unknown[] }, at: 0 });
    sendSlice(request.id);
    return;
  }
  parentPort?.postMessage(reply);
});

function sendSlice(id: number): void {
  const loading = sending.get(id);
  if (!loading) return;
  const { routes, ...rest } = loading.config;
  if (loading.at < routes.length) {
    parentPort?.postMessage({ id, routes: routes.slice(loading.at, (loading.at += ROUTES_PER_MESSAGE)) } satisfies LoadAnswer);
    return;
  }
  sending.delete(id);
  parentPort?.postMessage({ id, config: { ...rest, routes: [] } } satisfies LoadAnswer);
}

function answer(request: Extract<LoadRequest, { kind: 'load' | 'validate' | 'locate' }>): LoadAnswer {
  if (request.kind === 'locate') {
    const source = last;
    return { id: request.id, problems: request.problems.map((p) => source?.problem(p.path, p.message, p.atKey) ?? { file: '', path: '', message: p.message }) };
  }
  try {
    const loaded =
      request.kind === 'load' ? loadConfig(request.file, request.env, { maxFileBytes: request.maxFileBytes, plugins }) : loadConfig(withRoutes(request), {}, { plugins });
    last = loaded.source;
    return { id: request.id, config: loaded.config };
  } catch (err) {
    if (err instanceof FigwayConfigError) return { id: request.id, problems: err.problems };
    if (err instanceof FigwayError) return { id: request.id, error: { code: err.code, message: err.message } };
    return { id: request.id, error: { code: 'FIGWAY_INTERNAL', message: `loading the config failed: ${(err as Error).message}` } };
  }
}

/** The config object with the routes sent before it (none were when its `routes` is not a list). */
function withRoutes(request: Extract<LoadRequest, { kind: 'validate' }>): FigwayConfig {
  const routes = receiving.get(request.id);
  receiving.delete(request.id);
  return (routes ? { ...request.config, routes } : request.config) as FigwayConfig;
}
