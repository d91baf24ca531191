// Runtime state: rollout changes made at runtime (API, CLI), shared by every replica and kept across restarts.
import { Type, type Static } from '@sinclair/typebox';
import type { HistoryStore } from './migration-history.js';

const STICKY_PATTERN = "^(user|ip|header:[A-Za-z0-9!#$%&'*+.^_`|~-]+|cookie:[^\\s;=,]+)$";

/** A route's rollout as changed at runtime; fields left out keep the file's value. */
export const RolloutOverrideSchema = Type.Object(
  {
    percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100, multipleOf: 0.01, description: 'Share of requests sent to the service, 0 to 100 in steps of 0.01.' })),
    sticky: Type.Optional(
      Type.Array(Type.String({ pattern: STICKY_PATTERN, errorMessage: 'must be user, ip, header:<name> or cookie:<name>' }), {
        minItems: 1,
        description: 'Sticky keys, first present wins.',
      }),
    ),
    unkeyed: Type.Optional(Type.Union([Type.Literal('legacy'), Type.Literal('service'), Type.Literal('random')], { description: 'Side for requests without a sticky key.' })),
    cohorts: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.Literal('service'), Type.Literal('legacy')], { description: 'service or legacy.' }), {
        description: 'Cohorts (defined in the file) forced to a side.',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1, description: 'Rollout fields to change at runtime; the rest keep the file value.' },
);

/** A route's rollout as changed at runtime. */
export type RolloutOverride = Static<typeof RolloutOverrideSchema>;

/** Where a progressive rollout is: running (steps taken automatically), paused, done (last step reached) or rolled back (0%). */
export type ProgressiveStatus = 'running' | 'paused' | 'done' | 'rolled-back';

/** A route's progressive rollout, as the state store keeps it. */
export interface ProgressiveEntry {
  /** The steps this schedule runs, so a config that changes them is noticed. */
  readonly steps: readonly number[];
  /** Index into `steps` of the current percent. */
  readonly step: number;
  readonly state: ProgressiveStatus;
  /** When the current step (or state) began, in ms since the epoch (the gateway's clock). */
  readonly since: number;
  /** Why it last stopped or went back (a guard breach, an operator). */
  readonly reason?: string;
}

/** Everything changed at runtime. `revision` goes up by one with every change. */
export interface RuntimeState {
  readonly revision: number;
  /** Rollout overrides by route id. */
  readonly routes: Readonly<Record<string, RolloutOverride>>;
  /** When on, every route sends every request to legacy (cohorts and overrides included). */
  readonly killSwitch: boolean;
  /** Progressive rollouts by route id (routes with rollout.steps). */
  readonly progressive: Readonly<Record<string, ProgressiveEntry>>;
  /** Ids of the latest changes (newest first, at most RECENT_CHANGES), so a retried change is recognised on every replica. */
  readonly changes?: readonly string[];
}

/** What a change id (Idempotency-Key, CLI --change-id) may be, and the words that say so. */
export const CHANGE_ID = { pattern: /^[\w.:-]{1,100}$/, rule: '1 to 100 letters, digits, "_", ".", ":" or "-"' } as const;

/**
 * The rule for a change's reason (the CLI's --reason, the admin API's X-Figway-Reason): one line of
 * text, any script, kept in the audit log beside the change. No control or format characters: a
 * bidi override or a zero-width character would make an audit row read other than it is.
 */
export const REASON = { pattern: /^[^\p{Cc}\p{Cf}]{1,500}$/u, rule: '1 to 500 characters on one line, without control or format characters' } as const;

/** Change ids a state remembers: a retry (same id) of any of the last this many changes is not applied again. */
export const RECENT_CHANGES = 100;

/**
 * The state after `change` with id `id`, or undefined when `current` already holds that change (a
 * retry of a change that was applied): stores apply nothing then, and answer with `current`.
 */
export function nextState(current: RuntimeState, change: (current: RuntimeState) => Omit<RuntimeState, 'revision'>, id: string): RuntimeState | undefined {
  if (current.changes?.includes(id)) return undefined;
  return { ...change(current), revision: current.revision + 1, changes: [id, ...(current.changes ?? [])].slice(0, RECENT_CHANGES) };
}

export const EMPTY_STATE: RuntimeState = Object.freeze({ revision: 0, routes: Object.freeze({}), killSwitch: false, progressive: Object.freeze({}) });

/** One change, as the audit log keeps it and GET /audit shows it. */
export const AuditEntrySchema = Type.Object(
  {
    at: Type.String({ format: 'date-time', description: 'When the change was made, ISO 8601.' }),
    actor: Type.String({
      description: "Who made it: the admin token's name (anonymous@<address> where no token is asked for), or figway itself (progressive steps, the guard).",
    }),
    note: Type.Optional(
      Type.String({ description: 'Who the caller said it was (X-Figway-Actor: the CLI sends the OS user, the page the name typed at sign-in); not verified.' }),
    ),
    reason: Type.Optional(Type.String({ description: "Why the caller made the change (the CLI's --reason, X-Figway-Reason); not verified." })),
    action: Type.Union(
      [
        Type.Literal('rollout'),
        Type.Literal('rollback'),
        Type.Literal('clear-override'),
        Type.Literal('kill-switch'),
        Type.Literal('reload'),
        Type.Literal('progressive-start'),
        Type.Literal('progressive-step'),
        Type.Literal('progressive-breach'),
        Type.Literal('progressive-pause'),
        Type.Literal('progressive-resume'),
        Type.Literal('progressive-promote'),
      ],
      { description: 'What changed.' },
    ),
    route: Type.Optional(Type.String({ description: 'The route changed, if the change was to one route.' })),
    before: Type.Optional(
      Type.Unknown({ description: 'The value before: a rollout, the kill switch, a config version or a progressive schedule; absent when there was none (a progressive rollout starting).' }),
    ),
    after: Type.Optional(Type.Unknown({ description: 'The value after, of the same kind.' })),
    revision: Type.Integer({ description: 'The state revision the change produced (reloads: the config version).' }),
    change: Type.Optional(Type.String({ description: "The change's id: the caller's Idempotency-Key, or one figway made; GET /audit?change=<id> finds it." })),
  },
  { additionalProperties: false, title: 'AuditEntry', description: 'One change in the audit log.' },
);

/** One change, as the audit log keeps it. */
export type AuditEntry = Static<typeof AuditEntrySchema>;

/** What the caller says about a change; the store adds the time and the revision. */
export type AuditInput = Omit<AuditEntry, 'at' | 'revision'>;

/** The audit entries kept by a store (older ones are dropped). */
export const AUDIT_LIMIT = 1000;

/**
 * Where runtime state lives. The embedded default is a local file; Redis shares it between
 * replicas. Both pass the same conformance suite (test/state/store-conformance.ts).
 */
export interface StateStore extends HistoryStore {
  /** A name for status pages: `file:<path>` or `redis:<url without password>`. */
  readonly description: string;
  /** The current state; resolves with the last known state when the backing store is unreachable. */
  load(): Promise<RuntimeState>;
  /**
   * Applies a change atomically: `change` gets the current state and returns the next (without
   * revision, which the store sets); the audit entry is written with it, built after `change` ran (so its fields may be getters reading what `change` computed). Concurrent updates from
   * any replica are serialised, none is lost: a store may call `change` again on a newer state
   * after losing a race, so it must have no side effects. A change whose id (`audit.change`) the
   * state already holds is a retry: nothing is applied and it resolves with the current state.
   * Rejects when `change` throws or the backing store is unreachable, and then nothing was changed,
   * now or later; rejects with FIGWAY_STATE_OUTCOME_UNKNOWN when the store could not say whether
   * the change was applied (the audit log knows its id once the store answers).
   */
  update(change: (current: RuntimeState) => Omit<RuntimeState, 'revision'>, audit: AuditInput): Promise<RuntimeState>;
  /** Records an audit entry that does not change state (a config reload). */
  record(audit: AuditInput & { revision: number }): Promise<void>;
  /**
   * Calls `listener` with newer states, whoever made the change (this replica or another): revisions
   * only go up and none comes twice, though one may be skipped when a newer one arrives first.
   * `listener` must not throw: it runs inside the store's own reads and writes, where a throw would
   * fail a change that was made (figway's own listener reports its failures as FIGWAY_STATE_NOT_APPLIED).
   */
  subscribe(listener: (state: RuntimeState) => void): () => void;
  /** The newest audit entries first, at most `limit`. */
  audit(limit: number): Promise<AuditEntry[]>;
  /** Whether the backing store answered the last time it was asked. */
  readonly healthy: boolean;
  close(): Promise<void>;
}
