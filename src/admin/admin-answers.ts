// The schemas of the admin API's small answers (the endpoint table builds them): documented, tested, typed for the CLI.
import { Type } from '@sinclair/typebox';
import { ConfigVersion, StateRevision } from '../control/route-view-schema.js';
import { RouteStatsSchema, strangledSchema } from '../observe/live-stats.js';
import { AuditEntrySchema } from '../state/runtime-state.js';
import { ADMIN_ROLES } from './admin-tokens.js';

/** GET /healthz. */
export const HealthAnswerSchema = Type.Object({ status: Type.Literal('ok', { description: 'Always ok: the process answers.' }) }, { additionalProperties: false, description: 'The process is alive.' });

/** GET /readyz, 200 ready or 503 starting. */
export const ReadyAnswerSchema = Type.Object(
  {
    status: Type.Union([Type.Literal('ready'), Type.Literal('starting')], { description: 'ready (200), or starting (503) until the runtime state is loaded.' }),
    configVersion: ConfigVersion,
    stateRevision: StateRevision,
    store: Type.Optional(
      Type.Object(
        {
          description: Type.String({ description: 'file:<path> or redis:<url without password>.' }),
          healthy: Type.Boolean({ description: 'Whether the store answered the last time it was asked; when not, figway serves its last known state.' }),
        },
        { additionalProperties: false, description: 'The state store, where there is one.' },
      ),
    ),
  },
  { additionalProperties: false, description: 'Whether figway serves, on which config and state.' },
);

/** GET /whoami. */
export const WhoamiAnswerSchema = Type.Object(
  {
    name: Type.String({ description: "The token's name (the actor the audit log records), or anonymous@<address> without a token." }),
    role: Type.Union(ADMIN_ROLES.map((role) => Type.Literal(role)), { description: 'What the token may do: read < operate < admin.' }),
    authenticated: Type.Boolean({ description: 'false when no token was sent (loopback, where none is asked for).' }),
  },
  { additionalProperties: false, description: 'Who the caller acts as.' },
);

/** GET and POST /kill-switch. */
export const KillSwitchAnswerSchema = Type.Object(
  { on: Type.Boolean({ description: 'true: every route sends every request to legacy.' }) },
  { additionalProperties: false, description: 'The kill switch.' },
);

/** POST /reload. */
export const ReloadAnswerSchema = Type.Object({ configVersion: ConfigVersion }, { additionalProperties: false, description: 'The config now serving.' });

/** GET /audit. */
export const AuditAnswerSchema = Type.Object(
  { entries: Type.Array(AuditEntrySchema, { description: 'Newest first.' }) },
  { additionalProperties: false, description: 'Changes from the audit log.' },
);

/** GET /stats. */
export const StatsAnswerSchema = Type.Object(
  {
    windowSeconds: Type.Number({ description: 'The window the figures cover (the live-stats plugin option).' }),
    routes: Type.Array(RouteStatsSchema, { description: 'Every configured route.' }),
    strangled: strangledSchema('all requests to routes'),
  },
  { additionalProperties: false, description: 'In-process figures of this replica over the recent window.' },
);
