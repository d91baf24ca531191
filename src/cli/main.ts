#!/usr/bin/env node
// The figway command's entry point: runs the program and turns every outcome into an exit code.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { CommanderError } from 'commander';
import { printError, printJson, processIo, type CliIo } from './cli-io.js';
import { CliError, EXIT } from './exit-codes.js';
import { buildProgram } from './program.js';

export { buildProgram } from './program.js';
export type { CliIo } from './cli-io.js';
export { EXIT } from './exit-codes.js';

/**
 * Runs `figway` with `argv` (the arguments after the command name) and resolves with the exit code:
 * 0 success, 1 invalid config or request refused, 2 usage error, 3 admin API unreachable or
 * failed, 4 not authorized.
 *
 * @example
 * ```ts
 * const code = await run(['validate', 'figway.yaml']);
 * ```
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  // Known before parsing, which may fail: with --json, a failure is a JSON document on stdout too.
  const json = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : undefined).includes('--json');
  try {
    await buildProgram(io, { json }).parseAsync([...argv], { from: 'user' });
    return EXIT.OK;
  } catch (err) {
    return json ? failedAsJson(err, io) : failed(err, io);
  }
}

function failed(err: unknown, io: CliIo): number {
  if (err instanceof CliError) {
    if (err.message) printError(io, `error: ${err.message}`);
    return err.exitCode;
  }
  // Commander has already printed its message (or the help, or the version).
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  printError(io, `error: figway failed unexpectedly, please report it: ${(err as Error).stack ?? String(err)}`);
  return EXIT.REFUSED;
}

/**
 * `{ "error": { "message", "exitCode", "code"?, "details"? } }` on stdout (code and details are the
 * admin API's, when it gave them). A command that already printed its JSON answer (validate's
 * problems) ends with no message, and nothing more is printed.
 */
function failedAsJson(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError && err.exitCode === 0) return EXIT.OK;
  // No command: commander printed the help, which is the answer; the exit code says it was a usage error.
  if (err instanceof CommanderError && err.code === 'commander.help') {
    printJson(io, { error: { message: 'no command given: figway --help lists them', exitCode: EXIT.USAGE } });
    return EXIT.USAGE;
  }
  const exitCode = err instanceof CliError ? err.exitCode : err instanceof CommanderError ? EXIT.USAGE : EXIT.REFUSED;
  if (err instanceof CliError && !err.message) return exitCode;
  const message =
    err instanceof CliError || err instanceof CommanderError
      ? err.message.replace(/^error: /, '')
      : `figway failed unexpectedly, please report it: ${(err as Error).stack ?? String(err)}`;
  const api = err instanceof CliError ? { ...(err.code === undefined ? {} : { code: err.code }), ...(err.details === undefined ? {} : { details: err.details }) } : {};
  printJson(io, { error: { message, exitCode, ...api } });
  return exitCode;
}

/** Whether this module is the script node was started with (npm links bins, so symlinks are followed). */
function isMain(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  // `figway audit | head` closes the pipe early: that is the reader's choice, not a failure.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  // exitCode rather than exit(): stdout may still be flushing to a pipe.
  process.exitCode = await run(process.argv.slice(2));
}
