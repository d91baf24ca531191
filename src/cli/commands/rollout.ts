// figway rollout <route> <percent>, rollback <route> and clear <route>: change a route's share at runtime.
import type { Command } from 'commander';
import { adminContext, type AdminContext } from '../admin-options.js';
import type { RouteAnswer } from '../api-types.js';
import { printError, printJson, printLine, type CliIo } from '../cli-io.js';
import { formatPercent } from '../describe-route.js';
import { parsePercent } from '../parse-args.js';
import { DEFAULT_PERCENT } from '../../rollout/rollout-schema.js';

const ROUTE_FIELDS = ['id', 'rollout'];

/** Adds `rollout`, `rollback` and `clear` to the program. */
export function registerRollout(program: Command, io: CliIo): void {
  program
    .command('rollout')
    .description("set a route's rollout percent at runtime, on every replica and across restarts")
    .argument('<route>', 'route id, e.g. orders')
    .argument('<percent>', '0 to 100, at most two decimals, e.g. 25 or 12.5')
    .action((route: string, percent: string, _options: object, command: Command) => {
      const value = parsePercent(percent);
      return setRollout(adminContext(command, io), route, value);
    });
  program
    .command('rollback')
    .description('send every request of a route to legacy (0%); forced cohorts still apply')
    .argument('<route>', 'route id, e.g. orders')
    .action((route: string, _options: object, command: Command) => rollBack(adminContext(command, io), route));
  program
    .command('clear')
    .description("drop a route's runtime changes: the rollout in the config file applies again")
    .argument('<route>', 'route id, e.g. orders')
    .action((route: string, _options: object, command: Command) => clearRuntimeChange(adminContext(command, io), route));
}

/** DELETE /routes/:id/rollout, then prints `orders: back to the file's rollout, 10% (was 25%)`. */
export async function clearRuntimeChange(context: AdminContext, routeId: string): Promise<void> {
  const path = routePath(routeId);
  const before = await context.client.call<RouteAnswer>('GET', path, { expect: ROUTE_FIELDS });
  const after = await context.client.call<RouteAnswer>('DELETE', `${path}/rollout`, { expect: ROUTE_FIELDS });
  if (context.json) return printJson(context.io, after);
  if (unchanged(context, before, after)) printLine(context.io, `${after.id}: no runtime change to clear: the file's rollout, ${percentOf(after)}, applies; nothing changed`);
  else printLine(context.io, `${after.id}: back to the file's rollout, ${percentOf(after)} (was ${percentOf(before)})`);
  warnIfKilled(context.io, after);
}

/** PUT /routes/:id/rollout, then prints `orders: 25% (was 10%, source runtime)`. */
export async function setRollout(context: AdminContext, routeId: string, percent: number): Promise<void> {
  const path = routePath(routeId);
  // The change's answer holds only the new rollout: the old percent is read first (and an unknown route is refused before any change).
  const before = await context.client.call<RouteAnswer>('GET', path, { expect: ROUTE_FIELDS });
  const after = await context.client.call<RouteAnswer>('PUT', `${path}/rollout`, { body: { percent }, expect: ROUTE_FIELDS });
  if (context.json) return printJson(context.io, after);
  if (unchanged(context, before, after)) printLine(context.io, `${after.id}: already ${percentOf(after)} (source ${after.rollout.source}); nothing changed`);
  else printLine(context.io, `${after.id}: ${percentOf(after)} (was ${percentOf(before)}, source ${after.rollout.source})`);
  warnIfKilled(context.io, after);
}

/** POST /routes/:id/rollback, then prints `orders: rolled back to 0% (was 25%)`. */
export async function rollBack(context: AdminContext, routeId: string): Promise<void> {
  const path = routePath(routeId);
  const before = await context.client.call<RouteAnswer>('GET', path, { expect: ROUTE_FIELDS });
  const after = await context.client.call<RouteAnswer>('POST', `${path}/rollback`, { expect: ROUTE_FIELDS });
  if (context.json) return printJson(context.io, after);
  const forced = Object.entries(after.rollout.cohorts ?? {}).filter(([, side]) => side === 'service').map(([name]) => name);
  const still = forced.length > 0 ? `; cohort ${forced.join(', ')} still goes to the service` : '';
  if (unchanged(context, before, after)) printLine(context.io, `${after.id}: already rolled back to ${percentOf(after)}; nothing changed${still}`);
  else printLine(context.io, `${after.id}: rolled back to ${percentOf(after)} (was ${percentOf(before)})${still}`);
  warnIfKilled(context.io, after);
}

/** Whether the change left the route's rollout as it was (the audit log still records the call); never said of a retry. */
function unchanged(context: AdminContext, before: RouteAnswer, after: RouteAnswer): boolean {
  return !context.retry && JSON.stringify(before.rollout) === JSON.stringify(after.rollout);
}

function routePath(routeId: string): string {
  return `/routes/${encodeURIComponent(routeId)}`;
}

function percentOf(route: RouteAnswer): string {
  return formatPercent(route.rollout.percent ?? DEFAULT_PERCENT);
}

function warnIfKilled(io: CliIo, route: RouteAnswer): void {
  if (route.rollout.killed) printError(io, 'note: the kill switch is on, so every request still goes to legacy (figway kill-switch off to resume)');
}
