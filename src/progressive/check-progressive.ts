// The cross-field rules of a progressive rollout that its schema cannot say: steps replace the percent, and go up.
import type { ConfigCheck } from '../config-kit/config-source.js';
import type { ProgressiveConfig } from './progressive-schema.js';

/** What of a config these rules read: each route's rollout. */
interface RoutesWithRollouts {
  readonly routes: readonly { readonly rollout?: ProgressiveConfig & { readonly percent?: number } }[];
}

/** The progressive rollout's checks, by name (config/check-config.ts runs them with the rest). */
export const PROGRESSIVE_CHECKS = {
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
} satisfies Record<string, ConfigCheck<RoutesWithRollouts>>;
