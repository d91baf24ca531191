// What shadow traffic found per route: counts, the metric, and the last mismatching samples.
import type { Static } from '@sinclair/typebox';
import type { Counter } from 'prom-client';
import type { ShadowReportSchema, ShadowSampleSchema } from './shadow-report-schema.js';

/** How one shadowed request ended. */
export type ShadowResult = 'match' | 'mismatch' | 'error' | 'skipped';

/** One mismatching (or failed) pair, redacted and size-capped, as the admin API shows it. */
export type ShadowSample = Readonly<Static<typeof ShadowSampleSchema>>;

/** A route's shadow figures on this process since it started. */
export type ShadowReport = Readonly<Static<typeof ShadowReportSchema>>;

interface RouteBook {
  matches: number;
  mismatches: number;
  errors: number;
  skipped: number;
  samples: ShadowSample[];
}

/** Keeps each route's figures and at most `keep` samples per route, so memory is bounded by the config, not the traffic. */
export class ShadowBook {
  private readonly routes = new Map<string, RouteBook>();

  constructor(private readonly counter: Counter<'route' | 'result'>) {}

  record(routeId: string, result: ShadowResult, sample?: ShadowSample, keep = 0): void {
    this.counter.inc({ route: routeId, result });
    const book = this.bookOf(routeId);
    if (result === 'match') book.matches += 1;
    else if (result === 'mismatch') book.mismatches += 1;
    else if (result === 'error') book.errors += 1;
    else book.skipped += 1;
    if (sample && keep > 0) {
      book.samples.unshift(sample);
      if (book.samples.length > keep) book.samples.length = keep;
    }
  }

  report(routeId: string): ShadowReport {
    const book = this.routes.get(routeId);
    if (!book) return { compared: 0, mismatches: 0, errors: 0, skipped: 0, samples: [] };
    return { compared: book.matches + book.mismatches, mismatches: book.mismatches, errors: book.errors, skipped: book.skipped, samples: [...book.samples] };
  }

  private bookOf(routeId: string): RouteBook {
    let book = this.routes.get(routeId);
    if (!book) {
      book = { matches: 0, mismatches: 0, errors: 0, skipped: 0, samples: [] };
      this.routes.set(routeId, book);
    }
    return book;
  }
}
