// A route's rollout, compiled to what the decide stage reads: percent as buckets, sticky keys, cohorts, override, kill switch.
import type { Static, TObject } from '@sinclair/typebox';
import type { SharedParts } from '../config-kit/shared-parts.js';
import type { Cohort } from './cohorts.js';
import { percentToThreshold, type Rollout } from './decide-side.js';
import type { Override } from './override.js';
import type { OverrideConfig } from './override-schema.js';
import { DEFAULT_PERCENT, type ROLLOUT_FIELDS } from './rollout-schema.js';
import { compileSticky } from './sticky-key.js';

/** A route's `rollout` fields that decide a request's side, as the file has them. */
export type RolloutConfig = Static<TObject<typeof ROLLOUT_FIELDS>>;

/** What every route's rollout of one compile shares. */
export interface RolloutCompile {
  /** The config's `defaults.sticky` and `defaults.unkeyed`, filled in. */
  readonly defaults: { readonly sticky: readonly string[]; readonly unkeyed: NonNullable<RolloutConfig['unkeyed']> };
  readonly cohorts: ReadonlyMap<string, Cohort>;
  readonly override: Override | undefined;
  /** The kill switch. */
  readonly killed: boolean;
  readonly parts: SharedParts;
}

const NO_COHORTS: Rollout['cohorts'] = Object.freeze([]);

/** The route's rollout, with the defaults for what it leaves out; cohorts it names must be in `compile.cohorts` (the config's checks see to it). */
export function compileRollout(routeId: string, rollout: RolloutConfig = {}, compile: RolloutCompile): Rollout {
  const { defaults, parts } = compile;
  const percent = rollout.percent ?? DEFAULT_PERCENT;
  const sticky = rollout.sticky ?? defaults.sticky;
  return {
    routeId,
    percent,
    threshold: percentToThreshold(percent),
    sticky: parts.get(`sticky ${JSON.stringify(sticky)}`, () => Object.freeze(compileSticky(sticky))),
    unkeyed: rollout.unkeyed ?? defaults.unkeyed,
    cohorts: rollout.cohorts ? Object.entries(rollout.cohorts).map(([name, side]) => ({ cohort: compile.cohorts.get(name) as Cohort, side })) : NO_COHORTS,
    override: compile.override,
    killed: compile.killed,
  };
}

/** The rollout with only the kill switch changed. Field by field, as compileRollout: one hidden class for every route's rollout. */
export function withKillSwitch(rollout: Rollout, killed: boolean): Rollout {
  return {
    routeId: rollout.routeId,
    percent: rollout.percent,
    threshold: rollout.threshold,
    sticky: rollout.sticky,
    unkeyed: rollout.unkeyed,
    cohorts: rollout.cohorts,
    override: rollout.override,
    killed,
  };
}

/** The config's `override`, compiled; undefined when it is off. */
export function compileOverride(override: OverrideConfig | undefined, cohorts: ReadonlyMap<string, Cohort>): Override | undefined {
  if (!override) return undefined;
  return {
    header: override.header?.toLowerCase(),
    cookie: override.cookie,
    cohort: override.cohort === undefined ? undefined : cohorts.get(override.cohort),
  };
}

/** The route's rollout with the defaults that apply to it written out, so an audit sees what actually runs. */
export function effectiveRollout<R extends RolloutConfig>(defaults: RolloutCompile['defaults'], rollout: R | undefined): R {
  return { percent: DEFAULT_PERCENT, sticky: defaults.sticky, unkeyed: defaults.unkeyed, ...rollout } as R;
}
