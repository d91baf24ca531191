// figway whoami: which admin token the CLI acts as, and what its role lets it do.
import type { Command } from 'commander';
import { adminContext, type AdminContext } from '../admin-options.js';
import type { WhoamiAnswer } from '../api-types.js';
import { printJson, printLine, type CliIo } from '../cli-io.js';

/** Adds `whoami` to the program. */
export function registerWhoami(program: Command, io: CliIo): void {
  program
    .command('whoami')
    .description("show the admin token's name (the actor the audit log records) and its role")
    .action((_options: object, command: Command) => showWhoami(adminContext(command, io)));
}

/** GET /whoami, then prints `ops-oncall, role operate (read < operate < admin) at http://127.0.0.1:9901`. */
export async function showWhoami(context: AdminContext): Promise<void> {
  const answer = await context.client.call<WhoamiAnswer>('GET', '/whoami', { expect: ['name', 'role'] });
  if (context.json) return printJson(context.io, answer);
  printLine(context.io, `${describeCaller(answer)} at ${context.client.url}`);
}

/** `ops-oncall, role operate (read < operate < admin)`, or what acting without a token means. */
export function describeCaller(caller: WhoamiAnswer): string {
  if (!caller.authenticated) return `${caller.name}, no token (the admin API asks for none on loopback), every role`;
  return `${caller.name}, role ${caller.role} (read < operate < admin)`;
}
