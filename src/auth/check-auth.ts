// The cross-field rules of the auth plugin's sections that their schema cannot say: one JWT key that fits its algorithms, sources that are configured.
import type { ConfigCheck } from '../config-kit/config-source.js';
import type { AuthConfig } from './auth-schema.js';

/** The auth plugin's checks, by name (config/check-config.ts runs them with the rest, where `figway validate` runs them too). */
export const AUTH_CHECKS = {
  jwtHasOneKey(config, source) {
    const jwt = config.auth?.jwt;
    if (!jwt) return [];
    const given = ['secret', 'publicKey', 'jwksUrl'].filter((k) => jwt[k as keyof typeof jwt] !== undefined);
    if (given.length === 1) return [];
    return [source.problem(['auth', 'jwt'], given.length === 0 ? 'needs one of secret, publicKey, jwksUrl' : `takes one of secret, publicKey, jwksUrl, not ${given.join(' and ')}`)];
  },

  jwtAlgorithmsFitTheKey(config, source) {
    const jwt = config.auth?.jwt;
    if (!jwt?.algorithms) return [];
    const symmetric = jwt.secret !== undefined;
    return jwt.algorithms.flatMap((alg, index) =>
      alg.startsWith('HS') === symmetric
        ? []
        : [source.problem(['auth', 'jwt', 'algorithms', index], symmetric ? `${alg} needs a public key, not a secret` : `${alg} needs a secret, not a public key`)],
    );
  },

  authSourcesAreConfigured(config, source) {
    return (config.auth?.sources ?? []).flatMap((name, index) => {
      if (name === 'jwt' && !config.auth?.jwt) return [source.problem(['auth', 'sources', index], 'jwt is listed but auth.jwt is not configured')];
      if (name === 'apiKey' && !config.auth?.apiKeys) return [source.problem(['auth', 'sources', index], 'apiKey is listed but auth.apiKeys is not configured')];
      return [];
    });
  },
} satisfies Record<string, ConfigCheck<{ readonly auth?: AuthConfig }>>;
