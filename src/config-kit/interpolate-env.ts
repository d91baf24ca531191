// `${ENV_VAR}` interpolation in YAML scalars, done on the document so line numbers survive.
import { parse, Scalar, visit, type Document, type Node } from 'yaml';
import type { ConfigProblem } from '../errors.js';

const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string scalar; `$$` is a literal `$`.
 * An unquoted scalar that is exactly one reference takes the type of its value, so
 * `percent: ${ORDERS_PERCENT}` is a number. Returns one problem per unset variable without default.
 */
export function interpolateEnv(
  doc: Document,
  env: NodeJS.ProcessEnv,
  problemAt: (node: Node, message: string) => ConfigProblem,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string' || !node.value.includes('$')) return;
      const raw = node.value;
      const missing: string[] = [];
      const value = raw.replace(REFERENCE, (whole, name: string | undefined, fallback: string | undefined) => {
        if (whole === '$$') return '$';
        const found = env[name as string];
        if (found !== undefined && found !== '') return found;
        if (fallback !== undefined) return fallback;
        missing.push(name as string);
        return '';
      });
      for (const name of missing) problems.push(problemAt(node, `environment variable ${name} is not set (use \${${name}:-default} for a default)`));
      node.value = node.type === Scalar.PLAIN && isWholeReference(raw) ? typed(value) : value;
    },
  });
  return problems;
}

function isWholeReference(raw: string): boolean {
  return /^\$\{[^}]+\}$/.test(raw);
}

/** A substituted plain scalar is read as YAML would read it: numbers and booleans keep their type. */
function typed(value: string): unknown {
  try {
    const parsed: unknown = parse(value);
    return typeof parsed === 'number' || typeof parsed === 'boolean' ? parsed : value;
  } catch {
    return value;
  }
}
