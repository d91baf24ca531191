// figway status: is the gateway ready, which config and state serve, who the CLI acts as, and every route's percent.
import type { Command } from 'commander';
import { adminContext, type AdminContext } from '../admin-options.js';
import type { ReadyAnswer, RouteAnswer, RoutesAnswer, WhoamiAnswer } from '../api-types.js';
import { printJson, printLine, type CliIo } from '../cli-io.js';
import { describeUpstream, formatPercent } from '../describe-route.js';
import { formatFields, formatTable } from '../format-table.js';
import { DEFAULT_PERCENT } from '../../rollout/rollout-schema.js';
import { describeCaller } from './whoami.js';

/** Adds `status` to the program. */
export function registerStatus(program: Command, io: CliIo): void {
  program
    .command('status')
    .description('show readiness, config version, state revision, kill switch, store health and every route')
    .action((_options: object, command: Command) => showStatus(adminContext(command, io)));
}

/** GET /readyz, GET /routes and GET /whoami; with `--json`, prints `{ readyz, routes, whoami }` (the answers as the API gave them). */
export async function showStatus(context: AdminContext): Promise<void> {
  // 503 is how /readyz says "starting": a state to show, not a failure.
  const readyz = await context.client.call<ReadyAnswer>('GET', '/readyz', { acceptStatus: [503], expect: ['status', 'configVersion'] });
  const routes = await context.client.call<RoutesAnswer>('GET', '/routes', { expect: ['routes', 'killSwitch'] });
  const whoami = await context.client.call<WhoamiAnswer>('GET', '/whoami', { expect: ['name', 'role'] });
  if (context.json) return printJson(context.io, { readyz, routes, whoami });
  const store = readyz.store ? `${readyz.store.description} (${readyz.store.healthy ? 'healthy' : 'unreachable: serving its last known state'})` : 'none';
  printLine(
    context.io,
    formatFields([
      ['admin API', context.client.url],
      ['acting as', describeCaller(whoami)],
      ['status', readyz.status],
      ['config version', String(routes.configVersion)],
      ['state revision', String(routes.stateRevision)],
      ['kill switch', routes.killSwitch ? 'on (every route sends every request to legacy)' : 'off'],
      ['store', store],
    ]),
  );
  printLine(context.io);
  const rows = routes.routes.map((route) => [
    route.id,
    formatPercent(route.rollout.percent ?? DEFAULT_PERCENT),
    route.rollout.source,
    describeFileRollout(route),
    route.rollout.killed ? 'yes' : 'no',
    describeUpstream(route.upstream),
    route.breaker ?? '-',
    route.lastUpstreamError ? `${route.lastUpstreamError.code} at ${route.lastUpstreamError.at.replace(/\.\d+Z$/, 'Z')}` : '-',
  ]);
  printLine(
    context.io,
    rows.length > 0 ? formatTable(['ID', 'PERCENT', 'SOURCE', 'FILE', 'KILLED', 'UPSTREAM', 'BREAKER', 'LAST UPSTREAM ERROR (THIS REPLICA)'], rows) : 'no routes: every request goes to the monolith',
  );
  for (const { route, problems } of routes.ignoredOverrides) {
    printLine(context.io, `ignored runtime change for ${route} (it no longer fits the config): ${problems.join('; ')}`);
  }
  const shadowed = routes.routes.filter((route) => route.rollout.source === 'runtime' && describeFileRollout(route) !== formatPercent(route.rollout.percent ?? DEFAULT_PERCENT)).map((route) => route.id);
  if (shadowed.length > 0) {
    printLine(context.io, `\nruntime changes win over the file for ${shadowed.join(', ')}: \`figway clear <route>\` returns a route to its file rollout`);
  }
}

/** What the config file says of a route's share: its percent, or its steps for a progressive rollout. */
function describeFileRollout(route: RouteAnswer): string {
  const { steps, percent } = route.fileRollout;
  return steps ? `steps ${steps.join(', ')}` : formatPercent(percent ?? DEFAULT_PERCENT);
}
