// figway validate <file>: the config check a deploy runs first.
import type { Command } from 'commander';
import type { DeclaredKeys } from '../../config/compose-schema.js';
import { formatProblem, type ConfigProblem } from '../../errors.js';
import { jsonOutput } from '../admin-options.js';
import { printError, printJson, printLine, type CliIo } from '../cli-io.js';
import { CliError, EXIT } from '../exit-codes.js';
import { importPlugins, PLUGINS_OPTION } from '../import-plugins.js';
import { readConfigFile } from '../read-config-file.js';

/** Adds `validate` to the program. */
export function registerValidate(program: Command, io: CliIo): void {
  program
    .command('validate')
    .description('check a config file: every problem with file:line:column and config path')
    .argument('<file>', 'the config file, e.g. figway.yaml')
    .option('--allow-missing-env', 'check without the environment (CI without secrets): a ${VAR} that is not set is no problem, and the values using it are not checked (each is listed)')
    .option('--plugins <module>', PLUGINS_OPTION)
    .action(async (file: string, options: { allowMissingEnv?: boolean; plugins?: string }, command: Command) =>
      validateFile(file, io, jsonOutput(command), options.allowMissingEnv === true, await importPlugins(options.plugins)),
    );
}

/**
 * Prints `ok: <file>, N routes`, or every problem on stderr (one per line, in file order); with
 * `allowMissingEnv`, each value not checked because its variable is not set, and which variables.
 * The config keys `plugins` declare are checked as figway's own.
 *
 * @throws CliError exit 1 when the file is invalid or unreadable.
 */
export function validateFile(file: string, io: CliIo, json: boolean, allowMissingEnv = false, plugins: readonly DeclaredKeys[] = []): void {
  const result = readConfigFile(file, io.env, allowMissingEnv, plugins);
  const unchecked = result.unchecked;
  if (json) {
    const extra = allowMissingEnv ? { unchecked, missingEnv: variablesOf(unchecked) } : {};
    printJson(io, result.ok ? { ok: true, file, routes: result.loaded.config.routes.length, ...extra } : { ok: false, file, problems: result.problems, ...extra });
  } else {
    for (const value of unchecked) printLine(io, `not checked: ${formatProblem(value)}`);
    if (result.ok) {
      const routes = result.loaded.config.routes.length;
      const missing = variablesOf(unchecked);
      printLine(io, `ok: ${file}, ${routes} ${routes === 1 ? 'route' : 'routes'}${missing.length > 0 ? ` (not set, so not checked: ${missing.join(', ')})` : ''}`);
    } else {
      for (const problem of result.problems) printError(io, formatProblem(problem));
    }
  }
  if (!result.ok) throw new CliError(EXIT.REFUSED);
}

/** The variables named by unset-variable problems, once each, in file order. */
function variablesOf(unchecked: readonly ConfigProblem[]): string[] {
  return [...new Set(unchecked.map((problem) => /environment variable (\w+)/.exec(problem.message)?.[1] ?? problem.message))];
}
