// The figway command: global options, help text, and every subcommand.
import { Command } from 'commander';
import { version } from '../version.js';
import { DEFAULT_ADMIN_URL } from './admin-options.js';
import type { CliIo } from './cli-io.js';
import { registerAudit } from './commands/audit.js';
import { registerExplain } from './commands/explain.js';
import { registerKillSwitch } from './commands/kill-switch.js';
import { registerMap } from './commands/map.js';
import { registerProgressive } from './commands/progressive.js';
import { registerReload } from './commands/reload.js';
import { registerRollout } from './commands/rollout.js';
import { registerRoutes } from './commands/routes.js';
import { registerShadow } from './commands/shadow.js';
import { registerStatus } from './commands/status.js';
import { registerValidate } from './commands/validate.js';
import { registerWhoami } from './commands/whoami.js';
import { EXIT_CODES_HELP } from './exit-codes.js';

/**
 * Builds the `figway` program writing to `io`. Commander's own exits are turned into exceptions
 * (`exitOverride`), so the caller decides the exit code; build a new program for every run. With
 * `json`, commander's error messages are not written: the caller prints them as JSON.
 */
export function buildProgram(io: CliIo, { json = false }: { json?: boolean } = {}): Command {
  const program = new Command('figway')
    .description('Check figway configs, and steer a running figway through its admin API: rollouts, progressive rollouts, rollbacks, kill switch, shadow diffs, explain, audit, the migration map.')
    .version(version, '-V, --version', 'print the figway version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .option('--admin <url>', `admin API URL (env FIGWAY_ADMIN_URL, default ${DEFAULT_ADMIN_URL})`)
    .option('--token <token>', 'admin API bearer token (env FIGWAY_ADMIN_TOKEN)')
    .option('--json', 'machine output: JSON on stdout and nothing else')
    .option('--reason <text>', 'why you make this change, kept in the audit log beside it (figway audit shows it)')
    .option('--change-id <id>', 'id of the change this command makes (sent as Idempotency-Key; default a new one): re-run with the id an unknown outcome gave, and it is applied at most once')
    // Set before the subcommands are added: they copy these settings when created.
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, ...(json ? { outputError: () => undefined } : {}) })
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError(json ? false : '(add --help for usage)')
    .addHelpText('afterAll', EXIT_CODES_HELP);
  registerValidate(program, io);
  registerRoutes(program, io);
  registerStatus(program, io);
  registerMap(program, io);
  registerWhoami(program, io);
  registerRollout(program, io);
  registerProgressive(program, io);
  registerShadow(program, io);
  registerKillSwitch(program, io);
  registerExplain(program, io);
  registerAudit(program, io);
  registerReload(program, io);
  return program;
}
