// The cross-field rules of services' settings that their schema cannot say: timeouts Node's timers can keep, TLS that fits its upstream.
import type { ConfigCheck } from '../config-kit/config-source.js';
import { MAX_TIMER_MS, parseDuration } from '../config-kit/units.js';
import type { ConfigProblem } from '../errors.js';
import type { TimeoutsConfig, UpstreamConfig } from './upstream-schema.js';

/** What of a config these rules read: the upstreams, and the timeouts of the defaults and each route. */
interface WithUpstreams {
  readonly defaults?: { readonly timeouts?: TimeoutsConfig };
  readonly upstreams?: Readonly<Record<string, UpstreamConfig>>;
  readonly routes: readonly { readonly timeouts?: TimeoutsConfig }[];
}

type Place = [(string | number)[], TimeoutsConfig | undefined];

/** The services' checks, by name (config/check-config.ts runs them with the rest). */
export const UPSTREAM_CHECKS = {
  timeoutsInRange(config, source) {
    const places: Place[] = [
      [['defaults', 'timeouts'], config.defaults?.timeouts],
      ...Object.entries(config.upstreams ?? {}).map(([name, upstream]): Place => [['upstreams', name, 'timeouts'], upstream.timeouts]),
      ...config.routes.map((route, index): Place => [['routes', index, 'timeouts'], route.timeouts]),
    ];
    return places.flatMap(([path, timeouts]) =>
      Object.entries(timeouts ?? {}).flatMap(([name, value]) => {
        const ms = parseDuration(value);
        if (ms > MAX_TIMER_MS) return [source.problem([...path, name], 'must be at most 24 days')];
        if (ms === 0 && name !== 'idle') return [source.problem([...path, name], 'must be more than 0 (only idle may be 0, meaning off)')];
        return [];
      }),
    );
  },

  upstreamTlsFitsItsUpstream(config, source) {
    return Object.entries(config.upstreams ?? {}).flatMap(([name, upstream]) => {
      const tls = upstream.tls;
      if (!tls) return [];
      const at = (field?: string) => ['upstreams', name, 'tls', ...(field === undefined ? [] : [field])];
      if (!upstream.url.startsWith('https://')) return [source.problem(at(), 'applies to https:// upstreams only, and this url is http://')];
      const problems: ConfigProblem[] = [];
      for (const [inline, file] of [['ca', 'caFile'], ['cert', 'certFile'], ['key', 'keyFile']] as const) {
        if (tls[inline] !== undefined && tls[file] !== undefined) problems.push(source.problem(at(file), `cannot go with ${inline}: the PEM inline or a file, not both`));
      }
      const certificate = tls.cert ?? tls.certFile;
      const key = tls.key ?? tls.keyFile;
      if ((certificate === undefined) !== (key === undefined)) {
        problems.push(source.problem(at(certificate === undefined ? (tls.key === undefined ? 'keyFile' : 'key') : tls.cert === undefined ? 'certFile' : 'cert'), certificate === undefined ? 'needs its certificate (cert or certFile)' : 'needs its key (key or keyFile)'));
      }
      return problems;
    });
  },
} satisfies Record<string, ConfigCheck<WithUpstreams>>;
