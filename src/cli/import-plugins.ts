// The app's plugins for the file commands, from a module, so a file using their config keys can be checked in CI.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DeclaredKeys } from '../config/compose-schema.js';
import { FigwayError } from '../errors.js';
import { registerPlugins } from '../plugins/register-plugins.js';
import type { AnyFigwayPlugin } from '../types.js';
import { CliError, EXIT } from './exit-codes.js';

/** The help of the file commands' `--plugins` option. */
export const PLUGINS_OPTION = "a module whose default export is the app's list of plugins: the config keys they declare are checked as figway's own";

/**
 * The plugins `module` exports as its default export (a list), checked as figway() checks them,
 * or none without a module.
 *
 * @throws CliError exit 1 when the module cannot be loaded, does not export a list, or a plugin is malformed.
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
  if (!Array.isArray(list)) throw new CliError(EXIT.REFUSED, `${module} must export the list of plugins as its default export (export default [tenantPlugin(registry)])`);
  try {
    return registerPlugins(list as AnyFigwayPlugin[]);
  } catch (err) {
    if (err instanceof FigwayError) throw new CliError(EXIT.REFUSED, `${module}: ${err.message}`);
    throw err;
  }
}
