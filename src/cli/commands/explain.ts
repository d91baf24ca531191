// figway explain <method> <path>: what figway would do with a request, without sending one.
import type { Command } from 'commander';
import { adminContext, type AdminContext } from '../admin-options.js';
import type { ExplainAnswer } from '../api-types.js';
import { printJson, printLine, type CliIo } from '../cli-io.js';
import { describeUpstream } from '../describe-route.js';
import { usageError } from '../exit-codes.js';
import { formatFields } from '../format-table.js';
import { checkPair, collect } from '../parse-args.js';

/** The simulated request's details, as given on the command line. */
export interface ExplainOptions {
  readonly header?: readonly string[];
  readonly cookie?: readonly string[];
  readonly user?: readonly string[];
  readonly ip?: string;
}

/** Adds `explain` to the program. */
export function registerExplain(program: Command, io: CliIo): void {
  program
    .command('explain')
    .description('show the route, service path, side and reason figway would pick for a request')
    .argument('<method>', 'HTTP method, e.g. GET')
    .argument('<path>', 'path and query string, e.g. /api/orders/7')
    .option('-H, --header <name:value>', 'a request header (repeatable)', collect)
    .option('--cookie <name=value>', 'a cookie (repeatable)', collect)
    .option('--user <field=value>', 'a field of req.user; the user id field gives sticky key "user" (repeatable)', collect)
    .option('--ip <addr>', 'the client address, as Express resolves req.ip')
    .action((method: string, path: string, options: ExplainOptions, command: Command) => explainRequest(adminContext(command, io), method, path, options));
}

/**
 * GET /explain, then prints the decision, `no route matches: the monolith serves it`, or `refused: <reason>`.
 *
 * @throws CliError exit 2 on a malformed method, path, header, cookie or user field.
 */
export async function explainRequest(context: AdminContext, method: string, path: string, options: ExplainOptions): Promise<void> {
  if (!/^[A-Za-z]+$/.test(method)) throw usageError(`method must be an HTTP method such as GET, got "${method}"`);
  if (!path.startsWith('/')) throw usageError(`path must start with "/", e.g. /api/orders/7, got "${path}"`);
  const query: [string, string][] = [
    ['method', method.toUpperCase()],
    ['path', path],
    ...(options.header ?? []).map((value) => ['header', checkPair(value, '--header', ':')] as [string, string]),
    ...(options.cookie ?? []).map((value) => ['cookie', checkPair(value, '--cookie', '=')] as [string, string]),
    ...(options.user ?? []).map((value) => ['user', checkPair(value, '--user', '=')] as [string, string]),
    ...(options.ip === undefined ? [] : [['ip', options.ip] as [string, string]]),
  ];
  const answer = await context.client.call<ExplainAnswer>('GET', '/explain', { query, expect: ['matched'] });
  if (context.json) return printJson(context.io, answer);
  printLine(context.io, describeExplanation(answer));
  // A real request always has an address: without --ip, a route keyed by it is explained as if it had none.
  if (answer.matched && answer.decision.reason === 'unkeyed' && options.ip === undefined && answer.sticky.includes('ip')) {
    printLine(context.io, 'note: no --ip given, so this request has no address; a real one always has, and this route would key it by ip: add --ip <addr>');
  }
}

/** The explanation as aligned `label: value` lines. */
export function describeExplanation(answer: ExplainAnswer): string {
  if (!answer.matched) return answer.refused ? `refused: ${answer.refused}` : 'no route matches: the monolith serves it';
  const { decision } = answer;
  return formatFields([
    ['route', answer.route],
    ['matched path', answer.path],
    ['upstream', describeUpstream(answer.upstream)],
    ['service path', answer.upstreamPath],
    ['side', decision.side],
    ['reason', describeReason(answer)],
    ['bucket', decision.bucket?.toString()],
    ['sticky key', decision.reason === 'unkeyed' ? `none present (looked for ${answer.sticky.join(', ')})` : decision.stickyKey],
    ['cohort', decision.cohort],
  ]);
}

function describeReason(answer: Extract<ExplainAnswer, { matched: true }>): string {
  const { side, reason, percent, bucket, cohort } = answer.decision;
  switch (reason) {
    case 'bucket': {
      const threshold = Math.round(percent * 100);
      return `bucket (${bucket} is ${side === 'service' ? 'below' : 'not below'} ${threshold}: the route is at ${percent}%)`;
    }
    case 'percent':
      return `percent (the route is at ${percent}%)`;
    case 'cohort':
      return `cohort (${cohort} is forced to ${side})`;
    case 'override':
      return `override (an override header or cookie chose ${side})`;
    case 'unkeyed':
      return answer.random
        ? `unkeyed (no sticky key present: random at ${percent}%, ${side} this time)`
        : `unkeyed (no sticky key present: the route sends such requests to ${side})`;
    case 'kill-switch':
      return 'kill-switch (the kill switch is on: every request goes to legacy)';
    default:
      return reason;
  }
}
