// figway progressive <route> [pause|resume|promote]: where a stepped rollout is, and steering it.
import { Argument, type Command } from 'commander';
import { adminContext, type AdminContext } from '../admin-options.js';
import type { ProgressiveAnswer, RouteAnswer } from '../api-types.js';
import { printJson, printLine, type CliIo } from '../cli-io.js';

/** Adds `progressive` to the program. */
export function registerProgressive(program: Command, io: CliIo): void {
  program
    .command('progressive')
    .description('show a progressive rollout (rollout.steps), or pause it, resume it, or promote it to its next step now')
    .argument('<route>', 'route id, e.g. orders')
    .addArgument(
      new Argument('[action]', 'pause: stop taking steps; resume: take steps again (a rolled-back one starts over); promote: the next step now; none: show it').choices([
        'pause',
        'resume',
        'promote',
      ]),
    )
    .action((route: string, action: 'pause' | 'resume' | 'promote' | undefined, _options: object, command: Command) => progressive(adminContext(command, io), route, action));
}

/** GET /routes/:id, or POST /routes/:id/progressive/<action>, then prints `orders: running at 10% (step 2 of 4) ...`. */
export async function progressive(context: AdminContext, routeId: string, action: 'pause' | 'resume' | 'promote' | undefined): Promise<void> {
  const path = `/routes/${encodeURIComponent(routeId)}`;
  const route =
    action === undefined
      ? await context.client.call<RouteAnswer>('GET', path, { expect: ['id', 'progressive'] })
      : await context.client.call<RouteAnswer>('POST', `${path}/progressive/${action}`, { expect: ['id', 'progressive'] });
  if (context.json) return printJson(context.io, route);
  printLine(context.io, describeProgressive(route.id, route.progressive));
}

/** One line: state, percent, step, requests, when the next step may come, and why it stopped. */
export function describeProgressive(id: string, p: ProgressiveAnswer | null | undefined): string {
  if (!p) return `${id}: no progressive rollout (add rollout.steps to the route in the config)`;
  const parts = [`${id}: ${p.state} at ${p.percent}% (step ${p.step + 1} of ${p.steps.length}: ${p.steps.join(' → ')})`];
  if (p.state === 'running') parts.push(`${p.requestsAtStep}/${p.minStepRequests} requests here`, `next step not before ${p.nextAt}`);
  else parts.push(`since ${p.since}`);
  if (p.reason) parts.push(p.reason);
  return parts.join('; ');
}
