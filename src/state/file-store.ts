// The embedded state store: one JSON file, written atomically, watched for changes made by another process.
import { randomUUID } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeAtomically } from './atomic-write.js';
import { addLegacyTallies, EMPTY_HISTORY, markFullRoutes, pickDays } from './history-merge.js';
import type { LegacyTally, MigrationHistory } from './migration-history.js';
import { AUDIT_LIMIT, EMPTY_STATE, nextState, type AuditEntry, type AuditInput, type RuntimeState, type StateStore } from './runtime-state.js';
import { FigwayError } from '../errors.js';

interface StateFile {
  state: RuntimeState;
  audit: AuditEntry[];
}

// Writers to one file queue behind each other within a process; a lock file covers other processes.
const queues = new Map<string, Promise<unknown>>();
const LOCK_WAIT_MS = 5000;
const STALE_LOCK_MS = 10_000;

/**
 * A state store in a local JSON file: every change is written to a temporary file, flushed and
 * renamed over the old one, so a crash never leaves half a file. Changes made by another process
 * on the same file reach `subscribe` through a directory watch. The migration history is kept in a
 * file of its own beside it (`state.json` → `state.map.json`): it is written every few seconds while
 * legacy serves routes, and rewriting the state with its audit log each time would cost far more.
 */
export class FileStateStore implements StateStore {
  readonly description: string;
  healthy = true;
  private readonly file: string;
  private readonly historyFile: string;
  private readonly listeners = new Set<(state: RuntimeState) => void>();
  private watcher: FSWatcher | undefined;
  private lastRevision = -1;

  constructor(file: string) {
    this.file = path.resolve(file);
    this.historyFile = `${this.file.replace(/\.json$/, '')}.map.json`;
    this.description = `file:${this.file}`;
  }

  /** Reads the state synchronously, for start-up (a file store is ready at once). */
  loadSync(): RuntimeState {
    return this.parse(this.readSync()).state;
  }

  async load(): Promise<RuntimeState> {
    return (await this.read()).state;
  }

  update(change: (current: RuntimeState) => Omit<RuntimeState, 'revision'>, input: AuditInput): Promise<RuntimeState> {
    return this.exclusive(async () => {
      const current = await this.read();
      const id = input.change ?? randomUUID();
      const next = nextState(current.state, change, id);
      if (next === undefined) return current.state;
      const entry: AuditEntry = { before: undefined, after: undefined, ...input, change: id, at: new Date().toISOString(), revision: next.revision };
      await this.write({ state: next, audit: [entry, ...current.audit].slice(0, AUDIT_LIMIT) });
      this.notify(next);
      return next;
    });
  }

  record(input: AuditInput & { revision: number }): Promise<void> {
    return this.exclusive(async () => {
      const current = await this.read();
      const entry: AuditEntry = { before: undefined, after: undefined, ...input, at: new Date().toISOString() };
      await this.write({ state: current.state, audit: [entry, ...current.audit].slice(0, AUDIT_LIMIT) });
    });
  }

  markFull(routes: readonly string[], now: number): Promise<void> {
    return this.changeHistory((history) => ({ ...history, full: markFullRoutes(history.full, routes, now) }));
  }

  addLegacy(tallies: readonly LegacyTally[], keepDays: number): Promise<void> {
    return this.changeHistory((history) => ({ ...history, legacy: addLegacyTallies(history.legacy, tallies, keepDays) }));
  }

  async history(days: readonly string[]): Promise<MigrationHistory> {
    return pickDays(await this.readHistory(), days);
  }

  subscribe(listener: (state: RuntimeState) => void): () => void {
    this.listeners.add(listener);
    this.watcher ??= this.watchFile();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.watcher?.close();
        this.watcher = undefined;
      }
    };
  }

  async audit(limit: number): Promise<AuditEntry[]> {
    return (await this.read()).audit.slice(0, limit);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** Rewrites the history alone: the state keeps its revision, so there is no audit entry and nobody to notify. */
  private changeHistory(change: (history: MigrationHistory) => MigrationHistory): Promise<void> {
    return this.exclusive(async () => {
      const next = change(await this.readHistory());
      await writeAtomically(this.historyFile, `${JSON.stringify(next)}\n`);
    });
  }

  private async readHistory(): Promise<MigrationHistory> {
    try {
      return JSON.parse(await readFile(this.historyFile, 'utf8')) as MigrationHistory;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_HISTORY;
      throw err;
    }
  }

  private notify(state: RuntimeState): void {
    if (state.revision <= this.lastRevision) return;
    this.lastRevision = state.revision;
    for (const listener of this.listeners) listener(state);
  }

  private watchFile(): FSWatcher {
    // The directory, not the file: an atomic rename replaces the file a file watch would follow.
    const watcher = watch(path.dirname(this.file), (_event, name) => {
      if (name !== path.basename(this.file)) return;
      this.read().then(
        ({ state }) => this.notify(state),
        () => {},
      );
    });
    watcher.on('error', () => (this.healthy = false));
    watcher.unref();
    return watcher;
  }

  private readSync(): string | undefined {
    try {
      return readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  private async read(): Promise<StateFile> {
    try {
      const file = this.parse(await readFile(this.file, 'utf8'));
      this.healthy = true;
      return file;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return this.parse(undefined);
      this.healthy = false;
      throw err;
    }
  }

  private parse(text: string | undefined): StateFile {
    if (text === undefined) return { state: EMPTY_STATE, audit: [] };
    const parsed = JSON.parse(text) as Partial<StateFile>;
    return { state: { ...EMPTY_STATE, ...parsed.state }, audit: parsed.audit ?? [] };
  }

  private write(content: StateFile): Promise<void> {
    return writeAtomically(this.file, `${JSON.stringify(content, null, 2)}\n`);
  }

  /** Runs `task` alone: after earlier tasks on this file in this process, and holding the lock file. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const previous = queues.get(this.file) ?? Promise.resolve();
    const run = previous.then(() => this.withLock(task), () => this.withLock(task));
    queues.set(this.file, run.catch(() => {}));
    return run;
  }

  private async withLock<T>(task: () => Promise<T>): Promise<T> {
    const lock = `${this.file}.lock`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        await (await open(lock, 'wx')).close();
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (await isStale(lock)) await rm(lock, { force: true });
        else if (Date.now() > deadline) throw new FigwayError('FIGWAY_STATE_UNAVAILABLE', `the state store (${this.description}) refused the change: state file ${this.file} is locked by another process (${lock})`);
        else await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    try {
      return await task();
    } finally {
      await rm(lock, { force: true });
    }
  }
}

async function isStale(lock: string): Promise<boolean> {
  try {
    const { mtimeMs } = await stat(lock);
    return Date.now() - mtimeMs > STALE_LOCK_MS;
  } catch {
    return false;
  }
}
