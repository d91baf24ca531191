// The cross-field rule of session sharing its schema cannot say: what is shared is signed with auth.token's key, so sharing needs one.
import type { ConfigCheck } from '../config-kit/config-source.js';
import type { RouteSessionConfig, SessionConfig } from './session-schema.js';

type Config = { readonly auth?: { readonly token?: object }; readonly session?: SessionConfig; readonly routes: readonly { readonly session?: RouteSessionConfig }[] };

/** Session sharing's checks, by name (config/check-config.ts runs them with the rest). */
export const SESSION_CHECKS = {
  sharingHasASigningKey(config, source) {
    if (config.auth?.token) return [];
    const problem = "needs auth.token: a service can trust the session it is sent only when figway signs it, with auth.token's key";
    const top = config.session?.share?.length ? [source.problem(['session', 'share'], problem)] : [];
    const routes = config.routes.flatMap((route, index) => (route.session?.share?.length ? [source.problem(['routes', index, 'session', 'share'], problem)] : []));
    return [...top, ...routes];
  },
} satisfies Record<string, ConfigCheck<Config>>;
