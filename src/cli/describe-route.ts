// One-cell descriptions of a route's parts (match, rollout, rewrite), shared by `routes` and `status`.
import { fillRouteDefaults } from '../config/schema.js';
import { DEFAULT_PERCENT } from '../rollout/rollout-schema.js';
import type { MatchAnswer, RewriteAnswer, RolloutAnswer } from './api-types.js';

const BUILT_IN = fillRouteDefaults({});

/** `25%`, `12.5%`. */
export function formatPercent(percent: number): string {
  return `${percent}%`;
}

/** `/api/orders GET,POST host=*.example.com header:x-beta` (exact paths end with `(exact)`). */
export function describeMatch(match: MatchAnswer): string {
  const parts = [match.exact ? `${match.path} (exact)` : match.path];
  if (match.methods?.length) parts.push(match.methods.map((method) => method.toUpperCase()).join(','));
  if (match.host) parts.push(`host=${typeof match.host === 'string' ? match.host : match.host.join('|')}`);
  for (const [name, value] of Object.entries(match.headers ?? {})) {
    parts.push(value === true ? `header:${name}` : `header:${name}=${Array.isArray(value) ? value.join('|') : String(value)}`);
  }
  return parts.join(' ');
}

/**
 * `25% sticky header:x-user-id,ip cohorts staff→service`, with the config's `defaults` filled in
 * (fillRouteDefaults). Sticky keys only matter strictly between 0% and 100%, so they are shown only there.
 */
export function describeRollout(rollout: RolloutAnswer | undefined, defaults: { readonly sticky: readonly string[]; readonly unkeyed: string }): string {
  const percent = rollout?.percent ?? DEFAULT_PERCENT;
  const parts = [formatPercent(percent)];
  if (percent > 0 && percent < 100) {
    parts.push(`sticky ${(rollout?.sticky ?? defaults.sticky).join(',')}`);
    const unkeyed = rollout?.unkeyed ?? defaults.unkeyed;
    // Said only when it is not the built-in side, which goes without saying.
    if (unkeyed !== BUILT_IN.unkeyed) parts.push(`unkeyed ${unkeyed}`);
  }
  const cohorts = Object.entries(rollout?.cohorts ?? {});
  if (cohorts.length > 0) parts.push(`cohorts ${cohorts.map(([name, side]) => `${name}→${side}`).join(',')}`);
  return parts.join(' ');
}

/** `strip /api add /v2`, or `-`. */
export function describeRewrite(rewrite: RewriteAnswer | undefined): string {
  const parts: string[] = [];
  if (rewrite?.stripPrefix) parts.push(`strip ${rewrite.stripPrefix}`);
  if (rewrite?.addPrefix) parts.push(`add ${rewrite.addPrefix}`);
  return parts.length > 0 ? parts.join(' ') : '-';
}

/**
 * `orders (http://127.0.0.1:4001)` for a named upstream; the URL alone for one written inline
 * (which figway names after its host).
 */
export function describeUpstream(upstream: { name: string; url: string }): string {
  const inline = upstream.name === upstream.url || (URL.canParse(upstream.url) && new URL(upstream.url).host === upstream.name);
  return inline ? upstream.url : `${upstream.name} (${upstream.url})`;
}
