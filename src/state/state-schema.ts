// The top-level `state` key: where runtime rollout changes live. The schema the config composes in.
import { Type, type Static } from '@sinclair/typebox';
import { saidDefault } from '../config-kit/schema-defaults.js';

/** The file store's file, relative to the config file's folder, unless `state.path` says otherwise. */
export const STATE_FILE = '.figway-state.json';
/** The Redis store's key prefix, unless `state.prefix` says otherwise. */
export const STATE_PREFIX = 'figway';

// path and prefix apply to one store each (prefix is refused beside store: file), so their defaults
// are said, not schema `default`s a tool would write into every config.
export const StateSection = Type.Object(
  {
    store: Type.Union([Type.Literal('file'), Type.Literal('redis')], { description: 'Where runtime rollout changes live: file (one instance) or redis (shared by every replica).' }),
    path: Type.Optional(saidDefault(Type.String({ minLength: 1, description: 'file: the state file.' }), STATE_FILE, `${STATE_FILE} beside the config file`)),
    url: Type.Optional(Type.String({ pattern: '^rediss?://', description: 'redis: the server, e.g. redis://:${REDIS_PASSWORD}@redis:6379/0.', errorMessage: 'must be a redis:// or rediss:// URL' })),
    prefix: Type.Optional(saidDefault(Type.String({ pattern: '^[A-Za-z0-9:._-]+$', description: 'redis: key prefix, one per gateway (several apps can share a Redis).' }), STATE_PREFIX)),
    cacheFile: Type.Optional(Type.String({ minLength: 1, description: 'redis: local copy of the last known state, served when a replica starts while Redis is down.' })),
  },
  { additionalProperties: false, description: 'Runtime state (rollout changes made through the admin API or CLI). Default: a state file beside the config file.' },
);

/** The config's `state`, as the file has it. */
export type StateConfig = Static<typeof StateSection>;
