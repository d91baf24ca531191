// The cross-field rule of the `state` section that its schema cannot say: each store with its own settings.
import type { ConfigCheck } from '../config-kit/config-source.js';
import type { StateConfig } from './state-schema.js';

/** The state section's checks, by name (config/check-config.ts runs them with the rest). */
export const STATE_CHECKS = {
  stateStoreHasItsSettings(config, source) {
    const state = config.state;
    if (state?.store === 'redis' && state.url === undefined) return [source.problem(['state', 'url'], 'is required when store is redis')];
    if (state?.store === 'file' && (state.url !== undefined || state.prefix !== undefined)) {
      return [source.problem(['state'], 'url and prefix are for store: redis')];
    }
    return [];
  },
} satisfies Record<string, ConfigCheck<{ readonly state?: StateConfig }>>;
