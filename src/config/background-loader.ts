// Loads configs (files, and objects given in code) in a worker thread, so a reload's read, parse and validation never stall requests.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FigwayConfigError, FigwayError, type ConfigProblem, type FigwayErrorCode } from '../errors.js';
import { formatPath, inlineSource, type ConfigPath, type ConfigSource } from '../config-kit/config-source.js';
import type { DeclaredKeys } from './compose-schema.js';
import type { LoadedConfig } from './load-config.js';
import { ROUTES_PER_MESSAGE, type LoadAnswer, type LoadRequest } from './load-protocol.js';
import type { FigwayConfig } from './schema.js';

/** Where a problem found on the main thread is in the config, until the worker places it in the file. */
const WHERE = Symbol('figway.problemPath');
type PendingProblem = ConfigProblem & { [WHERE]?: { path: ConfigPath; atKey?: boolean } };

/**
 * One worker, started on first use and kept (unref'd) for the next reload. A file is read, parsed
 * and validated there (a config given as an object is validated there); the main thread gets the
 * validated config as a plain object. Problems the
 * main thread finds later (compiling: plugin options, TLS files) are placed in the file by the
 * worker too (`locate`), which keeps the last file's positions.
 */
export class BackgroundLoader {
  private worker: Worker | undefined;
  private next = 1;
  private readonly waiting = new Map<number, { resolve(answer: LoadAnswer): void; reject(err: Error): void; routes: unknown[] }>();
  /** The config keys of the app's plugins, as plain data the worker can be given. */
  private readonly plugins: readonly DeclaredKeys[];

  /** `plugins`: the app's plugins, whose config keys a file may use. */
  constructor(plugins: readonly DeclaredKeys[] = []) {
    this.plugins = plugins.map(({ name, configKeys, routeKeys }) => ({ name, configKeys, routeKeys }));
  }

  /**
   * Reads, parses and validates `file` off the event loop.
   *
   * @throws FigwayConfigError with every problem; FigwayError when the file cannot be read or is too large.
   */
  async load(file: string, env: NodeJS.ProcessEnv, maxFileBytes: number): Promise<LoadedConfig> {
    const answer = await this.ask({ id: this.next++, kind: 'load', file, env: { ...env }, maxFileBytes });
    return { config: configOf(answer), source: placedLater(file) };
  }

  /**
   * Validates a config given as an object off the event loop; its routes go to the worker a slice
   * per turn of the event loop.
   *
   * @throws FigwayConfigError with every problem; DataCloneError when it holds what cannot be copied (a function).
   */
  async validate(config: FigwayConfig): Promise<LoadedConfig> {
    const id = this.next++;
    const { routes, ...rest } = config;
    if (!Array.isArray(routes)) return { config: configOf(await this.ask({ id, kind: 'validate', config })), source: inlineSource() };
    const worker = (this.worker ??= this.start());
    for (let at = 0; at < routes.length; at += ROUTES_PER_MESSAGE) {
      worker.postMessage({ id, kind: 'routes', routes: routes.slice(at, at + ROUTES_PER_MESSAGE) } satisfies LoadRequest);
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (this.worker !== worker) throw new FigwayError('FIGWAY_INTERNAL', 'the config loader thread stopped while the config was sent to it');
    // The routes the worker received are added to this empty list (which stays empty for `routes: []`).
    return { config: configOf(await this.ask({ id, kind: 'validate', config: { ...rest, routes: [] } })), source: inlineSource() };
  }

  /** The same error with its problems given file lines by the worker (the file it loaded last). */
  async locate(error: FigwayConfigError): Promise<FigwayConfigError> {
    const pending = error.problems as readonly PendingProblem[];
    if (!pending.some((problem) => problem[WHERE])) return error;
    const answer = await this.ask({
      id: this.next++,
      kind: 'locate',
      problems: pending.map((problem) => ({ path: problem[WHERE]?.path ?? [], message: problem.message, atKey: problem[WHERE]?.atKey })),
    });
    if (!('problems' in answer)) return error;
    return new FigwayConfigError(answer.problems.map((located, index) => (pending[index]?.[WHERE] ? located : (pending[index] as ConfigProblem))));
  }

  close(): Promise<number> | undefined {
    const worker = this.worker;
    this.worker = undefined;
    return worker?.terminate();
  }

  private ask(request: LoadRequest): Promise<LoadAnswer> {
    const worker = (this.worker ??= this.start());
    return new Promise((resolve, reject) => {
      this.waiting.set(request.id, { resolve, reject, routes: [] });
      worker.ref();
      worker.postMessage(request);
    });
  }

  private start(): Worker {
    const worker = new Worker(workerFile(), { workerData: { plugins: this.plugins } });
    worker.unref();
    worker.on('message', (answer: LoadAnswer) => {
      const waiter = this.waiting.get(answer.id);
      if ('routes' in answer) {
        waiter?.routes.push(...answer.routes);
        // The next slice once requests waiting meanwhile have been served.
        setImmediate(() => worker.postMessage({ id: answer.id, kind: 'more' } satisfies LoadRequest));
        return;
      }
      if ('config' in answer) (answer.config as { routes: unknown[] }).routes = waiter?.routes ?? [];
      this.waiting.delete(answer.id);
      // Nothing left to wait for: the worker must not keep the process alive.
      if (this.waiting.size === 0) worker.unref();
      waiter?.resolve(answer);
    });
    const gone = (why: string, cause?: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiter of this.waiting.values()) waiter.reject(new FigwayError('FIGWAY_INTERNAL', `the config loader thread stopped: ${why}`, { cause }));
      this.waiting.clear();
    };
    worker.on('error', (err) => gone(err.message, err));
    worker.on('exit', (code) => gone(`exit code ${code}`));
    return worker;
  }
}

/**
 * The validated config of an answer.
 *
 * @throws FigwayConfigError with every problem; FigwayError when the file cannot be read or is too large.
 */
function configOf(answer: LoadAnswer): FigwayConfig {
  if ('problems' in answer) throw new FigwayConfigError(answer.problems);
  if ('error' in answer) throw new FigwayError(answer.error.code as FigwayErrorCode, answer.error.message);
  if (!('config' in answer)) throw new FigwayError('FIGWAY_INTERNAL', 'the config loader thread answered without a config');
  return answer.config as FigwayConfig;
}

/** A source whose problems carry their config path, to be placed in the file by the worker. */
function placedLater(file: string): ConfigSource {
  return {
    file,
    problem(path, message, atKey) {
      const problem: PendingProblem = { file, path: formatPath(path), message };
      Object.defineProperty(problem, WHERE, { value: { path, atKey }, enumerable: false });
      return problem;
    },
  };
}

/**
 * The worker's module beside this one. Run from the TypeScript source (the test runner), it is the
 * built copy in dist/: a worker thread does not go through the runner's TypeScript loader.
 */
function workerFile(): URL {
  const beside = new URL('./load-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  return new URL('../../dist/config/load-worker.js', import.meta.url);
}
