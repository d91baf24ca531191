// Runs progressive rollouts: takes the next step when its time and requests are in, rolls back when the guard trips.
import type { Counter } from 'prom-client';
import { describeActor, type Actor, type Controller } from './controller.js';
import { FigwayError } from '../errors.js';
import type { LiveStats } from '../observe/live-stats.js';
import type { CompiledRoute, Snapshot } from '../snapshot/snapshot.js';
import type { CompiledProgressive } from '../progressive/compile-progressive.js';
import type { AuditEntry, ProgressiveEntry } from '../state/runtime-state.js';
import type { FigwayPlugin } from '../types.js';
import { judge } from '../progressive/guard.js';
import { afterBreach, nextStep } from '../progressive/schedule.js';
import type { Diagnostics } from '../diagnostics.js';

export interface ProgressiveEngineDeps {
  readonly now: () => number;
  readonly liveStats: LiveStats;
  readonly diagnostics: Diagnostics;
  /** figway_progressive_events_total: what this replica did to a schedule. */
  readonly events: Counter<'route' | 'event'>;
}

/** The engine acting on its own, in the audit log. */
const ENGINE: Actor = { name: 'figway-progressive' };
const GUARD: Actor = { name: 'figway-guard' };

/** A schedule moved since the engine looked at it (another replica, an operator): the move is dropped. */
class Stale extends Error {}

/**
 * One per gateway. Every `tick` (a timer in production, called directly in tests) looks at each
 * progressive route: a schedule not in the store yet is written; a running one is judged by the
 * guard over its current step, rolled back on a breach, and moved to the next step once it has
 * been there `minStepTime` and the service served `minStepRequests` of it here. Every replica
 * ticks; a move applies only to the schedule it was decided on, so a step is never taken twice.
 */
export class ProgressiveEngine {
  private controller: Controller | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Requests the service served per route at the current step, on this replica. */
  private readonly served = new Map<string, { key: string; count: number }>();
  /** Steps whose stored start lay in this clock's future, and the time they are counted from instead. */
  private readonly futureStarts = new Map<string, { since: number; countedFrom: number }>();

  /** Counts the requests the service served at each step (the plugin shows up in `plugins` like any built-in). */
  readonly plugin: FigwayPlugin = {
    name: 'progressive',
    setup: ({ config }) => {
      if (!config.routes.some((route) => route.rollout?.steps)) return {};
      return {
        onResponse: (ctx) => {
          if (ctx.target !== 'service') return;
          const counter = this.served.get(ctx.route.id);
          if (counter) counter.count += 1;
        },
      };
    },
    onConfig: (event) => {
      if (event.kind !== 'rejected' && this.controller) this.follow(this.controller.current);
    },
  };

  constructor(private readonly deps: ProgressiveEngineDeps) {}

  /** Starts ticking every `intervalMs` (the timer does not keep the process alive). */
  start(controller: Controller, intervalMs: number): void {
    this.controller = controller;
    this.follow(controller.current);
    if (intervalMs > 0) {
      this.timer = setInterval(() => void this.tick(), intervalMs);
      this.timer.unref();
    }
  }

  stop(): Promise<void> {
    clearInterval(this.timer);
    return this.running ?? Promise.resolve();
  }

  /** Looks at every progressive route once; resolves when the changes it made are stored. Never rejects. */
  tick(): Promise<void> {
    this.running ??= this.tickOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Requests the service served at the route's current step on this replica. */
  servedAtStep(routeId: string): number {
    return this.served.get(routeId)?.count ?? 0;
  }

  /** Stops taking steps; the current percent stays. */
  pause(routeId: string, actor: Actor): Promise<Snapshot> {
    return this.operate(routeId, 'pause', actor, (entry, now) => {
      if (entry.state !== 'running') throw conflict(routeId, entry, 'pause it: it is not running');
      return { ...entry, state: 'paused', since: now, reason: `paused by ${describeActor(actor)}` };
    });
  }

  /** Takes steps again: a paused rollout from its step, a rolled-back one from the first step. */
  resume(routeId: string, actor: Actor): Promise<Snapshot> {
    return this.operate(routeId, 'resume', actor, (entry, now) => {
      if (entry.state === 'paused') return { steps: entry.steps, step: entry.step, state: 'running', since: now };
      if (entry.state === 'rolled-back') return { steps: entry.steps, step: 0, state: 'running', since: now };
      throw conflict(routeId, entry, `resume it: it is ${entry.state}`);
    });
  }

  /** Takes the next step now, whatever the time, requests and guard say (an operator's call). */
  promote(routeId: string, actor: Actor): Promise<Snapshot> {
    return this.operate(routeId, 'promote', actor, (entry, now) => {
      if (entry.state === 'done') throw conflict(routeId, entry, 'promote it: it is done');
      if (entry.state === 'rolled-back') return { steps: entry.steps, step: 0, state: 'running', since: now };
      return nextStep(entry, now);
    });
  }

  /** Sends the route back to 0% until resumed. */
  rollback(routeId: string, actor: Actor): Promise<Snapshot> {
    return this.operate(routeId, 'rollback', actor, (entry, now) => ({ steps: entry.steps, step: entry.step, state: 'rolled-back', since: now, reason: `rolled back by ${describeActor(actor)}` }));
  }

  private operate(routeId: string, event: 'pause' | 'resume' | 'promote' | 'rollback', actor: Actor, move: (entry: ProgressiveEntry, now: number) => ProgressiveEntry): Promise<Snapshot> {
    const controller = this.requireController();
    const action: AuditEntry['action'] = event === 'rollback' ? 'rollback' : `progressive-${event}`;
    return controller.changeProgressive(routeId, move, action, actor).then((snapshot) => {
      this.record(routeId, event, actor, snapshot);
      return snapshot;
    });
  }

  private async tickOnce(): Promise<void> {
    const controller = this.controller;
    if (!controller) return;
    const snapshot = controller.current;
    // The kill switch has every request on legacy: nothing to judge, and no step should be taken.
    if (snapshot.state.killSwitch) return;
    for (const route of snapshot.routes) {
      if (!route.progressive) continue;
      try {
        await this.look(controller, route, route.progressive);
      } catch (err) {
        if (err instanceof Stale) continue;
        this.deps.diagnostics.warnOnce('FIGWAY_PROGRESSIVE_STUCK', 'figway: progressive rollout could not move; it stays where it is', { err, route: route.id });
      }
    }
  }

  private async look(controller: Controller, route: CompiledRoute, { settings, entry, stored }: CompiledProgressive): Promise<void> {
    if (!stored) {
      await this.move(controller, route.id, undefined, (current) => current, 'progressive-start', ENGINE, 'start');
      return;
    }
    if (entry.state !== 'running') return;
    const now = this.deps.now();
    const since = this.stepStart(route.id, entry.since, now);
    if (settings.guard) {
      const verdict = judge(settings.guard, this.deps.liveStats.figures(route.id, since));
      if (verdict.verdict === 'breach') {
        const onBreach = settings.guard.onBreach;
        await this.move(controller, route.id, entry, (current, at) => afterBreach(current, onBreach, verdict.reason, at), 'progressive-breach', GUARD, 'breach');
        return;
      }
    }
    if (now - since >= settings.minStepTimeMs && this.servedAtStep(route.id) >= settings.minStepRequests) {
      await this.move(controller, route.id, entry, nextStep, 'progressive-step', ENGINE, entry.step === entry.steps.length - 1 ? 'done' : 'step');
    }
  }

  /**
   * When the current step is counted from: its stored start, unless that lay ahead of this
   * replica's clock when first seen (the clock stepped back, an NTP correction; or another
   * replica's clock runs ahead), in which case from that moment. Waiting for the clock to reach
   * the stored start would stall the rollout for as long as the jump.
   */
  private stepStart(routeId: string, since: number, now: number): number {
    const clamped = this.futureStarts.get(routeId);
    if (clamped?.since === since) return clamped.countedFrom;
    if (since <= now) return since;
    this.futureStarts.set(routeId, { since, countedFrom: now });
    this.deps.diagnostics.warnOnce(
      'FIGWAY_PROGRESSIVE_CLOCK_AHEAD',
      `figway: the current step of ${routeId} starts in this clock's future (a clock jump?): its time is counted from now`,
      { route: routeId, stepStart: new Date(since).toISOString(), now: new Date(now).toISOString() },
    );
    return now;
  }

  /** Applies `move` only if the stored schedule is still the one the engine decided on. */
  private async move(
    controller: Controller,
    routeId: string,
    seen: ProgressiveEntry | undefined,
    move: (entry: ProgressiveEntry, now: number) => ProgressiveEntry,
    action: AuditEntry['action'],
    actor: Actor,
    event: string,
  ): Promise<void> {
    const snapshot = await controller.changeProgressive(
      routeId,
      (current, now, stored) => {
        // `seen` undefined: the engine saw no stored schedule, and writes one only if there still is none.
        const moved = seen === undefined ? stored : !stored || current.step !== seen.step || current.state !== seen.state || current.since !== seen.since;
        if (moved) throw new Stale();
        return move(current, now);
      },
      action,
      actor,
    );
    this.record(routeId, event, actor, snapshot);
  }

  /** The metric and the log line of a change this replica made (the audit log has it too). */
  private record(routeId: string, event: string, actor: Actor, snapshot: Snapshot): void {
    this.deps.events.inc({ route: routeId, event });
    const progressive = snapshot.routes.find((route) => route.id === routeId)?.progressive?.entry;
    const percent = snapshot.routes.find((route) => route.id === routeId)?.rollout.percent;
    const line = { route: routeId, event, actor: actor.name, note: actor.note, reason: actor.reason, percent, progressive };
    if (event === 'breach') this.deps.diagnostics.warnOnce('FIGWAY_PROGRESSIVE_GUARD_TRIPPED', `figway: rollout guard tripped on ${routeId}: ${progressive?.reason ?? ''}`, line);
    else this.deps.diagnostics.logger.info(line, `figway: progressive rollout of ${routeId}: ${event}`);
  }

  /** Resets the per-step request counts of routes whose schedule moved. */
  private follow(snapshot: Snapshot): void {
    const keep = new Set<string>();
    for (const route of snapshot.routes) {
      const entry = route.progressive?.entry;
      if (!entry) continue;
      keep.add(route.id);
      const key = `${entry.step}:${entry.state}:${entry.since}`;
      if (this.served.get(route.id)?.key !== key) this.served.set(route.id, { key, count: 0 });
    }
    for (const id of this.served.keys()) if (!keep.has(id)) this.served.delete(id);
  }

  private requireController(): Controller {
    if (!this.controller) throw new FigwayError('FIGWAY_STATE_UNAVAILABLE', 'progressive rollouts are not running yet');
    return this.controller;
  }
}

function conflict(routeId: string, entry: ProgressiveEntry, what: string): FigwayError {
  return new FigwayError('FIGWAY_ADMIN_CONFLICT', `cannot ${what} (${routeId} is ${entry.state} at ${entry.steps[entry.step]}%, step ${entry.step + 1} of ${entry.steps.length})`);
}
