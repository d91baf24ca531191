// Cross-field rules the schema cannot express, each a named check that reports where it failed.
import { isIPv4 } from 'node:net';
import type { ConfigProblem } from '../errors.js';
import { parsePathPattern } from '../routing/path-pattern.js';
import { hasPrefix } from '../routing/path-prefix.js';
import type { ConfigCheck, ConfigSource } from '../config-kit/config-source.js';
import { AUTH_CHECKS } from '../auth/check-auth.js';
import { LIMITS_CHECKS } from '../limits/check-limits.js';
import { PROGRESSIVE_CHECKS } from '../progressive/check-progressive.js';
import { ROLLOUT_CHECKS } from '../rollout/check-rollout.js';
import { UPSTREAM_CHECKS } from '../proxy/check-upstreams.js';
import { STATE_CHECKS } from '../state/check-state.js';
import { SESSION_CHECKS } from '../session/check-session.js';
import { fillAdmin, SINGLE_ADMIN_TOKEN_NAME, type FigwayConfig, type RouteConfig } from './schema.js';

const URL_PATTERN = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/;

type Check = ConfigCheck<FigwayConfig>;

/**
 * Every cross-field check, in the order problems are listed: the config's own, and those of the
 * capabilities that keep their rules in their folders (rollout, progressive, proxy, state, auth, limits, session).
 */
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

  cohortsExist: ROLLOUT_CHECKS.cohortsExist,
  cidrsParse: ROLLOUT_CHECKS.cidrsParse,
  timeoutsInRange: UPSTREAM_CHECKS.timeoutsInRange,
  ...PROGRESSIVE_CHECKS,
  upstreamTlsFitsItsUpstream: UPSTREAM_CHECKS.upstreamTlsFitsItsUpstream,

  ...STATE_CHECKS,

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

  ...AUTH_CHECKS,
  ...LIMITS_CHECKS,
  ...SESSION_CHECKS,

  overrideHasASource: ROLLOUT_CHECKS.overrideHasASource,
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
