// A parsed configuration together with where each value came from, so problems can name file:line:column.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import type { ConfigProblem } from '../errors.js';
import { interpolateEnv } from './interpolate-env.js';

/** A path into the config: object keys and array indexes, e.g. ['routes', 2, 'rollout', 'percent']. */
export type ConfigPath = readonly (string | number)[];

/** Where a config value is, for problem reports. */
export interface ConfigSource {
  /** The file name shown in problems, or `<inline>`. */
  readonly file: string;
  /** Builds a problem at `path`; `atKey` points at the key instead of the value (for unknown fields). */
  problem(path: ConfigPath, message: string, atKey?: boolean): ConfigProblem;
}

/**
 * A cross-field rule the schema cannot say, run on a config that passed the schema: the problems it
 * finds, each located in `source`. `C` is what of the config it reads, so a capability's rules can
 * live in its folder without knowing the whole config's type.
 */
export type ConfigCheck<C> = (config: C, source: ConfigSource) => ConfigProblem[];

/**
 * The raw (unvalidated) config value and its source, or the problems that stopped parsing. When
 * unset variables are allowed, `unsetEnv` says where each was used (its value there is empty).
 */
export type ParsedConfig = { ok: true; value: unknown; source: ConfigSource; unsetEnv: ConfigProblem[] } | { ok: false; problems: ConfigProblem[] };

/** Formats a path the way users read it: `routes[2].rollout.percent`. */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** A source for a config object passed in code: problems carry the path but no line. */
export function inlineSource(file = '<inline>'): ConfigSource {
  return { file, problem: (path, message) => ({ file, path: formatPath(path), message }) };
}

/**
 * Parses YAML text, interpolates `${ENV_VAR}` in scalars, and keeps the node positions so every
 * later problem (schema, cross-field) can be reported with its line and column.
 */
export function parseYamlConfig(text: string, file: string, env: NodeJS.ProcessEnv, unsetEnv: 'refuse' | 'allow' = 'refuse'): ParsedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) return { ok: false, problems: syntaxProblems(doc, file) };

  const source: ConfigSource = {
    file,
    problem(path, message, atKey = false) {
      const node = locateNode(doc, path, atKey);
      const pos = node?.range ? lineCounter.linePos(node.range[0]) : undefined;
      return { file, line: pos?.line, column: pos?.col, path: formatPath(path), message };
    },
  };
  const envProblems = interpolateEnv(doc, env, (node, message) => {
    const pos = node.range ? lineCounter.linePos(node.range[0]) : undefined;
    return { file, line: pos?.line, column: pos?.col, path: formatPath(pathOfNode(doc, node) ?? []), message };
  });
  if (envProblems.length > 0 && unsetEnv === 'refuse') return { ok: false, problems: envProblems };
  return { ok: true, value: doc.toJS() ?? {}, source, unsetEnv: envProblems };
}

/**
 * A source over the file's text that parses it again only when a problem has to be placed: a
 * snapshot keeps its source for as long as it serves, and the parsed document of a large file
 * weighs some thirty times the text (48 MB for 10,000 routes).
 */
export function sourceFromText(text: string, file: string): ConfigSource {
  return {
    file,
    problem(path, message, atKey = false) {
      const lineCounter = new LineCounter();
      const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
      const node = locateNode(doc, path, atKey);
      const pos = node?.range ? lineCounter.linePos(node.range[0]) : undefined;
      return { file, line: pos?.line, column: pos?.col, path: formatPath(path), message };
    },
  };
}

/**
 * One problem per line with a YAML syntax error: after the first error on a line the parser's
 * further complaints are consequences of it.
 */
function syntaxProblems(doc: Document, file: string): ConfigProblem[] {
  const byLine = new Map<number, ConfigProblem>();
  for (const error of doc.errors) {
    const pos = error.linePos?.[0];
    const line = pos?.line ?? 0;
    if (byLine.has(line)) continue;
    const message = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
    byLine.set(line, { file, line: pos?.line, column: pos?.col, path: '', message: `YAML syntax: ${message}` });
  }
  return [...byLine.values()];
}

/** The deepest node on `path`; when the path runs past the document, its nearest existing ancestor. */
function locateNode(doc: Document, path: ConfigPath, atKey: boolean): Node | undefined {
  let node = doc.contents as Node | null;
  let keyNode: Node | undefined;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((item: Pair) => isScalar(item.key) && String(item.key.value) === String(part));
      if (!pair) return node;
      keyNode = pair.key as Node;
      node = (pair.value as Node | null) ?? keyNode;
    } else if (isSeq(node) && typeof part === 'number' && node.items[part]) {
      keyNode = undefined;
      node = node.items[part] as Node;
    } else {
      return node ?? undefined;
    }
  }
  return atKey && keyNode ? keyNode : (node ?? undefined);
}

/** The config path of a node, found by walking the document (only used to report rare env problems). */
function pathOfNode(doc: Document, target: Node): (string | number)[] | undefined {
  const walk = (node: unknown, path: (string | number)[]): (string | number)[] | undefined => {
    if (node === target) return path;
    if (isMap(node)) {
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const key = isScalar(item.key) ? String(item.key.value) : '?';
        const found = walk(item.value, [...path, key]);
        if (found) return found;
      }
    } else if (isSeq(node)) {
      for (const [index, item] of node.items.entries()) {
        const found = walk(item, [...path, index]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(doc.contents, []);
}
