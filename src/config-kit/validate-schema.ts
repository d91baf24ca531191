// Schema validation with ajv, turning its errors into problems users can act on.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import type { ConfigProblem } from '../errors.js';
import type { ConfigPath, ConfigSource } from './config-source.js';

const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, multipleOfPrecision: 6, allowUnionTypes: true });
ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });

const compiled = new WeakMap<TSchema, ValidateFunction>();

/** Validates `value` against `schema`; returns every problem found, each located in `source`. */
export function validateSchema(schema: TSchema, value: unknown, source: ConfigSource, basePath: ConfigPath = []): ConfigProblem[] {
  const validate = compile(schema);
  if (validate(value)) return [];
  return describeErrors(validate.errors ?? []).map(({ path, message, atKey }) => source.problem([...basePath, ...path], message, atKey));
}

/** Why `schema` cannot be used (not a JSON Schema ajv compiles in strict mode), or undefined when it can. */
export function schemaError(schema: object): string | undefined {
  try {
    compile(schema as TSchema);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function compile(schema: TSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

interface Described {
  path: ConfigPath;
  message: string;
  atKey: boolean;
}

function describeErrors(errors: ErrorObject[]): Described[] {
  // A failed anyOf also reports each branch's failure; keep only the one summary per anyOf.
  const unions = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath);
  const kept = errors.filter(
    (e) => e.keyword === 'anyOf' || !unions.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`)),
  );
  const seen = new Set<string>();
  const out: Described[] = [];
  for (const error of kept) {
    const described = describe(error);
    const key = `${described.path.join('/')}|${described.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(described);
  }
  return out;
}

function describe(error: ErrorObject): Described {
  const path = pointerToPath(error.instancePath);
  const custom = (error.parentSchema as { errorMessage?: string } | undefined)?.errorMessage;
  switch (error.keyword) {
    case 'required':
      return { path: [...path, String(error.params.missingProperty)], message: 'is required', atKey: false };
    case 'additionalProperties': {
      const field = String(error.params.additionalProperty);
      const known = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      const guess = closest(field, known);
      const hint = guess ? ` (did you mean "${guess}"?)` : known.length > 0 ? ` (expected one of: ${known.join(', ')})` : '';
      return { path: [...path, field], message: `unknown field${hint}`, atKey: true };
    }
    case 'anyOf':
      return { path, message: `must be ${describeUnion(error.schema as TSchema[])}`, atKey: false };
    case 'type':
    case 'pattern':
      return { path, message: custom ?? (error.keyword === 'type' ? `must be ${article(String(error.params.type))}` : error.message ?? 'is invalid'), atKey: false };
    default:
      return { path, message: error.message ?? 'is invalid', atKey: false };
  }
}

function describeUnion(branches: TSchema[]): string {
  const consts = branches.filter((b) => 'const' in b).map((b) => JSON.stringify(b.const));
  if (consts.length === branches.length) return `one of ${consts.join(', ')}`;
  return branches.map((b) => article(String(b.type === 'array' ? 'array' : b.type))).join(' or ');
}

function article(type: string): string {
  const names: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    integer: 'an integer',
    boolean: 'true or false',
    object: 'a mapping',
    array: 'a list',
    null: 'null',
  };
  return type.split(',').map((t) => names[t] ?? t).join(' or ');
}

/** JSON pointer (`/routes/2/rollout`) to a path with numeric array indexes. */
function pointerToPath(pointer: string): ConfigPath {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^(0|[1-9][0-9]*)$/.test(part) ? Number(part) : part));
}

/** The known name within edit distance 2 of `word`, if any: catches typos such as `percnt`. */
function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
