// Where the CLI writes and what it reads from its surroundings, so tests can run it in-process.
import os from 'node:os';

/** The CLI's outside world: output streams, environment and the admin API timeout. */
export interface CliIo {
  /** Receives stdout text (lines end with "\n"). */
  readonly stdout: (text: string) => void;
  /** Receives stderr text (lines end with "\n"). */
  readonly stderr: (text: string) => void;
  /** FIGWAY_ADMIN_URL, FIGWAY_ADMIN_TOKEN, USER and the `${VAR}`s of config files are read here. */
  readonly env: NodeJS.ProcessEnv;
  /** How long to wait for the admin API. Default 10 s. */
  readonly timeoutMs?: number;
}

/** The real process: its streams and environment. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  };
}

/** Writes one line to stdout. */
export function printLine(io: CliIo, line = ''): void {
  io.stdout(`${line}\n`);
}

/** Writes one line to stderr. */
export function printError(io: CliIo, line: string): void {
  io.stderr(`${line}\n`);
}

/** Writes a value as indented JSON to stdout: the only thing `--json` puts there. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * The OS user, noted in the audit log beside the token's name. The admin API notes only `[\w.@ -]`
 * (it drops any other name), so other characters are replaced rather than losing the name.
 */
export function currentUser(env: NodeJS.ProcessEnv): string {
  let name: string | undefined;
  try {
    name = os.userInfo().username;
  } catch {
    // No passwd entry (containers running as a bare uid): the shell's USER is the next best thing.
  }
  name = name || env.USER || env.USERNAME || 'unknown';
  return name.replace(/[^\w.@ -]/g, '_').slice(0, 100);
}
