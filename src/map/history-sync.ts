// The map's history in the state store: the routes at 100% written in the order configs served, what legacy served added, the history read back.
import type { Diagnostics } from '../diagnostics.js';
import { dayOf, type HistoryStore, type MigrationHistory } from '../state/migration-history.js';
import type { LegacyLedger } from './legacy-ledger.js';

const DAY_MS = 86_400_000;

export interface HistorySyncDeps {
  /** The state store once there is one (Redis connects after start-up). */
  readonly store: () => HistoryStore | undefined;
  readonly now: () => number;
  readonly diagnostics: Diagnostics;
  /** What legacy served, taken at each sync (and given back when the store does not keep it). */
  readonly ledger: LegacyLedger;
  readonly retireAfterMs: () => number;
}

/**
 * Keeps the store's history and this replica's view in step. Nothing it was given is lost to a
 * store that does not answer: the lists of routes at 100% wait in order, the tallies go back to
 * the ledger, and `last` is undefined until the store answers again (no endpoint is then said ready).
 *
 * @example
 * ```ts
 * const history = new HistorySync({ store: () => controller.stateStore, now: Date.now, diagnostics, ledger, retireAfterMs: () => 14 * 86_400_000 });
 * history.atFull(['cart@3q2+7w_A']);
 * await history.syncAfter(); // history.last: the history as the store has it now
 * ```
 */
export class HistorySync {
  /** The history as last read; undefined while the store does not answer. */
  last: MigrationHistory | undefined;
  /** Lists of the routes at 100%, in the order the configs served, not yet written (each is written: a dip below 100% clears the time even if it lasted a moment). */
  private readonly marks: string[][] = [];
  private fullNow: readonly string[] | undefined;
  private failing = false;
  private syncing: Promise<void> | undefined;

  constructor(private readonly deps: HistorySyncDeps) {}

  /** The routes at 100% now (their history keys), to write at the next sync. */
  atFull(routes: readonly string[]): void {
    this.fullNow = routes;
    queueMarks(this.marks, routes);
  }

  /** Writes and reads back, after any sync already running: it may have started before what is to be written now. */
  async syncAfter(): Promise<void> {
    await this.syncing;
    await this.sync();
  }

  private sync(): Promise<void> {
    this.syncing ??= (async () => {
      try {
        const store = this.deps.store();
        if (store !== undefined) await this.writeAndRead(store);
      } catch (err) {
        this.report(err);
      }
    })().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  /** Writes the routes at 100% and the tallies, then reads the history back; what the store did not take is kept for the next time. */
  private async writeAndRead(store: HistoryStore): Promise<void> {
    const { ledger, now, retireAfterMs } = this.deps;
    while (this.marks.length > 0) {
      await store.markFull(this.marks[0] as string[], now());
      this.marks.shift();
    }
    const tallies = ledger.take();
    if (tallies.length > 0) {
      try {
        await store.addLegacy(tallies, Math.ceil(retireAfterMs() / DAY_MS) + 1);
      } catch (err) {
        ledger.giveBack(tallies);
        throw err;
      }
    }
    this.last = await store.history(this.days());
    // The store holds other routes at 100% than this replica sees (a Redis that came back empty,
    // another replica on another config): marked again next time, so each replica's view lands.
    if (this.fullNow !== undefined && this.marks.length === 0 && !sameRoutes(this.fullNow, Object.keys(this.last.full))) this.marks.push([...this.fullNow]);
    if (this.failing) this.deps.diagnostics.logger.info('figway: the migration map history is written again');
    this.failing = false;
  }

  private report(err: unknown): void {
    this.last = undefined;
    if (!this.failing) this.deps.diagnostics.warnOnce('FIGWAY_MAP_HISTORY_UNWRITTEN', "figway: could not write the migration map's history to the state store", { err });
    this.failing = true;
  }

  /** The days the retire rule looks at: from retireAfter ago to today. */
  private days(): string[] {
    const now = this.deps.now();
    const list: string[] = [];
    for (let t = Math.floor((now - this.deps.retireAfterMs()) / DAY_MS) * DAY_MS; t <= now; t += DAY_MS) list.push(dayOf(t));
    return list;
  }
}

/**
 * Adds the routes at 100% now to the lists to write. More than two pending (a store away while
 * configs change) fold into what every one of them had, then the latest: written in that order,
 * a route that dipped below 100% in any of them still loses its time, and the queue stays small.
 */
function queueMarks(marks: string[][], latest: readonly string[]): void {
  marks.push([...latest]);
  if (marks.length <= 2) return;
  const last = marks.pop() as string[];
  const common = marks.reduce((kept, list) => {
    const set = new Set(list);
    return kept.filter((route) => set.has(route));
  });
  marks.splice(0, marks.length, common, last);
}

function sameRoutes(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(b);
  return a.length === set.size && a.every((route) => set.has(route));
}
