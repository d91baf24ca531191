// What shadow traffic found per route: counts, the metric, and the last mismatching samples.
import type { Counter } from 'prom-client';

/** How one shadowed request ended. */
export type ShadowResult = 'match' | 'mismatch' | 'error' | 'skipped';

/** One mismatching (or failed) pair, redacted and size-capped, as the admin API shows it. */
export interface ShadowSample {
  /** ISO 8601 time of the request. */
  readonly at: string;
  readonly request: { readonly method: string; readonly path: string };
  readonly primary: { readonly side: 'service' | 'legacy'; readonly status: number };
  readonly shadow: { readonly side: 'service' | 'legacy'; readonly status?: number; readonly error?: string };
  readonly differences: readonly string[];
}

/** A route's shadow figures on this process since it started. */
export interface ShadowReport {
  /** Pairs compared (matches and mismatches). */
  readonly compared: number;
  readonly mismatches: number;
  /** The shadow side failed or timed out. */
  readonly errors: number;
  /** Copies not made or not compared: the concurrency cap was full, a body too large, the client gone. */
  readonly skipped: number;
  /** Newest first. */
  readonly samples: readonly ShadowSample[];
}

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
