// figway reload: the gateway reads its config file again (an invalid file is refused, the old one keeps serving).
import type { Command } from 'commander';
import { adminContext, type AdminContext } from '../admin-options.js';
import { printJson, printLine, type CliIo } from '../cli-io.js';

/** Adds `reload` to the program. */
export function registerReload(program: Command, io: CliIo): void {
  program
    .command('reload')
    .description('make the running gateway read its config file again; an invalid file is refused with its problems')
    .action((_options: object, command: Command) => reload(adminContext(command, io)));
}

/** POST /reload, then prints the new config version (the API's problems, with lines, when refused). */
export async function reload(context: AdminContext): Promise<void> {
  const answer = await context.client.call<{ configVersion: number }>('POST', '/reload', { expect: ['configVersion'] });
  if (context.json) return printJson(context.io, answer);
  printLine(context.io, `reloaded: config version ${answer.configVersion}`);
}
