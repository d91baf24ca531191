// The opt-in QA override: a header or cookie set to `always` or `never` chooses the side.
import type { Cohort } from './cohorts.js';
import { inCohort } from './cohorts.js';
import type { RequestView } from './request-view.js';
import type { Side } from './decision.js';

/** The compiled `override` section; absent when the config does not enable it. */
export interface Override {
  readonly header: string | undefined;
  readonly cookie: string | undefined;
  /** Only requests in this cohort may override. */
  readonly cohort: Cohort | undefined;
}

/** The side the request asks for, if overriding is enabled, allowed for it, and asked for. */
export function overrideSide(override: Override, view: RequestView): Side | undefined {
  const fromHeader = override.header ? view.header(override.header) : undefined;
  const value = isChoice(fromHeader) ? fromHeader : override.cookie ? view.cookie(override.cookie) : undefined;
  if (!isChoice(value)) return undefined;
  if (override.cohort && !inCohort(override.cohort, view)) return undefined;
  return value === 'always' ? 'service' : 'legacy';
}

function isChoice(value: string | undefined): value is 'always' | 'never' {
  return value === 'always' || value === 'never';
}
