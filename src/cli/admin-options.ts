// The global options every admin command shares: --admin, --token, --json, --change-id, --reason, and the actor sent with each call.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { CHANGE_ID, REASON } from '../state/runtime-state.js';
import { createAdminClient, type AdminClient } from './admin-client.js';
import { currentUser, type CliIo } from './cli-io.js';
import { usageError } from './exit-codes.js';

export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:9901';
const DEFAULT_TIMEOUT_MS = 10_000;

/** What an admin command needs: a client, the output mode and the streams. */
export interface AdminContext {
  readonly client: AdminClient;
  readonly json: boolean;
  readonly io: CliIo;
  /**
   * A --change-id was given: the command may retry a change already applied (the way an unknown
   * outcome is settled), so finding the state unchanged does not mean the change changed nothing.
   */
  readonly retry: boolean;
}

/** The global options as commander parsed them. */
export interface GlobalOptions {
  readonly admin?: string;
  readonly token?: string;
  readonly json?: boolean;
  readonly changeId?: string;
  readonly reason?: string;
}

/**
 * Resolves the global options of `command` (flags first, then FIGWAY_ADMIN_URL / FIGWAY_ADMIN_TOKEN
 * from `io.env`, then the default URL) into a client.
 *
 * @throws CliError exit 2 when the admin URL is not an http(s) URL.
 */
export function adminContext(command: Command, io: CliIo): AdminContext {
  const options = command.optsWithGlobals<GlobalOptions>();
  const url = options.admin ?? (io.env.FIGWAY_ADMIN_URL || DEFAULT_ADMIN_URL);
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
    throw usageError(`--admin (FIGWAY_ADMIN_URL) must be an http:// or https:// URL such as ${DEFAULT_ADMIN_URL}, got "${url}"`);
  }
  const token = options.token ?? (io.env.FIGWAY_ADMIN_TOKEN || undefined);
  if (options.changeId !== undefined && !CHANGE_ID.pattern.test(options.changeId)) throw usageError(`--change-id must be ${CHANGE_ID.rule}`);
  const changeId = options.changeId ?? randomUUID();
  const reason = options.reason?.trim();
  if (reason !== undefined && !REASON.pattern.test(reason)) throw usageError(`--reason must be ${REASON.rule}`);
  const client = createAdminClient({ url, token, actor: currentUser(io.env), timeoutMs: io.timeoutMs ?? DEFAULT_TIMEOUT_MS, changeId, reason });
  return { client, json: options.json === true, io, retry: options.changeId !== undefined };
}

/** Whether `--json` was given, for the commands that read a file. */
export function jsonOutput(command: Command): boolean {
  return command.optsWithGlobals<GlobalOptions>().json === true;
}
