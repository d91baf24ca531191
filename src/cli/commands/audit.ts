// figway audit: who changed what and when, newest first.
import type { Command } from 'commander';
import { adminContext, type AdminContext } from '../admin-options.js';
import { AUDIT_LIMIT } from '../../state/runtime-state.js';
import type { AuditEntryAnswer } from '../api-types.js';
import { printJson, printLine, type CliIo } from '../cli-io.js';
import { formatTable } from '../format-table.js';
import { parseInteger } from '../parse-args.js';

const DEFAULT_LIMIT = 20;

/** Adds `audit` to the program. */
export function registerAudit(program: Command, io: CliIo): void {
  program
    .command('audit')
    .description('show who changed rollouts, rollbacks, the kill switch and reloads, newest first')
    .option('--limit <n>', `most entries to show, 1 to 1000 (default ${DEFAULT_LIMIT})`)
    .option('--change <id>', 'only the change with this id: none listed means it was not applied (and never will be)')
    .action((options: { limit?: string; change?: string }, command: Command) => {
      const limit = options.limit === undefined ? DEFAULT_LIMIT : parseInteger(options.limit, '--limit', 1, 1000);
      return showAudit(adminContext(command, io), limit, options.change);
    });
}

/** GET /audit?limit=n (or ?change=id), then prints TIME, ACTOR (SAID), ACTION, ROUTE, BEFORE → AFTER, REASON: the token's name, and in brackets who the caller said it was. */
export async function showAudit(context: AdminContext, limit: number, change?: string): Promise<void> {
  const query: [string, string][] = change === undefined ? [['limit', String(limit)]] : [['change', change]];
  const answer = await context.client.call<{ entries: AuditEntryAnswer[] }>('GET', '/audit', { query, expect: ['entries'] });
  if (context.json) return printJson(context.io, answer);
  if (answer.entries.length === 0) return printLine(context.io, change === undefined ? 'no changes recorded' : `change ${change} is not among the last ${AUDIT_LIMIT} changes in the audit log: it was not applied`);
  const rows = answer.entries.map((entry) => [
    entry.at.replace(/\.\d+Z$/, 'Z'),
    entry.note === undefined ? entry.actor : `${entry.actor} (${entry.note})`,
    entry.action,
    entry.route ?? '-',
    describeChange(entry),
    entry.reason ?? '-',
  ]);
  printLine(context.io, formatTable(['TIME', 'ACTOR (SAID)', 'ACTION', 'ROUTE', 'BEFORE → AFTER', 'REASON'], rows));
}

/** `10% → 25%`, `off → on`, `v1 → v2`, `running at 10% (step 2 of 4) → paused at 10% (step 2 of 4)`, or the changed fields of a rollout. */
export function describeChange(entry: AuditEntryAnswer): string {
  const { action, before, after } = entry;
  if (action === 'kill-switch') return `${onOff(before)} → ${onOff(after)}`;
  if (isSchedule(before) || isSchedule(after)) return `${schedule(before)} → ${schedule(after)}`;
  if (action === 'reload') return `config v${String(before)} → v${String(after)}`;
  if (!isObject(before) || !isObject(after)) return `${compact(before)} → ${compact(after)}`;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const changed = keys.filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
  if (changed.length === 0) return `${percent(before.percent)} → ${percent(after.percent)}`;
  return changed
    .map((key) => (key === 'percent' ? `${percent(before.percent)} → ${percent(after.percent)}` : `${key} ${compact(before[key])} → ${compact(after[key])}`))
    .join('; ');
}

interface Schedule {
  readonly steps: readonly number[];
  readonly step: number;
  readonly state: string;
}

function isSchedule(value: unknown): value is Schedule {
  return isObject(value) && Array.isArray(value.steps) && typeof value.step === 'number';
}

function schedule(value: unknown): string {
  if (!isSchedule(value)) return 'not started';
  return `${value.state} at ${percent(value.state === 'rolled-back' ? 0 : value.steps[value.step])} (step ${value.step + 1} of ${value.steps.length})`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onOff(value: unknown): string {
  return value === true ? 'on' : value === false ? 'off' : compact(value);
}

function percent(value: unknown): string {
  return typeof value === 'number' ? `${value}%` : '100%';
}

function compact(value: unknown): string {
  if (value === undefined || value === null) return '-';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
