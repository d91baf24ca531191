// The identify stage's core: try each identity source in order, each a passport strategy.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Identity } from './identity.js';
import type { Challenge } from './strategies.js';
import { toIdentity, type IdentityFields } from './to-identity.js';

/** What figway uses of a passport instance (figway's own, or the app's). */
export interface PassportInstance {
  authenticate(strategy: string, options: { session: boolean }, callback: (err: unknown, user: unknown, challenge: unknown) => void): unknown;
}

/** A passport strategy: authenticate() ends in one of the actions passport gives it. */
export interface PassportStrategy {
  authenticate(req: IncomingMessage, options: { session: boolean }): void;
}

/**
 * One source: one of figway's own strategies, run as passport runs a strategy, or a strategy
 * registered on the app's passport, run through that passport's authenticate().
 */
export type Source = { readonly label: string } & ({ readonly own: PassportStrategy } | { readonly passport: PassportInstance; readonly strategy: string });

/** What one strategy made of a request. */
type Outcome = { user?: Record<string, unknown>; challenge?: unknown };

/** What the sources made of a request. */
export type AuthResult =
  | { readonly identity: Identity }
  | { readonly invalid: Challenge }
  | { readonly absent: readonly Challenge[] };

/**
 * Runs the sources in order until one succeeds. Credentials that are present but wrong stop at
 * once (`invalid`): they are never passed over for a weaker source. A source that finds no
 * credentials lets the next one try; when none finds any, the result is `absent`.
 */
export async function authenticate(sources: readonly Source[], req: IncomingMessage, res: ServerResponse, fields: IdentityFields): Promise<AuthResult> {
  const absent: Challenge[] = [];
  for (const source of sources) {
    const outcome = await runStrategy(source, req, res);
    if (outcome.user !== undefined) {
      const identity = isIdentity(outcome.user) ? outcome.user : toIdentity(outcome.user, source.label, fields);
      if (identity) return { identity };
      return { invalid: { invalid: true, scheme: 'Bearer realm="figway"', message: `${source.label} gave a user without an id` } };
    }
    const challenge = asChallenge(outcome.challenge, source.label);
    if (challenge.invalid) return { invalid: challenge };
    absent.push(challenge);
  }
  return { absent };
}

function runStrategy(source: Source, req: IncomingMessage, res: ServerResponse): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const settle = (err: unknown, user: unknown, challenge: unknown) => {
      if (err) reject(err);
      else if (user && typeof user === 'object') resolve({ user: user as Record<string, unknown> });
      else resolve({ challenge });
    };
    if ('own' in source) {
      runOwn(source.own, req, settle, () => resolve({}));
      return;
    }
    const middleware = source.passport.authenticate(source.strategy, { session: false }, settle) as (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
    middleware(req, res, (err?: unknown) => (err ? reject(err) : resolve({})));
  });
}

/**
 * Runs one of figway's strategies the way passport's authenticate() runs any strategy: on a copy
 * given the actions success, fail, error and pass. Not through authenticate() itself, which on every
 * request builds a middleware and adds passport's login helpers to req: 6% of a proxied request's
 * CPU in the benchmark's profile, for strategies that use none of it. A redirect is not an action
 * figway's strategies take, so it is not offered.
 */
function runOwn(strategy: PassportStrategy, req: IncomingMessage, settle: (err: unknown, user: unknown, challenge: unknown) => void, pass: () => void): void {
  const run = Object.create(strategy) as PassportStrategy & Record<string, unknown>;
  run.success = (user: unknown) => settle(null, user, undefined);
  run.fail = (challenge: unknown) => settle(null, false, challenge);
  run.error = (err: unknown) => settle(err, false, undefined);
  run.pass = pass;
  run.authenticate(req, { session: false });
}

function isIdentity(user: object): user is Identity {
  return 'id' in user && 'source' in user && 'claims' in user && 'roles' in user && 'scopes' in user;
}

/** The app's own strategies fail with whatever they like: only figway's say whether credentials were wrong. */
function asChallenge(challenge: unknown, label: string): Challenge {
  if (challenge && typeof challenge === 'object' && 'invalid' in challenge && 'scheme' in challenge) return challenge as Challenge;
  const message = typeof challenge === 'string' ? challenge : ((challenge as { message?: string } | undefined)?.message ?? `${label} found no credentials`);
  return { invalid: false, scheme: 'Bearer realm="figway"', message };
}
