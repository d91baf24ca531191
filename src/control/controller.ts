// The one place that changes what serves: config reloads, runtime rollout changes, the kill switch.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { BackgroundLoader } from '../config/background-loader.js';
import { caseSensitivityConflict, compileSnapshot, compileSnapshotInSlices, restateSnapshot, type CompileDeps } from '../snapshot/compile-snapshot.js';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import { fillReload, type FigwayConfig } from '../config/schema.js';
import { FigwayConfigError, FigwayError, formatProblem } from '../errors.js';
import type { UpstreamPool } from '../proxy/upstream-pool.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import { checkOverride } from '../state/apply-state.js';
import { reconcile } from '../progressive/schedule.js';
import { EMPTY_STATE, type AuditEntry, type AuditInput, type ProgressiveEntry, type RolloutOverride, type RuntimeState, type StateStore } from '../state/runtime-state.js';
import type { AnyFigwayPlugin, ConfigEvent } from '../types.js';
import type { Diagnostics } from '../diagnostics.js';

/** Who asked for a change, for the audit log. */
export interface Actor {
  /** Who figway knows is asking: an admin token's name, `anonymous@<address>`, or figway itself. */
  readonly name: string;
  /** What the caller says besides (the CLI sends the OS user): recorded beside the actor, never as it. */
  readonly note?: string;
  /** The caller's id for this change (the admin API's Idempotency-Key): a retry with it is recognised and not applied twice. */
  readonly changeId?: string;
  /** Why the caller makes the change (X-Figway-Reason): kept in the audit log. */
  readonly reason?: string;
}

/** `ops-oncall`, or `ops-oncall (alice)` with what the caller said: for reasons and messages people read. */
export function describeActor(actor: Actor): string {
  return actor.note === undefined ? actor.name : `${actor.name} (${actor.note})`;
}

/** The audit entry's fields for `actor`, with the change's id (the caller's, or a new one). */
function recordedAs(actor: Actor): Pick<AuditInput, 'actor' | 'note' | 'reason' | 'change'> {
  const change = actor.changeId ?? randomUUID();
  return {
    actor: actor.name,
    ...(actor.note === undefined ? {} : { note: actor.note }),
    ...(actor.reason === undefined ? {} : { reason: actor.reason }),
    change,
  };
}

export interface ControllerDeps {
  readonly plugins: readonly AnyFigwayPlugin[];
  /** The plugins passed in code, whose config keys the file may use (the built-ins' are in the schema). */
  readonly appPlugins: readonly AnyFigwayPlugin[];
  readonly upstreams: UpstreamPool;
  readonly runtime: CompileDeps['runtime'];
  readonly env: NodeJS.ProcessEnv;
  readonly diagnostics: Diagnostics;
}

/**
 * Holds the snapshot that serves and builds every next one: from a new file (reload), or from new
 * runtime state (a rollout change made here or on another replica). A new snapshot replaces the
 * old one in one assignment; requests in flight finish on the one they started with.
 */
export class Controller {
  private snapshot: Snapshot;
  private source: string | FigwayConfig;
  private version = 1;
  private store: StateStore | undefined;
  /** The audit write of the last reload. */
  private reloadAudit: Promise<void> = Promise.resolve();
  /** The reloads under way, one after another. */
  private reloads: Promise<unknown> = Promise.resolve();
  /** The worker thread reloads load and validate in, once one has run. */
  private loader: BackgroundLoader | undefined;
  /** The app's `case sensitive routing`, once known (see followApp). */
  private appCaseSensitive: boolean | undefined;

  constructor(
    source: string | FigwayConfig,
    private readonly deps: ControllerDeps,
  ) {
    this.source = source;
    this.snapshot = this.compile(loadConfig(source, deps.env, { plugins: deps.appPlugins }), EMPTY_STATE, this.version);
    this.warnAboutUnverifiedTls();
    this.announce({ kind: 'loaded', version: this.version, routes: this.routes() });
  }

  get current(): Snapshot {
    return this.snapshot;
  }

  /** The config file's path, when the config came from a file. */
  get configFile(): string | undefined {
    return typeof this.source === 'string' ? path.resolve(this.source) : undefined;
  }

  get stateStore(): StateStore | undefined {
    return this.store;
  }

  /** Starts serving runtime state from `store` (loaded now) and follows its changes from then on. */
  useStore(store: StateStore, initial: RuntimeState): void {
    this.store = store;
    this.applyState(initial);
    this.warnAboutShadowedFileValues();
    store.subscribe((state) => this.applyState(state));
  }

  /**
   * Matches paths as the Express app routes them, from now on and on every reload: its
   * `case sensitive routing` applies unless the config sets `matching.caseSensitive`.
   *
   * @throws FigwayConfigError when the config sets it otherwise; nothing changes.
   */
  followApp(app: { caseSensitive: boolean }): void {
    const conflict = caseSensitivityConflict(this.snapshot.loaded, app.caseSensitive);
    if (conflict) throw conflict;
    this.appCaseSensitive = app.caseSensitive;
    // Without a conflict, a table matching otherwise is one that followed the default.
    if (this.snapshot.table.caseSensitive !== app.caseSensitive) this.swap(this.compile(this.snapshot.loaded, this.snapshot.state, this.version + 1), 'reloaded');
  }

  /**
   * Loads the config again (or a new one: a file, or a config object) and swaps it in with the
   * current runtime state. Reading, parsing and validating happen in a worker thread and the compile
   * a slice of routes at a time, so the event loop keeps serving meanwhile; the swap is one
   * assignment. Reloads run one at a time, in the order asked.
   *
   * @throws FigwayConfigError listing every problem (with file lines); the current snapshot keeps serving.
   */
  reload(config: string | FigwayConfig = this.source, actor?: Actor): Promise<Snapshot> {
    const run = async (): Promise<Snapshot> => {
      const loader = (this.loader ??= new BackgroundLoader(this.deps.appPlugins));
      let loaded: LoadedConfig;
      try {
        loaded = typeof config === 'string' ? await loader.load(path.resolve(config), this.deps.env, this.maxFileBytes()) : await loader.validate(config);
      } catch (err) {
        throw this.rejected(err);
      }
      const version = this.version;
      const appCaseSensitive = this.appCaseSensitive;
      let next: Snapshot;
      try {
        next = await this.compileInSlices(loaded, this.snapshot.state, version + 1);
        // The app became known meanwhile (attach): its case sensitivity decides matching, and may refuse the config.
        if (this.appCaseSensitive !== appCaseSensitive) next = await this.compileInSlices(loaded, this.snapshot.state, this.version + 1);
      } catch (err) {
        const error = this.rejected(err);
        throw error instanceof FigwayConfigError ? await loader.locate(error) : error;
      }
      // A runtime change was swapped in meanwhile: it applies to the new config too.
      if (this.version !== version) next = restateSnapshot(next, this.snapshot.state, this.version + 1, this.deps.runtime.now());
      return this.installCompiled(next, config, actor);
    };
    const result = this.reloads.then(run, run);
    this.reloads = result.catch(() => undefined);
    return result;
  }

  /** Resolves once the last reload is in the audit log (or failed to get there, which is logged). */
  reloadRecorded(): Promise<void> {
    return this.reloadAudit;
  }

  /** Reloads after the config file changed; a bad file is logged and counted, and the old config keeps serving. */
  async reloadFromWatch(): Promise<void> {
    try {
      const next = await this.reload(this.source, { name: 'file-watch' });
      this.deps.diagnostics.logger.info({ configVersion: next.version }, 'figway: config reloaded');
    } catch (err) {
      const problems = (err as { problems?: readonly Parameters<typeof formatProblem>[0][] }).problems;
      this.deps.diagnostics.warnOnce('FIGWAY_CONFIG_RELOAD_REJECTED', 'figway: config change rejected, the previous config keeps serving', {
        err: problems ? undefined : err,
        problems: problems?.map(formatProblem),
      });
    }
  }

  private maxFileBytes(): number {
    return fillReload(this.snapshot.loaded.config.reload).maxFileBytes;
  }

  private installCompiled(next: Snapshot, config: string | FigwayConfig, actor: Actor | undefined): Snapshot {
    const before = this.version;
    this.swap(next, 'reloaded');
    this.warnAboutUnverifiedTls();
    this.warnAboutShadowedFileValues();
    this.source = config;
    this.reloadAudit = (this.store?.record({ ...recordedAs(actor ?? { name: 'figway' }), action: 'reload', before, after: this.version, revision: this.version }) ?? Promise.resolve()).catch(
      (err: unknown) => this.deps.diagnostics.warnOnce('FIGWAY_STATE_AUDIT_UNWRITTEN', 'figway: could not write the reload to the audit log', { err }),
    );
    return next;
  }

  /** Tells the plugins of a refused reload; returns the error to throw. */
  private rejected(err: unknown): unknown {
    if (err instanceof FigwayError) this.announce({ kind: 'rejected', error: err });
    return err;
  }

  /** Changes a route's rollout at runtime (only the fields given), for every replica. */
  async setRollout(routeId: string, override: RolloutOverride, actor: Actor, action: 'rollout' | 'rollback' = 'rollout'): Promise<Snapshot> {
    const route = this.requireRoute(routeId);
    if (route.progressive && override.percent !== undefined) {
      throw new FigwayError(
        'FIGWAY_ADMIN_CONFLICT',
        `${routeId} rolls out in steps (${route.progressive.settings.steps.join(', ')}): its percent follows them; pause, resume, promote or roll it back instead`,
      );
    }
    const problems = checkOverride(this.snapshot.loaded.config, routeId, override);
    if (problems.length > 0) {
      throw new FigwayError('FIGWAY_ADMIN_BAD_REQUEST', `invalid rollout for ${routeId}: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, {
        details: problems,
      });
    }
    const before = route.info.config.rollout;
    return this.change((state) => ({ ...state, routes: { ...state.routes, [routeId]: { ...state.routes[routeId], ...override } } }), {
      ...recordedAs(actor),
      action,
      route: routeId,
      before,
      after: { ...before, ...override },
    });
  }

  /** Drops a route's runtime changes: the file's rollout applies again. */
  clearRollout(routeId: string, actor: Actor): Promise<Snapshot> {
    const route = this.requireRoute(routeId);
    return this.change((state) => ({ ...state, routes: Object.fromEntries(Object.entries(state.routes).filter(([id]) => id !== routeId)) }), {
      ...recordedAs(actor),
      action: 'clear-override',
      route: routeId,
      before: route.info.config.rollout,
      after: route.info.fileRollout,
    });
  }

  /**
   * Moves a route's progressive schedule: `move` gets the stored schedule (reconciled with the
   * config's steps) and returns the next, or throws to change nothing. It runs against the store's
   * latest state, so two replicas moving the same schedule at once cannot both succeed on stale data.
   */
  changeProgressive(
    routeId: string,
    move: (entry: ProgressiveEntry, now: number, stored: boolean) => ProgressiveEntry,
    action: AuditEntry['action'],
    actor: Actor,
  ): Promise<Snapshot> {
    const route = this.requireRoute(routeId);
    const settings = route.progressive?.settings;
    if (!settings) throw new FigwayError('FIGWAY_ADMIN_CONFLICT', `${routeId} has no progressive rollout (rollout.steps in the config)`);
    const now = this.deps.runtime.now();
    let before: ProgressiveEntry | undefined;
    let after: ProgressiveEntry | undefined;
    return this.change(
      (state) => {
        // The audit log shows the stored schedule before (none, when this change starts it).
        before = state.progressive[routeId];
        const current = reconcile(settings.steps, before, now);
        after = move(current, now, current === before);
        return { ...state, progressive: { ...state.progressive, [routeId]: after } };
      },
      // Getters: a store builds the audit entry after running the change, so it records what the change saw.
      {
        ...recordedAs(actor),
        action,
        route: routeId,
        get before() {
          return before;
        },
        get after() {
          return after;
        },
      },
    );
  }

  /** Every route to legacy (on), or back to their rollouts (off). */
  setKillSwitch(on: boolean, actor: Actor): Promise<Snapshot> {
    return this.change((state) => ({ ...state, killSwitch: on }), { ...recordedAs(actor), action: 'kill-switch', before: this.snapshot.state.killSwitch, after: on });
  }

  /** Stops following the store and closes it, and the config loader thread. */
  async close(): Promise<void> {
    await Promise.all([this.store?.close(), this.loader?.close()]);
  }

  /** Writes a change through the store (atomically, with its audit entry), then serves it. */
  private async change(mutate: (state: RuntimeState) => Omit<RuntimeState, 'revision'>, audit: AuditInput): Promise<Snapshot> {
    const store = this.store;
    if (!store) throw new FigwayError('FIGWAY_STATE_UNAVAILABLE', 'no state store is configured');
    let state: RuntimeState;
    let refused: unknown;
    try {
      state = await store.update((current) => {
        try {
          return mutate(current);
        } catch (err) {
          refused = err;
          throw err;
        }
      }, audit);
    } catch (err) {
      // The change itself said no (a conflict): that is the answer, not a store failure.
      if (err === refused || err instanceof FigwayError) throw err;
      throw new FigwayError('FIGWAY_STATE_UNAVAILABLE', `the state store (${store.description}) refused the change: ${(err as Error).message}`, { cause: err });
    }
    this.applyState(state);
    return this.snapshot;
  }

  /** Builds a snapshot for a newer state and swaps it in; older or equal revisions are ignored. */
  private applyState(state: RuntimeState): void {
    if (state.revision <= this.snapshot.state.revision) return;
    try {
      const next = restateSnapshot(this.snapshot, state, this.version + 1, this.deps.runtime.now());
      for (const { route, problems } of next.ignoredOverrides) {
        this.deps.diagnostics.warnOnce('FIGWAY_STATE_OVERRIDE_IGNORED', 'figway: runtime rollout change does not fit the config and is ignored', { route, problems: problems.map(formatProblem) });
      }
      this.swap(next, 'state-changed');
    } catch (err) {
      this.deps.diagnostics.warnOnce('FIGWAY_STATE_NOT_APPLIED', 'figway: could not apply the runtime state; the previous one keeps serving', { err });
    }
  }

  /**
   * At start-up and on every reload: a runtime change wins over the file, so an edit of a value it changed does
   * nothing until the change is cleared. Said per route, with both values and the way back.
   */
  private warnAboutShadowedFileValues(): void {
    for (const { id, info } of this.snapshot.routes) {
      const override = info.override;
      if (!override) continue;
      for (const [field, runtime] of Object.entries(override) as [keyof RolloutOverride, unknown][]) {
        const file = info.fileRollout[field];
        if (JSON.stringify(file) === JSON.stringify(runtime)) continue;
        this.deps.diagnostics.warnOnce(
          'FIGWAY_CONFIG_FILE_SHADOWED',
          `figway: ${id}: the file says ${field} ${JSON.stringify(file ?? null)}, but a runtime change keeps ${JSON.stringify(runtime)}; \`figway clear ${id}\` (DELETE /routes/${id}/rollout) returns it to the file`,
          { route: id, field, file: file ?? null, runtime },
        );
      }
    }
  }

  /** At start-up and on every reload, so `tls.insecure` is never forgotten in a config that ships. */
  private warnAboutUnverifiedTls(): void {
    const unverified = new Set(this.snapshot.routes.filter((route) => route.upstream.tls?.info.verify === false).map((route) => route.upstream.name));
    for (const upstream of unverified) {
      this.deps.diagnostics.warnOnce('FIGWAY_UPSTREAM_TLS_UNVERIFIED', `figway: TLS to ${upstream} is not verified (tls.insecure: true): anyone on the network path can pose as the service`, { upstream });
    }
  }

  private requireRoute(routeId: string) {
    const route = this.snapshot.routes.find((r) => r.id === routeId);
    if (!route) throw new FigwayError('FIGWAY_ADMIN_NOT_FOUND', `no route "${routeId}" (routes: ${this.snapshot.routes.map((r) => r.id).join(', ')})`);
    return route;
  }

  private compile(loaded: LoadedConfig, state: RuntimeState, version: number): Snapshot {
    try {
      return compileSnapshot(loaded, this.compileDeps(state, version));
    } catch (err) {
      throw this.dropRefusedUpstreams(err);
    }
  }

  /** As compile(), a slice of routes at a time: the event loop serves requests in between. */
  private async compileInSlices(loaded: LoadedConfig, state: RuntimeState, version: number): Promise<Snapshot> {
    try {
      return await compileSnapshotInSlices(loaded, this.compileDeps(state, version));
    } catch (err) {
      throw this.dropRefusedUpstreams(err);
    }
  }

  private compileDeps(state: RuntimeState, version: number): CompileDeps {
    const { plugins, upstreams, runtime } = this.deps;
    return { plugins, upstreams, runtime, version, state, appCaseSensitive: this.appCaseSensitive };
  }

  /** Upstreams a refused config opened (their pools, their TLS file watches) go; the serving ones stay. */
  private dropRefusedUpstreams(err: unknown): unknown {
    this.deps.upstreams.retainOnly(new Set((this.snapshot as Snapshot | undefined)?.routes.map((route) => route.upstream)));
    return err;
  }

  private swap(next: Snapshot, kind: 'reloaded' | 'state-changed'): void {
    this.version = next.version;
    this.snapshot = next;
    // A runtime change keeps every route's upstream; retiring here would also retire the upstreams a
    // reload compiling meanwhile has just opened.
    if (kind !== 'state-changed') this.deps.upstreams.retainOnly(new Set(next.routes.map((route) => route.upstream)));
    this.announce({ kind, version: next.version, routes: this.routes() });
  }

  private routes() {
    return this.snapshot.routes.map((route) => route.info);
  }

  private announce(event: ConfigEvent): void {
    for (const plugin of this.deps.plugins) plugin.onConfig?.(event);
  }
}
