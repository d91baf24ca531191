// Loads config files in a worker thread, so a reload's read, parse and validation never stall requests.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FigwayConfigError, FigwayError, type ConfigProblem, type FigwayErrorCode } from '../errors.js';
import { formatPath, type ConfigPath, type ConfigSource } from './config-source.js';
import type { LoadedConfig } from './load-config.js';
import type { LoadAnswer, LoadRequest } from './load-worker.js';
import type { FigwayConfig } from './schema.js';

/** Where a problem found on the main thread is in the config, until the worker places it in the file. */
const WHERE = Symbol('figway.problemPath');
type PendingProblem = ConfigProblem & { [WHERE]?: { path: ConfigPath; atKey?: boolean } };

/**
 * One worker, started on first use and kept (unref'd) for the next reload. A file is read, parsed
 * and validated there; the main thread gets the validated config as a plain object. Problems the
 * main thread finds later (compiling: plugin options, TLS files) are placed in the file by the
 * worker too (`locate`), which keeps the last file's positions.
 */
export class BackgroundLoader {
  private worker: Worker | undefined;
  private next = 1;
  private readonly waiting = new Map<number, { resolve(answer: LoadAnswer): void; reject(err: Error): void; routes: unknown[] }>();

  /**
   * Reads, parses and validates `file` off the event loop.
   *
   * @throws FigwayConfigError with every problem; FigwayError when the file cannot be read or is too large.
   */
  async load(file: string, env: NodeJS.ProcessEnv, maxFileBytes: number): Promise<LoadedConfig> {
    const answer = await this.ask({ id: this.next++, kind: 'load', file, env: { ...env }, maxFileBytes });
    if ('problems' in answer) throw new FigwayConfigError(answer.problems);
    if ('error' in answer) throw new FigwayError(answer.error.code as FigwayErrorCode, answer.error.message);
    if (!('config' in answer)) throw new FigwayError('FIGWAY_INTERNAL', 'the config loader thread answered without a config');
    return { config: answer.config as FigwayConfig, source: placedLater(file) };
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
    const worker = new Worker(workerFile());
    worker.unref();
    worker.on('message', (answer: LoadAnswer) => {
      const waiter = this.waiting.get(answer.id);
      if ('routes' in answer) {
        waiter?.routes.push(...answer.routes);
        return;
      }
      if ('config' in answer) (answer.config as { routes: unknown[] }).routes = waiter?.routes ?? [];
      this.waiting.delete(answer.id);
      // Nothing left to wait for: the worker must not keep the process alive.
      if (this.waiting.size === 0) worker.unref();
      waiter?.resolve(answer);
    });
    const gone = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiter of this.waiting.values()) waiter.reject(new FigwayError('FIGWAY_INTERNAL', `the config loader thread stopped: ${err.message}`, { cause: err }));
      this.waiting.clear();
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`exit code ${code}`)));
    return worker;
  }
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
