// The built-in `live-stats` plugin: in-process figures per route and side, for the admin API,
// the admin page and the progressive-rollout guard (no Prometheus needed).
import { Type, type Static } from '@sinclair/typebox';
import { parseDuration } from '../config-kit/units.js';
import type { FigwayPlugin, RouteInfo } from '../types.js';
import { SideWindow, sideFiguresSchema, type SideFigures } from './side-window.js';

/** The share of `what` the service served within the window, as GET /stats shows it. */
export const strangledSchema = (what: string) =>
  Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: `Share of ${what} the service served within the window; absent without requests.` }));

/** One route's figures, as GET /stats shows them. */
export const RouteStatsSchema = Type.Object(
  { id: Type.String({ description: 'Route id.' }), service: sideFiguresSchema('the service'), legacy: sideFiguresSchema('legacy'), strangled: strangledSchema("the route's requests") },
  { additionalProperties: false },
);

/** One route's figures. */
export type RouteStats = Readonly<Static<typeof RouteStatsSchema>>;

/** The figures and the plugin that keeps them. */
export interface LiveStats {
  readonly plugin: FigwayPlugin<{ window?: number | string }>;
  readonly windowMs: () => number;
  /** Every configured route's figures, and the overall strangled share. */
  snapshot(): { routes: RouteStats[]; strangled: number | undefined };
  /** A route's two sides over the window, or only the part of it since `since` (ms). */
  figures(routeId: string, since?: number): Record<'service' | 'legacy', SideFigures>;
}

/**
 * Creates the live-stats plugin. Each finished request of a route that reached a side is recorded
 * with its latency and whether it failed (5xx, or cut short before the end).
 *
 * @example
 * ```yaml
 * plugins:
 *   live-stats: { window: 1m }
 * ```
 */
export function createLiveStats(clock: () => number = Date.now): LiveStats {
  let window = new SideWindow(60_000, clock);
  let routes: readonly RouteInfo[] = [];
  const figures = (id: string, since?: number) => window.figures(id, since);
  return {
    windowMs: () => window.windowMs,
    figures,
    snapshot() {
      let service = 0;
      let total = 0;
      const list = routes.map((route): RouteStats => {
        const f = figures(route.id);
        const requests = f.service.requests + f.legacy.requests;
        service += f.service.requests;
        total += requests;
        return { id: route.id, ...f, strangled: requests === 0 ? undefined : f.service.requests / requests };
      });
      return { routes: list, strangled: total === 0 ? undefined : service / total };
    },
    plugin: {
      name: 'live-stats',
      order: -100,
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          window: {
            type: ['integer', 'string'],
            pattern: '^[0-9]+(\\.[0-9]+)?(ms|s|m)$',
            description: 'Window of the in-process figures (admin page, GET /stats, the rollout guard): milliseconds, or "30s", "5m". Default 1m.',
          },
        },
      },
      setup: ({ options, now }) => {
        const windowMs = parseDuration(options.window ?? '1m');
        if (window.windowMs !== windowMs) window = new SideWindow(windowMs, now);
        const current = window;
        return {
          onResponse(ctx) {
            const side = ctx.decision?.side;
            if (!side) return;
            // A request legacy served because the service failed is the service's failure.
            const failed = ctx.target === 'fallback' || ctx.res.statusCode >= 500 || !ctx.res.writableFinished;
            current.record(ctx.route.id, side, failed, (performance.now() - ctx.startedAt) / 1000);
          },
        };
      },
      onConfig(event) {
        if (event.kind === 'rejected') return;
        routes = event.routes;
        // Only a reload drops routes; forgetting them can wait a turn, off the turn that swaps the config in.
        if (event.kind === 'reloaded') setImmediate(() => window.keepOnly(new Set(routes.map((route) => route.id))));
      },
    },
  };
}
