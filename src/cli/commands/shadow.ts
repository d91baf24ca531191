// figway shadow <route>: what shadow traffic found on a route, with the last mismatching samples.
import type { Command } from 'commander';
import { adminContext, type AdminContext } from '../admin-options.js';
import type { ShadowAnswer } from '../api-types.js';
import { printJson, printLine, type CliIo } from '../cli-io.js';

/** Adds `shadow` to the program. */
export function registerShadow(program: Command, io: CliIo): void {
  program
    .command('shadow')
    .description("show what shadow traffic found on a route: pairs compared, mismatches, errors, and the last mismatching samples with their differences (this replica's figures)")
    .argument('<route>', 'route id, e.g. orders')
    .action((route: string, _options: object, command: Command) => shadow(adminContext(command, io), route));
}

/** GET /routes/:id/shadow, printed as a summary line and one block per sample. */
export async function shadow(context: AdminContext, routeId: string): Promise<void> {
  const answer = await context.client.call<ShadowAnswer>('GET', `/routes/${encodeURIComponent(routeId)}/shadow`, { expect: ['id', 'compared', 'samples'] });
  if (context.json) return printJson(context.io, answer);
  printLine(context.io, describeShadow(answer));
  for (const sample of answer.samples) {
    const other = sample.shadow.error === undefined ? String(sample.shadow.status) : `failed (${sample.shadow.error})`;
    printLine(context.io, `\n${sample.at}  ${sample.request.method} ${sample.request.path}  ${sample.primary.side} ${sample.primary.status} → ${sample.shadow.side} ${other}`);
    for (const difference of sample.differences) printLine(context.io, `  ${difference}`);
  }
}

/** `orders: 5% shadowed; 2 mismatches in 40 compared (5%), 0 errors, 1 skipped`. */
export function describeShadow(answer: ShadowAnswer): string {
  if (!answer.shadow) return `${answer.id}: no shadow traffic (add shadow to the route in the config)`;
  const share = answer.compared === 0 ? '' : ` (${Number(((answer.mismatches / answer.compared) * 100).toFixed(1))}%)`;
  return `${answer.id}: ${answer.shadow.percent}% shadowed; ${answer.mismatches} mismatches in ${answer.compared} compared${share}, ${answer.errors} errors, ${answer.skipped} skipped`;
}
