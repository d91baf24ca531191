// figway map: every endpoint of the monolith, how far it is strangled, and whether its legacy handler can go.
import type { Command } from 'commander';
import { ENDPOINT_STATES, type EndpointState } from '../../map/map-schema.js';
import { adminContext, type AdminContext } from '../admin-options.js';
import type { MapAnswer, MapEndpointAnswer } from '../api-types.js';
import { printJson, printLine, type CliIo } from '../cli-io.js';
import { formatPercent } from '../describe-route.js';
import { usageError } from '../exit-codes.js';
import { formatTable } from '../format-table.js';

/** Adds `map` to the program. */
export function registerMap(program: Command, io: CliIo): void {
  program
    .command('map')
    .description('show the migration map: every monolith endpoint, its route, percent and state, and why its legacy handler cannot go yet')
    .option('--state <state>', `only the endpoints in this state: ${ENDPOINT_STATES.join(', ')} (with --json, the answer's endpoints are filtered)`)
    .action((options: { state?: string }, command: Command) => {
      const state = options.state === undefined ? undefined : parseState(options.state);
      return showMap(adminContext(command, io), state);
    });
}

/**
 * An endpoint state, as `--state` takes it.
 *
 * @throws CliError exit 2 with the states it can be.
 */
export function parseState(text: string): EndpointState {
  const state = ENDPOINT_STATES.find((known) => known === text);
  if (state === undefined) throw usageError(`--state must be one of ${ENDPOINT_STATES.join(', ')}, got "${text}"`);
  return state;
}

/**
 * GET /map, then prints METHOD, PATH, ROUTE, PERCENT, STATE, SERVICE, LEGACY, WHY for each endpoint
 * (only those in `state`, when given), then the strangled shares per area, the new routes, the
 * hidden mounts and what the map could not know. With `--json`, prints the answer as the API gave
 * it (its endpoints filtered by `state`, when given).
 */
export async function showMap(context: AdminContext, state?: EndpointState): Promise<void> {
  const answer = await context.client.call<MapAnswer>('GET', '/map', { expect: ['endpoints', 'areas', 'monolith'] });
  const endpoints = state === undefined ? answer.endpoints : answer.endpoints.filter((endpoint) => endpoint.state === state);
  if (context.json) return printJson(context.io, state === undefined ? answer : { ...answer, endpoints });
  const { io } = context;
  if (endpoints.length > 0) {
    printLine(io, formatTable(['METHOD', 'PATH', 'ROUTE', 'PERCENT', 'STATE', 'SERVICE', 'LEGACY', 'WHY'], endpoints.map(endpointRow)));
  } else if (state !== undefined) {
    printLine(io, `no endpoint is ${state} (of ${answer.endpoints.length})`);
  } else {
    printLine(io, answer.monolith === 'unknown' ? 'no monolith endpoints known' : 'no monolith endpoints found');
  }
  printLine(io);
  for (const line of summary(answer)) printLine(io, line);
}

/** One endpoint's cells; a side figway does not count, a missing route or percent is `-`. */
function endpointRow(endpoint: MapEndpointAnswer): string[] {
  const [first, ...more] = endpoint.why;
  return [
    endpoint.method,
    endpoint.path,
    endpoint.route ?? '-',
    endpoint.percent === undefined ? '-' : formatPercent(endpoint.percent),
    endpoint.state,
    count(endpoint.served.service),
    count(endpoint.served.legacy),
    first === undefined ? '-' : more.length > 0 ? `${first} (+${more.length} more)` : first,
  ];
}

/** The lines after the table: shares, areas, new routes, hidden mounts and what the map could not know. */
function summary(answer: MapAnswer): string[] {
  const lines: string[] = [];
  const whole = answer.areas.find((area) => area.area === '*');
  const counted = answer.countLegacy ? 'of all requests' : "of the routes' requests (map.countLegacy is off: endpoints no route covers are not counted)";
  lines.push(
    whole?.strangled === undefined
      ? `strangled: no requests counted in the last ${describeSeconds(answer.windowSeconds)}`
      : `strangled: ${share(whole.strangled)} ${counted} in the last ${describeSeconds(answer.windowSeconds)} (this replica)`,
  );
  if (answer.areas.length > 0) {
    const rows = answer.areas.map((area) => [area.area, area.strangled === undefined ? '-' : share(area.strangled), ...ENDPOINT_STATES.map((state) => String(area.endpoints[state] ?? 0))]);
    lines.push('', formatTable(['AREA', 'STRANGLED', ...ENDPOINT_STATES.map((state) => state.toUpperCase())], rows));
  }
  if (answer.newRoutes.length > 0) {
    lines.push('', 'new routes (covering no monolith endpoint):');
    for (const route of answer.newRoutes) {
      lines.push(`  ${route.route}  ${route.path}  ${formatPercent(route.percent)}  service ${count(route.served.service)}, legacy ${count(route.served.legacy)}`);
    }
  }
  if (answer.hidden.length > 0) {
    lines.push('', 'hidden from the map (their routes cannot be read):');
    for (const hidden of answer.hidden) lines.push(`  ${hidden.path}: ${hidden.reason}`);
  }
  const notes: string[] = [];
  if (answer.monolith === 'unknown') notes.push("note: figway is not mounted on an Express app (yet), so the monolith's endpoints are unknown: only its routes are listed");
  if (answer.history === 'unavailable') notes.push("note: the state store's history could not be read, so no endpoint is said ready to retire");
  if (notes.length > 0) lines.push('', ...notes);
  return lines;
}

/** A request count, or `-` when figway does not count that side. */
function count(value: number | undefined): string {
  return value === undefined ? '-' : String(value);
}

/** `42.5%` from 0.425. */
function share(fraction: number): string {
  return formatPercent(Math.round(fraction * 1000) / 10);
}

/** `1d`, `6h`, `30m`, `45s`: the window as the config writes it. */
function describeSeconds(seconds: number): string {
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60]] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
