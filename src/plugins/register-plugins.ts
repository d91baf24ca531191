// Checks the plugins passed in code once, at figway() time: these are programming errors, not config.
import { FigwayError } from '../errors.js';
import type { AnyFigwayPlugin } from '../types.js';

const HOOK_NAMES = ['onRequest', 'onIdentify', 'onLimit', 'onDecision', 'onProxyRequest', 'onProxyResponse', 'onResponse', 'endpoints'];

/** The plugins sorted by `order` (stable), after checking each is well-formed and names are unique. */
export function registerPlugins(plugins: readonly AnyFigwayPlugin[]): readonly AnyFigwayPlugin[] {
  const names = new Set<string>();
  for (const [index, plugin] of plugins.entries()) {
    if (!plugin || typeof plugin.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(plugin.name)) {
      throw new FigwayError('FIGWAY_PLUGIN_INVALID', `plugins[${index}] needs a name of letters, digits, ".", "_" or "-"`);
    }
    if (typeof plugin.setup !== 'function') throw new FigwayError('FIGWAY_PLUGIN_INVALID', `plugin "${plugin.name}" has no setup function`);
    if (names.has(plugin.name)) throw new FigwayError('FIGWAY_PLUGIN_INVALID', `plugin "${plugin.name}" is registered twice`);
    names.add(plugin.name);
  }
  return [...plugins].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
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
