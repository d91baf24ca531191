// The identify stage's core: try each identity source in order, figway's own or the app's passport strategies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Identity, PassportInstance } from '../types.js';
import type { Challenge, Outcome, OwnStrategy } from './strategies.js';
import { toIdentity, type IdentityFields } from './to-identity.js';

/**
 * One source: one of figway's own strategies, asked directly, or a strategy registered on the
 * app's passport, run through that passport's authenticate().
 */
export type Source = { readonly label: string } & ({ readonly own: OwnStrategy } | { readonly passport: PassportInstance; readonly strategy: string });

/** What the sources made of a request. */
export type AuthResult =
  | { readonly identity: Identity }
  | { readonly invalid: Challenge }
  | { readonly absent: readonly Challenge[] };

/**
 * Runs the sources in order until one succeeds. Credentials that are present but wrong stop at
 * once (`invalid`): they are never passed over for a weaker source. A source that finds no
 * credentials lets the next one try; when none finds any, the result is `absent`. The answer is
 * immediate when every source asked answered at once (a session, an API key, a JWT seen before):
 * the common request never waits for a promise.
 */
export function authenticate(sources: readonly Source[], req: IncomingMessage, res: ServerResponse, fields: IdentityFields): AuthResult | Promise<AuthResult> {
  return tryFrom(0, [], sources, req, res, fields);
}

function tryFrom(from: number, absent: Challenge[], sources: readonly Source[], req: IncomingMessage, res: ServerResponse, fields: IdentityFields): AuthResult | Promise<AuthResult> {
  for (let i = from; i < sources.length; i++) {
    const outcome = runStrategy(sources[i] as Source, req, res, fields);
    if (outcome instanceof Promise) return outcome.then((settled) => judge(settled, absent) ?? tryFrom(i + 1, absent, sources, req, res, fields));
    const result = judge(outcome, absent);
    if (result) return result;
  }
  return { absent };
}

/** The result an outcome settles, or undefined when the next source may try. */
function judge(outcome: Outcome, absent: Challenge[]): AuthResult | undefined {
  if ('user' in outcome) return { identity: outcome.user };
  if (outcome.challenge.invalid) return { invalid: outcome.challenge };
  absent.push(outcome.challenge);
  return undefined;
}

/**
 * figway's own strategies answer directly: passport's authenticate() would build a middleware and
 * add login helpers to req on every request (6% of a proxied request's CPU in the benchmark's
 * profile), and running a strategy on a per-request Object.create() copy, as passport does, kept
 * each request's objects alive past young-generation collections (server mode with a JWT used 18%
 * more CPU per request, most of it in the garbage collector).
 */
function runStrategy(source: Source, req: IncomingMessage, res: ServerResponse, fields: IdentityFields): Outcome | Promise<Outcome> {
  if ('own' in source) return source.own.check(req);
  const { label } = source;
  return new Promise((resolve, reject) => {
    const settle = (err: unknown, user: unknown, challenge: unknown) => {
      if (err) reject(err);
      else if (user && typeof user === 'object') resolve(asUser(user, label, fields));
      else resolve({ challenge: asChallenge(challenge, label) });
    };
    const middleware = source.passport.authenticate(source.strategy, { session: false }, settle) as (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
    middleware(req, res, (err?: unknown) => (err ? reject(err) : resolve({ challenge: asChallenge(undefined, label) })));
  });
}

/** The app's strategies give a user of their own shape; one without an id is refused, not passed over. */
function asUser(user: object, label: string, fields: IdentityFields): Outcome {
  const identity = isIdentity(user) ? user : toIdentity(user as Record<string, unknown>, label, fields);
  return identity ? { user: identity } : { challenge: { invalid: true, scheme: 'Bearer realm="figway"', message: `${label} gave a user without an id` } };
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
