// Loads a configuration (YAML file or object), validates it once, and reports every problem at once.
import { readFileSync } from 'node:fs';
import { FigwayConfigError, FigwayError, type ConfigProblem } from '../errors.js';
import { checkConfig } from './check-config.js';
import { inlineSource, parseYamlConfig, type ConfigSource } from './config-source.js';
import { ConfigSchema, type FigwayConfig } from './schema.js';
import { validateSchema } from './validate-schema.js';

/** A validated configuration and where it came from. */
export interface LoadedConfig {
  readonly config: FigwayConfig;
  readonly source: ConfigSource;
}

/**
 * Reads and validates a configuration: a YAML file path, or an object passed in code.
 *
 * @throws FigwayConfigError listing every problem with file:line:column and config path.
 * @throws FigwayError FIGWAY_CONFIG_UNREADABLE when the file cannot be read.
 *
 * @example
 * ```ts
 * // In CI, before a deploy: fail the build on a bad route table.
 * import { loadConfig } from 'figway';
 * const { config } = loadConfig('figway.yaml');
 * console.log(config.routes.map((route) => `${route.id} ${route.rollout?.percent ?? 100}%`));
 * ```
 */
export function loadConfig(input: string | FigwayConfig, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  if (typeof input !== 'string') return validated(structuredClone(input), inlineSource());
  let text: string;
  try {
    text = readFileSync(input, 'utf8');
  } catch (err) {
    throw new FigwayError('FIGWAY_CONFIG_UNREADABLE', `cannot read figway config ${input}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = parseYamlConfig(text, input, env);
  if (!parsed.ok) throw new FigwayConfigError(parsed.problems);
  return validated(parsed.value, parsed.source);
}

function validated(value: unknown, source: ConfigSource): LoadedConfig {
  const problems: ConfigProblem[] = validateSchema(ConfigSchema, value, source);
  if (problems.length === 0) problems.push(...checkConfig(value as FigwayConfig, source));
  if (problems.length > 0) throw new FigwayConfigError(problems);
  return { config: value as FigwayConfig, source };
}

