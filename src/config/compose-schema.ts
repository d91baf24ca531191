// The schema a config is validated against: figway's own, with the keys the app's plugins declare composed in.
import type { TProperties, TSchema } from '@sinclair/typebox';
import { FigwayError } from '../errors.js';
import { BUILT_IN_CONFIG_KEYS, BUILT_IN_ROUTE_KEYS, composeConfigSchema, ConfigSchema } from './schema.js';

/** What a plugin says about the config: its name and the keys it owns (a FigwayPlugin, or a copy sent to the loader thread). */
export interface DeclaredKeys {
  readonly name: string;
  readonly configKeys?: Readonly<Record<string, object>>;
  readonly routeKeys?: Readonly<Record<string, object>>;
}

/** Composed schemas by the keys they add: the same keys give the same schema object, compiled once however often a config is loaded. */
const composed = new Map<string, TSchema>();

/**
 * The schema of a config for an app with `plugins` (those passed in code; the built-ins' keys are
 * in {@link ConfigSchema} already).
 *
 * @throws FigwayError FIGWAY_PLUGIN_INVALID when a plugin declares a key figway or another plugin has.
 */
export function configSchemaFor(plugins: readonly DeclaredKeys[]): TSchema {
  if (!plugins.some((plugin) => plugin.configKeys !== undefined || plugin.routeKeys !== undefined)) return ConfigSchema;
  const config = claim(plugins, 'configKeys', Object.keys(ConfigSchema.properties), 'a top-level');
  const route = claim(plugins, 'routeKeys', Object.keys(ConfigSchema.properties.routes.items.properties), 'a route');
  const key = JSON.stringify([config, route]);
  const known = composed.get(key);
  if (known) return known;
  const schema = composeConfigSchema({ ...BUILT_IN_CONFIG_KEYS, ...config }, { ...BUILT_IN_ROUTE_KEYS, ...route });
  composed.set(key, schema);
  return schema;
}

/** The keys the plugins declare in one place, each claimed once. */
function claim(plugins: readonly DeclaredKeys[], part: 'configKeys' | 'routeKeys', taken: readonly string[], where: string): TProperties {
  const owners = new Map<string, string>();
  const keys: TProperties = {};
  for (const plugin of plugins) {
    for (const [key, schema] of Object.entries(plugin[part] ?? {})) {
      if (taken.includes(key)) throw new FigwayError('FIGWAY_PLUGIN_INVALID', `plugin "${plugin.name}" declares ${where} config key "${key}", which figway already has`);
      const owner = owners.get(key);
      if (owner !== undefined) throw new FigwayError('FIGWAY_PLUGIN_INVALID', `plugin "${plugin.name}" declares ${where} config key "${key}", which plugin "${owner}" declares too`);
      if (schema === null || typeof schema !== 'object') throw new FigwayError('FIGWAY_PLUGIN_INVALID', `plugin "${plugin.name}" ${part}.${key} must be a JSON Schema object`);
      owners.set(key, plugin.name);
      keys[key] = schema as TSchema;
    }
  }
  return keys;
}
