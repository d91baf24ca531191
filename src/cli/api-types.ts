// The admin API's answers as the CLI reads them: the types of the schemas the API documents and is tested against.
import type { Static } from '@sinclair/typebox';
import type { ReadyAnswerSchema, WhoamiAnswerSchema } from '../admin/admin-answers.js';
import type { ExplanationSchema } from '../control/explanation-schema.js';
import type { MapAnswerSchema } from '../map/map-schema.js';
import type { RoutesViewSchema, RouteViewSchema } from '../control/route-view-schema.js';
import type { ShadowAnswerSchema } from '../shadow/shadow-report-schema.js';
import type { AuditEntrySchema } from '../state/runtime-state.js';

/** One route of GET /routes, GET /routes/:id and the rollout changes. */
export type RouteAnswer = Static<typeof RouteViewSchema>;

/** A rollout as the config file has it (a route's fileRollout; its rollout adds source and killed). */
export type RolloutAnswer = RouteAnswer['fileRollout'];

/** A route's progressive rollout, as GET /routes/:id shows it. */
export type ProgressiveAnswer = NonNullable<RouteAnswer['progressive']>;

export type MatchAnswer = RouteAnswer['match'];

export type RewriteAnswer = NonNullable<RouteAnswer['rewrite']>;

/** GET /routes. */
export type RoutesAnswer = Static<typeof RoutesViewSchema>;

/** GET /readyz (200 ready, 503 starting). */
export type ReadyAnswer = Static<typeof ReadyAnswerSchema>;

/** GET /explain. */
export type ExplainAnswer = Static<typeof ExplanationSchema>;

/** GET /whoami. */
export type WhoamiAnswer = Static<typeof WhoamiAnswerSchema>;

/** One entry of GET /audit. */
export type AuditEntryAnswer = Static<typeof AuditEntrySchema>;

/** GET /routes/:id/shadow. */
export type ShadowAnswer = Static<typeof ShadowAnswerSchema>;

/** One mismatching pair, as GET /routes/:id/shadow shows it. */
export type ShadowSampleAnswer = ShadowAnswer['samples'][number];

/** GET /map. */
export type MapAnswer = Static<typeof MapAnswerSchema>;

/** One monolith endpoint, as GET /map shows it. */
export type MapEndpointAnswer = MapAnswer['endpoints'][number];
