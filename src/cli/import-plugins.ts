// The app's plugins for the file commands, from a module, so a file using their config keys can be checked in CI.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DeclaredKeys } from '../config/compose-schema.js';
import { CliError, EXIT } from './exit-codes.js';

/**
 * The plugins `module` exports as its default export (a list), or none without a module.
 *
 * @throws CliError exit 1 when the module cannot be loaded or does not export a list of plugins.
 */
export async function importPlugins(module: string | undefined): Promise<readonly DeclaredKeys[]> {
  if (module === undefined) return [];
  let loaded: { default?: unknown };
  try {
    loaded = (await import(pathToFileURL(path.resolve(module)).href)) as { default?: unknown };
  } catch (err) {
    throw new CliError(EXIT.REFUSED, `cannot load plugins from ${module}: ${(err as Error).message}`);
  }
  const list = loaded.default;
  if (!Array.isArray(list) || list.some((plugin: unknown) => plugin === null || typeof plugin !== 'object' || typeof (plugin as { name?: unknown }).name !== 'string')) {
    throw new CliError(EXIT.REFUSED, `${module} must export the list of plugins as its default export (export default [tenantPlugin(registry)])`);
  }
  return list as DeclaredKeys[];
}
