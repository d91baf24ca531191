// map.countLegacy: requests the monolith's own handlers served, per endpoint, counted from the route Express matched.
import { METHODS, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Counter } from 'prom-client';
import { StrangledWindow } from '../observe/strangled-window.js';

/** One endpoint's series: an Express Route and a method (ALL for a route's `all` handler); also its key in the window. */
type EndpointSeries = ReturnType<Counter<'method' | 'path'>['labels']>;

/** The Express Route a request was dispatched to (`req.route`), as far as counting needs it. */
interface ExpressRoute {
  readonly methods?: Readonly<Record<string, boolean>>;
}

/**
 * Counts requests figway matched no route for, at response finish, by the Express route that
 * served them: one series per route pattern and method, never per raw path. A request Express
 * matched no route for (a 404, static files) is not counted.
 */
export class EndpointCounter {
  private window: StrangledWindow<EndpointSeries>;
  private readonly keys = new WeakMap<object, { readonly all: boolean; readonly byMethod: Map<string, EndpointSeries> }>();
  /** The one finish listener every counted response shares (no closure per request). */
  readonly finished: (this: ServerResponse) => void;

  /**
   * @param patternOf the route's path pattern from the app's root (read from the app's router once per route)
   */
  constructor(
    windowMs: number,
    private readonly now: () => number,
    private readonly counter: Counter<'method' | 'path'>,
    private readonly patternOf: (route: object) => string,
  ) {
    this.window = new StrangledWindow(windowMs, now);
    const count = (req: IncomingMessage) => this.count(req);
    this.finished = function finished(this: ServerResponse) {
      count(this.req);
    };
  }

  /** Counts `res` when it finishes. */
  watch(res: ServerResponse): void {
    res.on('finish', this.finished);
  }

  /** Requests within the window per endpoint (its Express route and method), read once for a whole map. */
  served(): (route: object, method: string) => number {
    const counts = this.window.counts().perRoute;
    return (route, method) => {
      const series = this.keys.get(route)?.byMethod.get(method);
      return series === undefined ? 0 : (counts.get(series)?.[1] ?? 0);
    };
  }

  /** Starts a window of another length (a reload changed map.window); counts so far are dropped. */
  resize(windowMs: number): void {
    if (this.window.windowMs !== windowMs) this.window = new StrangledWindow(windowMs, this.now);
  }

  private count(req: IncomingMessage): void {
    const route = (req as { route?: ExpressRoute }).route;
    if (typeof route !== 'object' || route === null) return;
    let seen = this.keys.get(route);
    if (seen === undefined) {
      seen = { all: takesEveryMethod(route), byMethod: new Map() };
      this.keys.set(route, seen);
    }
    const method = seen.all ? 'ALL' : methodOf(route, req.method ?? 'GET');
    let series = seen.byMethod.get(method);
    if (series === undefined) {
      series = this.counter.labels(method, this.patternOf(route));
      seen.byMethod.set(method, series);
    }
    this.window.record(series, false);
    series.inc();
  }
}

const EVERY_METHOD = METHODS.map((method) => method.toLowerCase());

/** `app.all` sets every method Node knows (route.all sets `_all`): the map lists such a route as one ALL endpoint, and counts it so. */
function takesEveryMethod(route: ExpressRoute): boolean {
  const methods = route.methods ?? {};
  return methods._all === true || EVERY_METHOD.every((method) => methods[method] === true);
}

/** The endpoint's method: HEAD is served by a GET handler unless the route has its own. */
function methodOf(route: ExpressRoute, method: string): string {
  const methods = route.methods ?? {};
  return method === 'HEAD' && !methods.head && methods.get ? 'GET' : method;
}
