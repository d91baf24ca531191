// Runtime state applied to the file's config: rollout overrides merged per route, progressive schedules' percents.
import { inlineSource } from '../config/config-source.js';
import type { FigwayConfig } from '../config/schema.js';
import { validateSchema } from '../config/validate-schema.js';
import type { ConfigProblem } from '../errors.js';
import { percentOf, reconcile } from '../progressive/schedule.js';
import { RolloutOverrideSchema, type RolloutOverride, type RuntimeState } from './runtime-state.js';

/** An override that cannot apply to the current file (a cohort the file no longer defines...). */
export interface IgnoredOverride {
  readonly route: string;
  readonly problems: readonly ConfigProblem[];
}

/**
 * Problems with an override for a route of `config`: its own shape (ranges, sticky keys) and
 * whether the cohorts it names exist. Empty when it can apply.
 */
export function checkOverride(config: FigwayConfig, routeId: string, override: RolloutOverride): ConfigProblem[] {
  const source = inlineSource('<runtime>');
  const problems = validateSchema(RolloutOverrideSchema, override, source, ['routes', routeId, 'rollout']);
  const cohorts = Object.keys(config.cohorts ?? {});
  for (const name of Object.keys(override.cohorts ?? {})) {
    if (!cohorts.includes(name)) problems.push(source.problem(['routes', routeId, 'rollout', 'cohorts', name], `unknown cohort "${name}" (known: ${cohorts.join(', ') || 'none'})`));
  }
  return problems;
}

/**
 * The config with each route's runtime override merged over its file rollout. Overrides for routes
 * the file no longer has stay in the state but do nothing; overrides that no longer fit the file are
 * skipped and reported, so a config change never fails because of an old runtime change.
 */
export function applyState(config: FigwayConfig, state: RuntimeState): { config: FigwayConfig; ignored: IgnoredOverride[] } {
  const ignored: IgnoredOverride[] = [];
  const routes = config.routes.map((route) => {
    const override = state.routes[route.id];
    let merged = route;
    if (override) {
      const problems = checkOverride(config, route.id, override);
      if (problems.length > 0) ignored.push({ route: route.id, problems });
      else merged = { ...route, rollout: { ...route.rollout, ...override } };
    }
    // A progressive rollout's schedule sets the percent, whatever else was changed.
    const steps = route.rollout?.steps;
    if (!steps) return merged;
    return { ...merged, rollout: { ...merged.rollout, percent: percentOf(reconcile(steps, state.progressive[route.id], 0)) } };
  });
  return { config: { ...config, routes }, ignored };
}
