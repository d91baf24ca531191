// Loads a config file for the file commands: its problems are a result to show, an unreadable file is an error.
import type { DeclaredKeys } from '../config/compose-schema.js';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import { FigwayConfigError, FigwayError, type ConfigProblem } from '../errors.js';
import { CliError, EXIT } from './exit-codes.js';

/**
 * A valid config, or every problem found in it; and, when unset variables are allowed, where each
 * was used (those values were not checked).
 */
export type ConfigFileResult = ({ readonly ok: true; readonly loaded: LoadedConfig } | { readonly ok: false; readonly problems: readonly ConfigProblem[] }) & {
  readonly unchecked: readonly ConfigProblem[];
};

/**
 * Reads and validates `file`, with `${VAR}`s taken from `env` and the config keys of `plugins`; with
 * `allowUnsetEnv`, a variable that is not set is no problem, and the values using it are not checked.
 *
 * @throws CliError exit 1 when the file cannot be read (missing, permissions) or a plugin is malformed.
 */
export function readConfigFile(file: string, env: NodeJS.ProcessEnv, allowUnsetEnv = false, plugins: readonly DeclaredKeys[] = []): ConfigFileResult {
  let unchecked: readonly ConfigProblem[] = [];
  const options = { plugins, ...(allowUnsetEnv ? { unsetEnv: (unset: readonly ConfigProblem[]) => (unchecked = unset) } : {}) };
  try {
    return { ok: true, loaded: loadConfig(file, env, options), unchecked };
  } catch (err) {
    if (err instanceof FigwayConfigError) return { ok: false, problems: err.problems, unchecked };
    if (err instanceof FigwayError) throw new CliError(EXIT.REFUSED, err.message);
    throw err;
  }
}
