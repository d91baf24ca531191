// figway kill-switch [on|off]: every route to legacy at once, or back to their rollouts.
import { Argument, type Command } from 'commander';
import { adminContext, type AdminContext } from '../admin-options.js';
import { printJson, printLine, type CliIo } from '../cli-io.js';

/** Adds `kill-switch` to the program. */
export function registerKillSwitch(program: Command, io: CliIo): void {
  program
    .command('kill-switch')
    .description('show the kill switch, or turn it on (every route to legacy) or off (rollouts apply)')
    .addArgument(new Argument('[on|off]', 'on: every route to legacy; off: rollouts apply; neither: show the state').choices(['on', 'off']))
    .action((state: 'on' | 'off' | undefined, _options: object, command: Command) => killSwitch(adminContext(command, io), state));
}

/**
 * GET /kill-switch, or POST it with `{"on": true|false}`, then prints the state. Before a change it
 * reads the state, to say when the switch already was so; with --json or --change-id (a retry) it
 * does not: the answer is the API's alone, and the emergency action waits on one call, not two.
 */
export async function killSwitch(context: AdminContext, state: 'on' | 'off' | undefined): Promise<void> {
  const read = () => context.client.call<{ on: boolean }>('GET', '/kill-switch', { expect: ['on'] });
  const before = state === undefined || (!context.json && !context.retry) ? await read() : undefined;
  const answer = state === undefined ? (before as { on: boolean }) : await context.client.call<{ on: boolean }>('POST', '/kill-switch', { body: { on: state === 'on' }, expect: ['on'] });
  if (context.json) return printJson(context.io, answer);
  const already = state !== undefined && before?.on === answer.on ? 'already ' : '';
  const nothing = already ? '; nothing changed' : '';
  printLine(context.io, answer.on ? `kill switch: ${already}on (every route sends every request to legacy)${nothing}` : `kill switch: ${already}off (routes follow their rollouts)${nothing}`);
}
