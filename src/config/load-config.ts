// Loads a configuration (YAML file or object), validates it once, and reports every problem at once.
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import type { TSchema } from '@sinclair/typebox';
import { FigwayConfigError, FigwayError, type ConfigProblem } from '../errors.js';
import { checkConfig } from './check-config.js';
import { inlineSource, parseYamlConfig, sourceFromText, type ConfigSource } from '../config-kit/config-source.js';
import { configSchemaFor, type DeclaredKeys } from './compose-schema.js';
import type { FigwayConfig } from './schema.js';
import { validateSchema } from '../config-kit/validate-schema.js';

/** A validated configuration and where it came from. */
export interface LoadedConfig {
  readonly config: FigwayConfig;
  readonly source: ConfigSource;
}

/** How loadConfig reads a file. */
export interface LoadOptions {
  /** Refuse a larger file from its size, before any of it is read. */
  readonly maxFileBytes?: number;
  /**
   * Checks a file in CI without its secrets: a `${VAR}` that is not set is not a problem but is
   * handed to this function (one entry per use, with its file line and config path), and the values
   * that use it are not checked.
   */
  readonly unsetEnv?: (unset: readonly ConfigProblem[]) => void;
  /** The app's plugins (those passed to figway() in code), whose config keys the file may use. */
  readonly plugins?: readonly DeclaredKeys[];
}

/**
 * Reads and validates a configuration: a YAML file path, or an object passed in code.
 *
 * @throws FigwayConfigError listing every problem with file:line:column and config path.
 * @throws FigwayError FIGWAY_CONFIG_UNREADABLE when the file cannot be read, FIGWAY_CONFIG_TOO_LARGE
 *   when it is larger than `options.maxFileBytes` (then none of it is read).
 *
 * @example
 * ```ts
 * // In CI, before a deploy: fail the build on a bad route table.
 * import { loadConfig } from 'figway';
 * const { config } = loadConfig('figway.yaml');
 * console.log(config.routes.map((route) => `${route.id} ${route.rollout?.percent ?? 100}%`));
 * ```
 */
export function loadConfig(input: string | FigwayConfig, env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): LoadedConfig {
  const schema = configSchemaFor(options.plugins ?? []);
  if (typeof input !== 'string') return validated(schema, structuredClone(input), inlineSource());
  const text = readConfigText(input, options.maxFileBytes);
  const parsed = parseYamlConfig(text, input, env, options.unsetEnv ? 'allow' : 'refuse');
  if (!parsed.ok) throw new FigwayConfigError(parsed.problems);
  if (parsed.unsetEnv.length > 0) options.unsetEnv?.(parsed.unsetEnv);
  const { config } = validated(schema, parsed.value, parsed.source, parsed.unsetEnv.map((unset) => unset.path));
  return { config, source: sourceFromText(text, input) };
}

/** The file's text, read once; with a limit, a larger file is refused from its size before any of it is read. */
function readConfigText(file: string, maxFileBytes: number | undefined): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const { size } = fstatSync(fd);
    if (maxFileBytes !== undefined && size > maxFileBytes) {
      throw new FigwayError('FIGWAY_CONFIG_TOO_LARGE', `figway config ${file} is ${size} bytes, over the ${maxFileBytes}-byte limit (reload.maxFileBytes); it was not read`);
    }
    const text = readFileSync(fd, 'utf8');
    // Still growing while it was read: the size said one thing, the content another.
    if (maxFileBytes !== undefined && Buffer.byteLength(text) > maxFileBytes) {
      throw new FigwayError('FIGWAY_CONFIG_TOO_LARGE', `figway config ${file} grew over the ${maxFileBytes}-byte limit (reload.maxFileBytes) while it was read`);
    }
    return text;
  } catch (err) {
    if (err instanceof FigwayError) throw err;
    throw new FigwayError('FIGWAY_CONFIG_UNREADABLE', `cannot read figway config ${file}: ${(err as Error).message}`, { cause: err });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Validates `value`; problems at or below `unchecked` paths (values from unset variables) are left out. */
function validated(schema: TSchema, value: unknown, source: ConfigSource, unchecked: readonly string[] = []): LoadedConfig {
  const keep = (problem: ConfigProblem) => !unchecked.some((path) => problem.path === path || problem.path.startsWith(`${path}.`) || problem.path.startsWith(`${path}[`));
  const problems: ConfigProblem[] = validateSchema(schema, value, source).filter(keep);
  if (problems.length === 0) problems.push(...checkConfig(value as FigwayConfig, source, unchecked.length > 0).filter(keep));
  if (problems.length > 0) throw new FigwayConfigError(problems);
  return { config: value as FigwayConfig, source };
}

