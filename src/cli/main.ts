#!/usr/bin/env node
// The figway command's entry point: runs the program and turns every outcome into an exit code.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { CommanderError } from 'commander';
import { printError, processIo, type CliIo } from './cli-io.js';
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
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return EXIT.OK;
  } catch (err) {
    return exitCodeOf(err, io);
  }
}

function exitCodeOf(err: unknown, io: CliIo): number {
  if (err instanceof CliError) {
    if (err.message) printError(io, `error: ${err.message}`);
    return err.exitCode;
  }
  // Commander has already printed its message (or the help, or the version).
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  printError(io, `error: figway failed unexpectedly, please report it: ${(err as Error).stack ?? String(err)}`);
  return EXIT.REFUSED;
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
