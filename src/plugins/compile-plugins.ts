// Binds each plugin's hooks to its options, per route, once per config snapshot.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TSchema } from '@sinclair/typebox';
import { formatPath, type ConfigSource } from '../config-kit/config-source.js';
import type { FigwayConfig, RouteConfig } from '../config/schema.js';
import { validateSchema } from '../config-kit/validate-schema.js';
import { FigwayError, type ConfigProblem } from '../errors.js';
import type { BoundHook, RouteHooks } from './route-hooks.js';
import type { AnyFigwayPlugin, PluginHooks, PluginRoute } from '../types.js';
import { checkHooks } from './register-plugins.js';

type Options = Record<string, unknown>;

interface SetUpPlugin {
  readonly plugin: AnyFigwayPlugin;
  readonly hooks: PluginHooks<unknown>;
  /** false when switched off at top level (a route may still switch it on). */
  readonly global: Options | false;
}

/** The plugins of one snapshot: set up, with a way to bind their hooks for each route. */
export interface CompiledPlugins {
  readonly problems: readonly ConfigProblem[];
  /** Paths the plugins answer themselves (before matching); undefined when none does. */
  readonly endpoints: ReadonlyMap<string, (req: IncomingMessage, res: ServerResponse) => void> | undefined;
  hooksFor(route: RouteConfig): RouteHooks;
}

/** The gateway's injectable clock and randomness, handed to every plugin's setup. */
export interface PluginRuntime {
  now(): number;
  random(): number;
}

/** The values of a plugin's declared keys in `owner` (the config or a route), keys left out absent. */
function pick(owner: object, keys: Readonly<Record<string, object>> | undefined): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const key of Object.keys(keys ?? {})) if ((owner as Record<string, unknown>)[key] !== undefined) values[key] = (owner as Record<string, unknown>)[key];
  return values;
}

/** Whether plugin `name` runs on `route`: the route's `plugins.<name>` setting, else the top-level one; only `false` switches it off. */
export function pluginIsOn(config: FigwayConfig, route: RouteConfig, name: string): boolean {
  return (route.plugins?.[name] ?? config.plugins?.[name]) !== false;
}

/**
 * Sets up every registered plugin with its top-level options (`plugins.<name>`, validated against
 * the plugin's schema) and reports config that names a plugin nobody registered: a step per plugin,
 * so a compile in slices lets the event loop run between them.
 */
export function* compilePluginSteps(plugins: readonly AnyFigwayPlugin[], config: FigwayConfig, source: ConfigSource, runtime: PluginRuntime): Generator<void, CompiledPlugins> {
  const problems: ConfigProblem[] = [];
  const registered = new Map(plugins.map((plugin) => [plugin.name, plugin]));
  const unknown = (path: (string | number)[], name: string) =>
    source.problem(path, `unknown plugin "${name}" (${registered.size > 0 ? `registered: ${[...registered.keys()].join(', ')}` : 'no plugins are registered'})`, true);

  for (const name of Object.keys(config.plugins ?? {})) if (!registered.has(name)) problems.push(unknown(['plugins', name], name));
  config.routes.forEach((route, index) => {
    for (const name of Object.keys(route.plugins ?? {})) if (!registered.has(name)) problems.push(unknown(['routes', index, 'plugins', name], name));
  });

  const setUp: SetUpPlugin[] = [];
  for (const plugin of plugins) {
    yield;
    const setting = config.plugins?.[plugin.name];
    const options: Options = typeof setting === 'object' ? setting : {};
    const globalProblems = validateOptions(plugin, options, ['plugins', plugin.name]);
    // A route's options are merged over the top-level ones; a problem inherited from the top level is reported there only.
    const inherited = new Set(globalProblems.map((p) => `${p.path.slice(formatPath(['plugins', plugin.name]).length)}|${p.message}`));
    const optionProblems = [
      ...globalProblems,
      ...config.routes.flatMap((route, index) => {
        const routeSetting = route.plugins?.[plugin.name];
        if (typeof routeSetting !== 'object') return [];
        const base = ['routes', index, 'plugins', plugin.name];
        return validateOptions(plugin, { ...options, ...routeSetting }, base).filter(
          (p) => !inherited.has(`${p.path.slice(formatPath(base).length)}|${p.message}`),
        );
      }),
    ];
    problems.push(...optionProblems);
    if (optionProblems.length > 0) continue;
    const reported: ConfigProblem[] = [];
    let routes: PluginRoute[] | undefined;
    let hooks: PluginHooks<unknown>;
    try {
      hooks = checkHooks(
        plugin.name,
        plugin.setup({
          options,
          sections: pick(config, plugin.configKeys),
          // Made on first read: most plugins never look, and a table of 10,000 routes would be copied for each.
          get routes() {
            return (routes ??= routesOf(plugin));
          },
          config,
          now: runtime.now,
          random: runtime.random,
          problem: (path, message) => void reported.push(source.problem([...path], message)),
        }),
      ) as PluginHooks<unknown>;
    } catch (err) {
      if (err instanceof FigwayError && err.code === 'FIGWAY_PLUGIN_INVALID') throw err;
      problems.push(...reported, source.problem(['plugins', plugin.name], `plugin setup failed: ${(err as Error).message ?? String(err)}`));
      continue;
    }
    problems.push(...reported);
    if (reported.length > 0) continue;
    setUp.push({ plugin, hooks, global: setting === false ? false : options });
  }

  function routesOf(plugin: AnyFigwayPlugin): PluginRoute[] {
    return config.routes.flatMap((route, index) => (pluginIsOn(config, route, plugin.name) ? [{ route, index, sections: pick(route, plugin.routeKeys) }] : []));
  }

  function validateOptions(plugin: AnyFigwayPlugin, options: Options, path: (string | number)[]): ConfigProblem[] {
    return plugin.schema ? validateSchema(plugin.schema as TSchema, options, source, path) : [];
  }

  const endpoints = new Map(setUp.flatMap(({ hooks }) => Object.entries(hooks.endpoints ?? {})));
  const hooksOf = (route: RouteConfig): RouteHooks => {
    const hooks: { [K in keyof RouteHooks]: BoundHook<never>[] } = {
      onRequest: [],
      onIdentify: [],
      onLimit: [],
      onDecision: [],
      onForward: [],
      onProxyRequest: [],
      onProxyResponse: [],
      onResponse: [],
    };
    for (const { plugin, hooks: pluginHooks, global } of setUp) {
      if (!pluginIsOn(config, route, plugin.name)) continue;
      const setting = route.plugins?.[plugin.name];
      const options = typeof setting === 'object' ? { ...(global || {}), ...setting } : global || {};
      for (const stage of Object.keys(hooks) as (keyof RouteHooks)[]) {
        const fn = pluginHooks[stage];
        if (fn) hooks[stage].push({ plugin: plugin.name, fn: fn as never, options });
      }
    }
    return hooks as RouteHooks;
  };
  let shared: RouteHooks | undefined;
  return {
    problems,
    endpoints: endpoints.size > 0 ? endpoints : undefined,
    hooksFor(route) {
      // Routes without plugin settings of their own (most of them) share one set of hooks.
      if (route.plugins === undefined) return (shared ??= hooksOf(route));
      return hooksOf(route);
    },
  };
}
