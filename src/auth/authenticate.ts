// The identify stage's core: try each identity source in order, through passport.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Identity } from './identity.js';
import type { Challenge } from './strategies.js';
import { toIdentity, type IdentityFields } from './to-identity.js';

/** What figway uses of a passport instance (figway's own, or the app's). */
export interface PassportInstance {
  authenticate(strategy: string, options: { session: boolean }, callback: (err: unknown, user: unknown, challenge: unknown) => void): unknown;
}

/** One source: a strategy on figway's own passport, or on the app's. */
export interface Source {
  readonly passport: PassportInstance;
  readonly strategy: string;
  /** How identities from it are labelled: session, jwt, apiKey, passport:<name>. */
  readonly label: string;
}

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

function runStrategy(source: Source, req: IncomingMessage, res: ServerResponse): Promise<{ user?: Record<string, unknown>; challenge?: unknown }> {
  return new Promise((resolve, reject) => {
    const middleware = source.passport.authenticate(source.strategy, { session: false }, (err: unknown, user: unknown, challenge: unknown) => {
      if (err) reject(err);
      else if (user && typeof user === 'object') resolve({ user: user as Record<string, unknown> });
      else resolve({ challenge });
    }) as (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
    middleware(req, res, (err?: unknown) => (err ? reject(err) : resolve({})));
  });
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
