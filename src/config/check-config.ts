// Cross-field rules the schema cannot express, each a named check that reports where it failed.
import { isIPv4 } from 'node:net';
import type { ConfigProblem } from '../errors.js';
import { parseCidr } from '../config-kit/cidr.js';
import { parsePathPattern } from '../routing/path-pattern.js';
import { hasPrefix } from '../routing/path-prefix.js';
import type { ConfigSource } from '../config-kit/config-source.js';
import type { TimeoutsConfig } from '../proxy/upstream-schema.js';
import { fillAdmin, SINGLE_ADMIN_TOKEN_NAME, type FigwayConfig, type RouteConfig } from './schema.js';
import { parseDuration } from '../config-kit/units.js';

const URL_PATTERN = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/;
// Node's timers take at most 2^31 - 1 ms; a larger value silently becomes 1 ms.
const MAX_TIMER_MS = 2 ** 31 - 1;

type Check = (config: FigwayConfig, source: ConfigSource) => ConfigProblem[];

/** Every cross-field check, in the order problems are listed. */
const CHECKS: Record<string, Check> = {
  routeIdsAreUnique(config, source) {
    const seen = new Map<string, number>();
    return config.routes.flatMap((route, index) => {
      const first = seen.get(route.id);
      if (first === undefined) {
        seen.set(route.id, index);
        return [];
      }
      return [source.problem(['routes', index, 'id'], `duplicate route id "${route.id}" (first used by routes[${first}])`)];
    });
  },

  upstreamsExist(config, source) {
    const names = Object.keys(config.upstreams ?? {});
    return config.routes.flatMap((route, index) => {
      if (names.includes(route.upstream)) return [];
      if (route.upstream.includes('://')) {
        return URL_PATTERN.test(route.upstream)
          ? []
          : [source.problem(['routes', index, 'upstream'], 'must be an http:// or https:// URL without query or fragment')];
      }
      const known = names.length > 0 ? `known: ${names.join(', ')}` : 'no upstreams are defined';
      return [source.problem(['routes', index, 'upstream'], `unknown upstream "${route.upstream}" (${known}; or give a URL)`)];
    });
  },

  pathsParse(config, source) {
    return config.routes.flatMap((route, index) => {
      const parsed = parsePathPattern(route.match.path, route.match.exact);
      return typeof parsed === 'string' ? [source.problem(['routes', index, 'match', 'path'], parsed)] : [];
    });
  },

  stripPrefixIsAPrefix(config, source) {
    return config.routes.flatMap((route, index) => {
      const strip = route.rewrite?.stripPrefix;
      if (strip === undefined) return [];
      const literal = route.match.path.split('/:')[0]?.replace(/\/\*$/, '') ?? '';
      const stripped = strip.endsWith('/') && strip.length > 1 ? strip.slice(0, -1) : strip;
      return hasPrefix(literal, stripped, config.matching?.caseSensitive ?? false)
        ? []
        : [source.problem(['routes', index, 'rewrite', 'stripPrefix'], `"${strip}" is not a prefix of match.path "${route.match.path}", so it would never apply`)];
    });
  },

  routesAreReachable(config, source) {
    const seen = new Map<string, number>();
    return config.routes.flatMap((route, index) => {
      const key = matchKey(route, config.matching?.caseSensitive ?? false);
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, index);
        return [];
      }
      return [source.problem(['routes', index, 'match'], `can never match: routes[${first}] ("${config.routes[first]?.id}") takes the same requests`)];
    });
  },

  cohortsExist(config, source) {
    const names = Object.keys(config.cohorts ?? {});
    const unknown = (name: string) => `unknown cohort "${name}" (${names.length > 0 ? `known: ${names.join(', ')}` : 'no cohorts are defined'})`;
    const problems = config.routes.flatMap((route, index) =>
      Object.keys(route.rollout?.cohorts ?? {})
        .filter((name) => !names.includes(name))
        .map((name) => source.problem(['routes', index, 'rollout', 'cohorts', name], unknown(name), true)),
    );
    const overrideCohort = config.override?.cohort;
    if (overrideCohort !== undefined && !names.includes(overrideCohort)) problems.push(source.problem(['override', 'cohort'], unknown(overrideCohort)));
    return problems;
  },

  cidrsParse(config, source) {
    return Object.entries(config.cohorts ?? {}).flatMap(([name, cohort]) =>
      (cohort.cidr ?? []).flatMap((text, index) => {
        const parsed = parseCidr(text);
        return typeof parsed === 'string' ? [source.problem(['cohorts', name, 'cidr', index], parsed)] : [];
      }),
    );
  },

  timeoutsInRange(config, source) {
    const places: [(string | number)[], TimeoutsConfig | undefined][] = [
      [['defaults', 'timeouts'], config.defaults?.timeouts],
      ...Object.entries(config.upstreams ?? {}).map(([name, upstream]): [(string | number)[], TimeoutsConfig | undefined] => [['upstreams', name, 'timeouts'], upstream.timeouts]),
      ...config.routes.map((route, index): [(string | number)[], TimeoutsConfig | undefined] => [['routes', index, 'timeouts'], route.timeouts]),
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

  stepsReplacePercent(config, source) {
    return config.routes.flatMap((route, index) => {
      const rollout = route.rollout;
      if (!rollout?.steps) {
        const stray = (['minStepTime', 'minStepRequests', 'guard'] as const).filter((name) => rollout?.[name] !== undefined);
        return stray.map((name) => source.problem(['routes', index, 'rollout', name], 'applies only to a progressive rollout (rollout.steps)'));
      }
      const problems = [];
      if (rollout.percent !== undefined) problems.push(source.problem(['routes', index, 'rollout', 'percent'], 'cannot go with steps: the steps set the percent'));
      if (rollout.steps.some((step, i) => i > 0 && step <= (rollout.steps?.[i - 1] as number))) {
        problems.push(source.problem(['routes', index, 'rollout', 'steps'], 'must go up: each step above the one before'));
      }
      return problems;
    });
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

  stateStoreHasItsSettings(config, source) {
    const state = config.state;
    if (state?.store === 'redis' && state.url === undefined) return [source.problem(['state', 'url'], 'is required when store is redis')];
    if (state?.store === 'file' && (state.url !== undefined || state.prefix !== undefined)) {
      return [source.problem(['state'], 'url and prefix are for store: redis')];
    }
    return [];
  },

  adminIsNotOpenToTheNetwork(config, source) {
    const admin = config.admin;
    if (!admin || isLoopback(fillAdmin(admin).host)) return [];
    if (admin.token === undefined && admin.tokens === undefined) {
      return [source.problem(['admin', 'token'], `is required (or admin.tokens): the admin API would listen on ${admin.host} without one (use \${FIGWAY_ADMIN_TOKEN})`)];
    }
    if (admin.requireToken === false) {
      return [source.problem(['admin', 'requireToken'], `can only be false on loopback: the admin API would listen on ${admin.host} without asking for its token`)];
    }
    return [];
  },

  adminTokensAreOneEach(config, source) {
    const admin = config.admin;
    if (!admin?.tokens) return [];
    const names = new Map<string, string>(admin.token === undefined ? [] : [[SINGLE_ADMIN_TOKEN_NAME, 'admin.token']]);
    const secrets = new Map<string, string>(admin.token === undefined ? [] : [[admin.token, 'admin.token']]);
    return admin.tokens.flatMap((entry, index) => {
      const at = `admin.tokens[${index}]`;
      const problems: ConfigProblem[] = [];
      if ((entry.token === undefined) === (entry.tokenFile === undefined)) {
        problems.push(source.problem(['admin', 'tokens', index], 'needs one of token and tokenFile'));
      }
      const sameName = names.get(entry.name);
      if (sameName !== undefined) problems.push(source.problem(['admin', 'tokens', index, 'name'], `"${entry.name}" is already the name of ${sameName}: the audit log could not tell them apart`));
      names.set(entry.name, at);
      const sameSecret = entry.token === undefined ? undefined : secrets.get(entry.token);
      if (sameSecret !== undefined) problems.push(source.problem(['admin', 'tokens', index, 'token'], `is the same token as ${sameSecret}: each holder needs their own`));
      if (entry.token !== undefined) secrets.set(entry.token, at);
      return problems;
    });
  },

  jwtHasOneKey(config, source) {
    const jwt = config.auth?.jwt;
    if (!jwt) return [];
    const given = ['secret', 'publicKey', 'jwksUrl'].filter((k) => jwt[k as keyof typeof jwt] !== undefined);
    if (given.length === 1) return [];
    return [source.problem(['auth', 'jwt'], given.length === 0 ? 'needs one of secret, publicKey, jwksUrl' : `takes one of secret, publicKey, jwksUrl, not ${given.join(' and ')}`)];
  },

  jwtAlgorithmsFitTheKey(config, source) {
    const jwt = config.auth?.jwt;
    if (!jwt?.algorithms) return [];
    const symmetric = jwt.secret !== undefined;
    return jwt.algorithms.flatMap((alg, index) =>
      alg.startsWith('HS') === symmetric
        ? []
        : [source.problem(['auth', 'jwt', 'algorithms', index], symmetric ? `${alg} needs a public key, not a secret` : `${alg} needs a secret, not a public key`)],
    );
  },

  authSourcesAreConfigured(config, source) {
    return (config.auth?.sources ?? []).flatMap((name, index) => {
      if (name === 'jwt' && !config.auth?.jwt) return [source.problem(['auth', 'sources', index], 'jwt is listed but auth.jwt is not configured')];
      if (name === 'apiKey' && !config.auth?.apiKeys) return [source.problem(['auth', 'sources', index], 'apiKey is listed but auth.apiKeys is not configured')];
      return [];
    });
  },

  limitsStoreIsComplete(config, source) {
    const limits = config.limits;
    if (limits?.store !== 'redis') return [];
    const problems = [];
    if (!limits.redis) problems.push(source.problem(['limits', 'redis'], 'is required when store is redis'));
    if (!limits.onStoreError) problems.push(source.problem(['limits', 'onStoreError'], 'is required when store is redis: say what happens when Redis is down (open or closed)'));
    return problems;
  },

  limitWindowsFitTimers(config, source) {
    // The in-memory store clears expired counters on a timer of the window's length.
    const places: [(string | number)[], string | number][] = [];
    if (config.limits?.global) places.push([['limits', 'global', 'window'], config.limits.global.window]);
    config.routes.forEach((route, index) => {
      const { limits } = route;
      if (limits === undefined || limits === false) return;
      if (Array.isArray(limits)) limits.forEach((limit, at) => places.push([['routes', index, 'limits', at, 'window'], limit.window]));
      else places.push([['routes', index, 'limits', 'window'], limits.window]);
    });
    return places.flatMap(([path, window]) => {
      const ms = parseDuration(window);
      if (ms < 1) return [source.problem(path, 'must be at least 1ms')];
      if (ms > MAX_TIMER_MS) return [source.problem(path, 'must be at most 24 days')];
      return [];
    });
  },

  overrideHasASource(config, source) {
    const override = config.override;
    if (!override || override.header !== undefined || override.cookie !== undefined) return [];
    return [source.problem(['override'], 'needs a header or a cookie to read the override from')];
  },
};

/** Whether an address only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  // Names other than localhost can resolve anywhere (127.example.com), so only an address counts.
  if (isIPv4(host)) return host.startsWith('127.');
  return host === 'localhost' || host === '::1' || host === '::ffff:127.0.0.1';
}

/**
 * Runs every cross-field check; returns all problems found. With `lenient` (some values came from
 * environment variables that are not set, and are empty), a check those values make fail is skipped.
 */
export function checkConfig(config: FigwayConfig, source: ConfigSource, lenient = false): ConfigProblem[] {
  return Object.values(CHECKS).flatMap((check) => {
    if (!lenient) return check(config, source);
    try {
      return check(config, source);
    } catch {
      return [];
    }
  });
}

/** Two routes with the same key take exactly the same requests. */
function matchKey(route: RouteConfig, caseSensitive: boolean): string {
  const { match } = route;
  const path = caseSensitive ? match.path : match.path.toLowerCase();
  const normalizedPath = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const sorted = (value: string | string[] | undefined) => (value === undefined ? [] : [value].flat().map((v) => v.toLowerCase()).sort());
  const headers = Object.entries(match.headers ?? {})
    .map(([name, value]) => [name.toLowerCase(), value] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([
    normalizedPath.replace(/:[A-Za-z0-9_]+/g, ':'),
    match.exact === true,
    sorted(match.methods),
    sorted(match.host),
    headers,
  ]);
}
