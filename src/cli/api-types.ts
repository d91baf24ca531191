// The admin API's answers, as far as the CLI reads them (the API is the source of truth: see src/admin/admin-endpoints.ts).

/** A rollout as the API shows it. */
export interface RolloutAnswer {
  readonly percent?: number;
  readonly sticky?: readonly string[];
  readonly unkeyed?: string;
  readonly cohorts?: Readonly<Record<string, string>>;
  readonly steps?: readonly number[];
}

/** One route of GET /routes, GET /routes/:id and the rollout changes. */
export interface RouteAnswer {
  readonly id: string;
  readonly match: MatchAnswer;
  readonly upstream: { readonly name: string; readonly url: string };
  readonly rewrite?: RewriteAnswer;
  readonly rollout: RolloutAnswer & { readonly source: 'file' | 'runtime' | 'progressive'; readonly killed: boolean };
  /** The rollout as the config file has it (with defaults), which a runtime change overrides until cleared. */
  readonly fileRollout: RolloutAnswer;
  readonly progressive?: ProgressiveAnswer | null;
  readonly breaker?: 'closed' | 'open' | 'half-open' | null;
  readonly lastUpstreamError?: { readonly code: string; readonly message: string; readonly at: string } | null;
}

/** A route's progressive rollout, as GET /routes/:id shows it. */
export interface ProgressiveAnswer {
  readonly steps: readonly number[];
  readonly step: number;
  readonly state: 'running' | 'paused' | 'done' | 'rolled-back';
  readonly percent: number;
  readonly since: string;
  readonly requestsAtStep: number;
  readonly minStepRequests: number;
  readonly nextAt: string | null;
  readonly reason: string | null;
}

export interface MatchAnswer {
  readonly path: string;
  readonly exact?: boolean;
  readonly methods?: readonly string[];
  readonly host?: string | readonly string[];
  readonly headers?: Readonly<Record<string, unknown>>;
}

export interface RewriteAnswer {
  readonly stripPrefix?: string;
  readonly addPrefix?: string;
}

/** GET /routes. */
export interface RoutesAnswer {
  readonly configVersion: number;
  readonly stateRevision: number;
  readonly killSwitch: boolean;
  readonly routes: readonly RouteAnswer[];
  readonly ignoredOverrides: readonly { readonly route: string; readonly problems: readonly string[] }[];
}

/** GET /readyz (200 ready, 503 starting). */
export interface ReadyAnswer {
  readonly status: string;
  readonly configVersion: number;
  readonly stateRevision: number;
  readonly store?: { readonly description: string; readonly healthy: boolean };
}

/** GET /explain: the same type the gateway's explain returns. */
export type { Explanation as ExplainAnswer } from '../control/explain.js';

/** GET /whoami. */
export interface WhoamiAnswer {
  readonly name: string;
  readonly role: 'read' | 'operate' | 'admin';
  readonly authenticated: boolean;
}

/** One entry of GET /audit. */
export interface AuditEntryAnswer {
  readonly at: string;
  readonly actor: string;
  /** Who the caller said it was (the CLI sends the OS user); not verified. */
  readonly note?: string;
  /** Why, as the caller said (--reason). */
  readonly reason?: string;
  readonly action: string;
  readonly route?: string;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly revision: number;
  /** The change's id (the Idempotency-Key it was sent with). */
  readonly change?: string;
}

/** One mismatching pair, as GET /routes/:id/shadow shows it. */
export interface ShadowSampleAnswer {
  readonly at: string;
  readonly request: { readonly method: string; readonly path: string };
  readonly primary: { readonly side: string; readonly status: number };
  readonly shadow: { readonly side: string; readonly status?: number; readonly error?: string };
  readonly differences: readonly string[];
}

/** GET /routes/:id/shadow. */
export interface ShadowAnswer {
  readonly id: string;
  readonly shadow: { readonly percent: number } | null;
  readonly compared: number;
  readonly mismatches: number;
  readonly errors: number;
  readonly skipped: number;
  readonly samples: readonly ShadowSampleAnswer[];
}
