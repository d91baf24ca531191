// Shadow traffic's runtime: its shadower (copies at dispatch), its book (what the copies found) and its counter, one set per gateway.
import type { FeatureRuntimePart } from '../feature-runtime.js';
import type { CompiledShadow } from './compile-shadow.js';
import { ShadowBook } from './shadow-book.js';
import { SHADOW_COMPARISONS, shadowComparisons } from './shadow-metrics.js';
import { ShadowAnswerSchema } from './shadow-report-schema.js';
import { Shadower } from './shadower.js';

/** Shadow traffic as a running feature: requests copied at dispatch, copies to legacy let through, `GET /routes/:id/shadow`. */
export const shadowRuntime: FeatureRuntimePart<CompiledShadow | undefined> = {
  metrics: [SHADOW_COMPARISONS],
  report: {
    summary:
      'What shadow traffic found on a route on this replica since it started: pairs compared, mismatches, shadow-side errors, skipped copies, and the last mismatching samples (newest first; query redacted, values cut, credentials hidden).',
    response: ShadowAnswerSchema,
  },
  make: ({ registry, random, now, forwarderFor }) => {
    const book = new ShadowBook(shadowComparisons(registry));
    const shadower = new Shadower(book, random, now, forwarderFor);
    return {
      atDispatch: (ctx, shadow) => shadower.consider(ctx, shadow),
      ownRequest: (req) => shadower.isCopy(req),
      report: ({ id, config }) => ({ id, shadow: config ?? null, ...book.report(id) }),
    };
  },
};
