// figway routes <file>: the route table of a config file, as a person reads it.
import type { Command } from 'commander';
import type { DeclaredKeys } from '../../config/compose-schema.js';
import { fillRouteDefaults, type FigwayConfig, type RouteConfig } from '../../config/schema.js';
import { formatProblem } from '../../errors.js';
import { jsonOutput } from '../admin-options.js';
import { printError, printJson, printLine, type CliIo } from '../cli-io.js';
import { describeMatch, describeRewrite, describeRollout, describeUpstream } from '../describe-route.js';
import { CliError, EXIT } from '../exit-codes.js';
import { formatTable } from '../format-table.js';
import { importPlugins, PLUGINS_OPTION } from '../import-plugins.js';
import { readConfigFile } from '../read-config-file.js';

/** Adds `routes` to the program. */
export function registerRoutes(program: Command, io: CliIo): void {
  program
    .command('routes')
    .description("show a config file's routes: match, upstream, rollout, rewrite")
    .argument('<file>', 'the config file, e.g. figway.yaml')
    .option('--plugins <module>', PLUGINS_OPTION)
    .action(async (file: string, options: { plugins?: string }, command: Command) => listRoutes(file, io, jsonOutput(command), await importPlugins(options.plugins)));
}

/**
 * Prints the table (or, with `json`, the routes as the file defines them).
 *
 * @throws CliError exit 1 when the file is invalid (its problems are printed) or unreadable.
 */
export function listRoutes(file: string, io: CliIo, json: boolean, plugins: readonly DeclaredKeys[] = []): void {
  const result = readConfigFile(file, io.env, false, plugins);
  if (!result.ok) {
    // As validate: with --json, the problems are the one JSON document.
    if (json) printJson(io, { ok: false, file, problems: result.problems });
    else for (const problem of result.problems) printError(io, formatProblem(problem));
    throw new CliError(EXIT.REFUSED);
  }
  const { config } = result.loaded;
  if (json) return printJson(io, config.routes);
  if (config.routes.length === 0) return printLine(io, `${file} has no routes: every request goes to the monolith`);
  const defaults = fillRouteDefaults(config.defaults);
  const rows = config.routes.map((route) => [
    route.id,
    describeMatch(route.match),
    describeUpstream(upstreamOf(config, route)),
    describeRollout(route.rollout, defaults),
    describeRewrite(route.rewrite),
  ]);
  printLine(io, formatTable(['ID', 'MATCH', 'UPSTREAM', 'ROLLOUT', 'REWRITE'], rows));
}

function upstreamOf(config: FigwayConfig, route: RouteConfig): { name: string; url: string } {
  const named = config.upstreams?.[route.upstream];
  return named ? { name: route.upstream, url: named.url } : { name: route.upstream, url: route.upstream };
}
