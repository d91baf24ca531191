// The cross-field rules of cohorts and the override that their schema cannot say: cohorts that exist, address ranges that parse, an override with a source.
import { parseCidr } from '../config-kit/cidr.js';
import type { ConfigCheck } from '../config-kit/config-source.js';
import type { CohortConfig } from './cohort-schema.js';

/** What of a config these rules read: the cohorts, the override, and the cohorts each route's rollout names. */
interface WithCohorts {
  readonly cohorts?: Readonly<Record<string, CohortConfig>>;
  readonly override?: { readonly header?: string; readonly cookie?: string; readonly cohort?: string };
  readonly routes: readonly { readonly rollout?: { readonly cohorts?: Readonly<Record<string, string>> } }[];
}

/** The rollout's checks, by name (config/check-config.ts runs them with the rest). */
export const ROLLOUT_CHECKS = {
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

  overrideHasASource(config, source) {
    const override = config.override;
    if (!override || override.header !== undefined || override.cookie !== undefined) return [];
    return [source.problem(['override'], 'needs a header or a cookie to read the override from')];
  },
} satisfies Record<string, ConfigCheck<WithCohorts>>;
