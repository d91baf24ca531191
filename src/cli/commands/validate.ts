// figway validate <file>: the config check a deploy runs first.
import type { Command } from 'commander';
import { formatProblem } from '../../errors.js';
import { jsonOutput } from '../admin-options.js';
import { printError, printJson, printLine, type CliIo } from '../cli-io.js';
import { CliError, EXIT } from '../exit-codes.js';
import { readConfigFile } from '../read-config-file.js';

/** Adds `validate` to the program. */
export function registerValidate(program: Command, io: CliIo): void {
  program
    .command('validate')
    .description('check a config file: every problem with file:line:column and config path')
    .argument('<file>', 'the config file, e.g. figway.yaml')
    .action((file: string, _options: object, command: Command) => validateFile(file, io, jsonOutput(command)));
}

/**
 * Prints `ok: <file>, N routes`, or every problem on stderr (one per line, in file order).
 *
 * @throws CliError exit 1 when the file is invalid or unreadable.
 */
export function validateFile(file: string, io: CliIo, json: boolean): void {
  const result = readConfigFile(file, io.env);
  if (result.ok) {
    const routes = result.loaded.config.routes.length;
    if (json) printJson(io, { ok: true, file, routes });
    else printLine(io, `ok: ${file}, ${routes} ${routes === 1 ? 'route' : 'routes'}`);
    return;
  }
  if (json) printJson(io, { ok: false, file, problems: result.problems });
  else for (const problem of result.problems) printError(io, formatProblem(problem));
  throw new CliError(EXIT.REFUSED);
}
