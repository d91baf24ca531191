// Service and legacy side by side over a sliding window, per route: rate, error rate, latency quantiles.
import { Type, type Static } from '@sinclair/typebox';
import type { Side } from '../rollout/decision.js';

const SLOTS = 12;
const BUCKETS = 56;
const FIRST_BOUND = 0.0005;
const GROWTH = 1.25;
/** Upper bounds of the latency buckets in seconds: 0.5 ms, 0.625 ms, ... about 108 s (geometric: a quantile is reported at most 25% high). */
const BOUNDS = Array.from({ length: BUCKETS }, (_, i) => FIRST_BOUND * GROWTH ** i);

/** What one side of a route did within the window, as GET /stats shows it (`side` names it in the description). */
export const sideFiguresSchema = (side: string) =>
  Type.Object(
    {
      requests: Type.Integer({ minimum: 0, description: 'Requests within the window.' }),
      errors: Type.Integer({ minimum: 0, description: "Responses with a 5xx status (timeouts and upstream failures included) or cut short; on the service side, also the service's failures legacy then served (fallback)." }),
      errorRate: Type.Number({ minimum: 0, maximum: 1, description: 'errors / requests (0 without requests).' }),
      perSecond: Type.Number({ minimum: 0, description: 'Requests per second over the window.' }),
      p50: Type.Optional(Type.Number({ description: 'Median latency in seconds (upper bound of its histogram bucket); absent without requests.' })),
      p99: Type.Optional(Type.Number({ description: '99th percentile latency in seconds (upper bound of its histogram bucket); absent without requests.' })),
    },
    { additionalProperties: false, description: `What ${side} did within the window.` },
  );

/** What one side of a route did within the window. */
export type SideFigures = Readonly<Static<ReturnType<typeof sideFiguresSchema>>>;


interface SlotSide {
  requests: number;
  errors: number;
  latency: Uint32Array;
}

interface RouteSlots {
  readonly epoch: number[];
  readonly sides: Record<Side, (SlotSide | undefined)[]>;
}

/**
 * Per route and side, requests, errors and a latency histogram in 12 slots over `windowMs`. Memory
 * is taken only for routes with traffic (about 5 KB each) and only a slot's first request allocates.
 */
export class SideWindow {
  private readonly routes = new Map<string, RouteSlots>();
  private readonly slotMs: number;

  constructor(
    readonly windowMs: number,
    private readonly now: () => number,
  ) {
    this.slotMs = Math.max(1, Math.floor(windowMs / SLOTS));
  }

  /** Records one finished request. */
  record(route: string, side: Side, failed: boolean, seconds: number): void {
    let slots = this.routes.get(route);
    if (!slots) {
      slots = { epoch: new Array<number>(SLOTS).fill(-1), sides: { service: new Array(SLOTS).fill(undefined), legacy: new Array(SLOTS).fill(undefined) } };
      this.routes.set(route, slots);
    }
    const epoch = Math.floor(this.now() / this.slotMs);
    const i = epoch % SLOTS;
    if (slots.epoch[i] !== epoch) {
      slots.epoch[i] = epoch;
      for (const s of [slots.sides.service[i], slots.sides.legacy[i]]) {
        if (!s) continue;
        s.requests = 0;
        s.errors = 0;
        s.latency.fill(0);
      }
    }
    let slot = slots.sides[side][i];
    if (!slot) {
      slot = { requests: 0, errors: 0, latency: new Uint32Array(BUCKETS) };
      slots.sides[side][i] = slot;
    }
    slot.requests += 1;
    if (failed) slot.errors += 1;
    (slot.latency[bucketOf(seconds)] as number) += 1;
  }

  /**
   * Both sides of a route over the window (zeros without traffic); with `since`, only the slots that
   * began after it, so a judgement is not swayed by what came before (a previous step) — not even
   * by requests counted in the very millisecond a slot and a step began together.
   */
  figures(route: string, since = -Infinity): Record<Side, SideFigures> {
    return { service: this.side(route, 'service', since), legacy: this.side(route, 'legacy', since) };
  }

  /** Forgets routes that are no longer configured. */
  keepOnly(routes: ReadonlySet<string>): void {
    for (const route of this.routes.keys()) if (!routes.has(route)) this.routes.delete(route);
  }

  private side(route: string, side: Side, since: number): SideFigures {
    const slots = this.routes.get(route);
    const oldest = Math.max(Math.floor(this.now() / this.slotMs) - SLOTS + 1, Math.floor(since / this.slotMs) + 1);
    let requests = 0;
    let errors = 0;
    const latency = new Array<number>(BUCKETS).fill(0);
    if (slots) {
      for (let i = 0; i < SLOTS; i++) {
        const slot = slots.sides[side][i];
        if (!slot || (slots.epoch[i] as number) < oldest) continue;
        requests += slot.requests;
        errors += slot.errors;
        for (let b = 0; b < BUCKETS; b++) latency[b] = (latency[b] as number) + (slot.latency[b] as number);
      }
    }
    return {
      requests,
      errors,
      errorRate: requests === 0 ? 0 : errors / requests,
      perSecond: requests / (this.windowMs / 1000),
      p50: quantile(latency, requests, 0.5),
      p99: quantile(latency, requests, 0.99),
    };
  }
}

function bucketOf(seconds: number): number {
  for (let b = 0; b < BUCKETS - 1; b++) if (seconds <= (BOUNDS[b] as number)) return b;
  return BUCKETS - 1;
}

function quantile(latency: readonly number[], total: number, q: number): number | undefined {
  if (total === 0) return undefined;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let b = 0; b < BUCKETS; b++) {
    seen += latency[b] as number;
    if (seen >= rank) return BOUNDS[b];
  }
  return BOUNDS[BUCKETS - 1];
}
