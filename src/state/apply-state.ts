// Runtime state applied to the file's config: rollout overrides merged per route.
import { inlineSource } from '../config-kit/config-source.js';
import { validateSchema } from '../config-kit/validate-schema.js';
import type { ConfigProblem } from '../errors.js';
import { RolloutOverrideSchema, type RolloutOverride, type RuntimeState } from './runtime-state.js';

/** An override that cannot apply to the current file (a cohort the file no longer defines...). */
export interface IgnoredOverride {
  readonly route: string;
  readonly problems: readonly ConfigProblem[];
}

/** What of the config an override is checked against: the cohorts it may name. */
interface ConfigCohorts {
  readonly cohorts?: Readonly<Record<string, unknown>>;
}

/** What of a route the runtime state changes: its rollout. */
interface StatefulRoute {
  readonly id: string;
  readonly rollout?: object;
}

/**
 * Problems with an override for a route of `config`: its own shape (ranges, sticky keys) and
 * whether the cohorts it names exist. Empty when it can apply.
 */
export function checkOverride(config: ConfigCohorts, routeId: string, override: RolloutOverride): ConfigProblem[] {
  const source = inlineSource('<runtime>');
  const problems = validateSchema(RolloutOverrideSchema, override, source, ['routes', routeId, 'rollout']);
  const cohorts = Object.keys(config.cohorts ?? {});
  for (const name of Object.keys(override.cohorts ?? {})) {
    if (!cohorts.includes(name)) problems.push(source.problem(['routes', routeId, 'rollout', 'cohorts', name], `unknown cohort "${name}" (known: ${cohorts.join(', ') || 'none'})`));
  }
  return problems;
}

/**
 * A route of the file with its runtime override merged over its rollout. An override that no
 * longer fits the file (a cohort it no longer defines...) is skipped and its problems returned, so
 * a config change never fails because of an old runtime change; overrides for routes the file no
 * longer has stay in the state but do nothing.
 */
export function applyRouteState<R extends StatefulRoute>(config: ConfigCohorts, route: R, state: RuntimeState): { route: R; ignored: IgnoredOverride | undefined } {
  const override = state.routes[route.id];
  let merged = route;
  let ignored: IgnoredOverride | undefined;
  if (override) {
    const problems = checkOverride(config, route.id, override);
    if (problems.length > 0) ignored = { route: route.id, problems };
    else merged = { ...route, rollout: { ...route.rollout, ...override } };
  }
  return { route: merged, ignored };
}
