// The strangled share over a sliding window: of the requests a route matched lately, how many a service served.

const SLOTS = 30;

interface RouteSlots {
  readonly epoch: number[];
  readonly service: number[];
  readonly total: number[];
}

/**
 * Counts, per route, requests and those served by the service over the last `windowMs`, in 30
 * slots, so the share moves with the rollout instead of averaging the whole uptime. A route is a
 * route id, or any other key (the migration map counts monolith endpoints by their Express route).
 */
export class StrangledWindow<K = string> {
  private readonly routes = new Map<K, RouteSlots>();
  private readonly slotMs: number;

  constructor(
    readonly windowMs: number,
    private readonly now: () => number,
  ) {
    this.slotMs = Math.max(1, Math.floor(windowMs / SLOTS));
  }

  /** Records one finished request of `route`. */
  record(route: K, servedByService: boolean): void {
    let slots = this.routes.get(route);
    if (!slots) {
      slots = { epoch: new Array<number>(SLOTS).fill(-1), service: new Array<number>(SLOTS).fill(0), total: new Array<number>(SLOTS).fill(0) };
      this.routes.set(route, slots);
    }
    const epoch = Math.floor(this.now() / this.slotMs);
    const i = epoch % SLOTS;
    if (slots.epoch[i] !== epoch) {
      slots.epoch[i] = epoch;
      slots.service[i] = 0;
      slots.total[i] = 0;
    }
    slots.total[i] = (slots.total[i] as number) + 1;
    if (servedByService) slots.service[i] = (slots.service[i] as number) + 1;
  }

  /** Per route and overall: [service, total] within the window. Routes without traffic are absent. */
  counts(): { perRoute: Map<K, [number, number]>; overall: [number, number] } {
    const oldest = Math.floor(this.now() / this.slotMs) - SLOTS + 1;
    const perRoute = new Map<K, [number, number]>();
    const overall: [number, number] = [0, 0];
    for (const [route, slots] of this.routes) {
      let service = 0;
      let total = 0;
      for (let i = 0; i < SLOTS; i++) {
        if ((slots.epoch[i] as number) < oldest) continue;
        service += slots.service[i] as number;
        total += slots.total[i] as number;
      }
      if (total === 0) continue;
      perRoute.set(route, [service, total]);
      overall[0] += service;
      overall[1] += total;
    }
    return { perRoute, overall };
  }

  /** Forgets routes that are no longer configured. */
  keepOnly(routes: ReadonlySet<K>): void {
    for (const route of this.routes.keys()) if (!routes.has(route)) this.routes.delete(route);
  }
}
