// Checks the plugins passed in code once, at figway() time: these are programming errors, not config.
import { schemaError } from '../config-kit/validate-schema.js';
import { FigwayError } from '../errors.js';
import type { AnyFigwayPlugin } from '../types.js';

const HOOK_NAMES = ['onRequest', 'onIdentify', 'onLimit', 'onDecision', 'onForward', 'onProxyRequest', 'onProxyResponse', 'onResponse', 'endpoints'];

/** The plugins sorted by `order` (stable), after checking each is well-formed and names are unique. */
export function registerPlugins(plugins: readonly AnyFigwayPlugin[]): readonly AnyFigwayPlugin[] {
  const names = new Set<string>();
  for (const [index, plugin] of plugins.entries()) {
    if (!plugin || typeof plugin.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(plugin.name)) {
      throw new FigwayError('FIGWAY_PLUGIN_INVALID', `plugins[${index}] needs a name of letters, digits, ".", "_" or "-"`);
    }
    if (typeof plugin.setup !== 'function') throw new FigwayError('FIGWAY_PLUGIN_INVALID', `plugin "${plugin.name}" has no setup function`);
    checkSchemas(plugin);
    if (names.has(plugin.name)) throw new FigwayError('FIGWAY_PLUGIN_INVALID', `plugin "${plugin.name}" is registered twice`);
    names.add(plugin.name);
  }
  return [...plugins].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
}

/** Checks that the plugin's options schema and the schemas of its config keys are JSON Schemas figway can validate with. */
function checkSchemas(plugin: AnyFigwayPlugin): void {
  const schemas: [string, unknown][] = plugin.schema === undefined ? [] : [['schema', plugin.schema]];
  for (const part of ['configKeys', 'routeKeys'] as const) {
    const keys: unknown = plugin[part];
    if (keys === undefined) continue;
    if (keys === null || typeof keys !== 'object') throw new FigwayError('FIGWAY_PLUGIN_INVALID', `plugin "${plugin.name}" ${part} must map config keys to JSON Schemas`);
    for (const [key, schema] of Object.entries(keys)) schemas.push([`${part}.${key}`, schema]);
  }
  for (const [where, schema] of schemas) {
    const problem = schema !== null && typeof schema === 'object' ? schemaError(schema) : 'it is not an object';
    if (problem !== undefined) throw new FigwayError('FIGWAY_PLUGIN_INVALID', `plugin "${plugin.name}" ${where} is not a JSON Schema figway can use: ${problem}`);
  }
}

/** Checks the hooks a plugin's setup returned. */
export function checkHooks(name: string, hooks: unknown): Record<string, unknown> {
  if (hooks === null || typeof hooks !== 'object') throw new FigwayError('FIGWAY_PLUGIN_INVALID', `plugin "${name}" setup must return an object of hooks`);
  for (const [key, value] of Object.entries(hooks)) {
    if (!HOOK_NAMES.includes(key)) throw new FigwayError('FIGWAY_PLUGIN_INVALID', `plugin "${name}" returned unknown hook "${key}" (hooks: ${HOOK_NAMES.join(', ')})`);
    if (key === 'endpoints') {
      if (value === undefined) continue;
      if (value === null || typeof value !== 'object' || Object.entries(value).some(([path, handler]) => !path.startsWith('/') || typeof handler !== 'function')) {
        throw new FigwayError('FIGWAY_PLUGIN_INVALID', `plugin "${name}" endpoints must map paths starting with "/" to handler functions`);
      }
      continue;
    }
    if (value !== undefined && typeof value !== 'function') throw new FigwayError('FIGWAY_PLUGIN_INVALID', `plugin "${name}" hook "${key}" is not a function`);
  }
  return hooks as Record<string, unknown>;
}
