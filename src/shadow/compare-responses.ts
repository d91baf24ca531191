// The comparison of two responses to the same request: status, chosen headers, and the body (JSON-aware).
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import diff from 'microdiff';
import { isSensitiveName, REDACTED } from '../observe/redact.js';
import type { Captured } from '../proxy/captured.js';
import { isIgnored, type IgnorePattern } from './ignore-paths.js';

/** What is compared, from the route's shadow.compare. */
export interface CompareSettings {
  readonly headers: readonly string[];
  readonly ignore: readonly IgnorePattern[];
  readonly maxBodyBytes: number;
}

// A sample stays small whatever the responses: so many differences, each value so long.
const MAX_DIFFERENCES = 20;
const MAX_VALUE_CHARS = 60;

/**
 * The differences from `primary` to `shadow`, each one line (`status 200 → 500`,
 * `body.total: 12 → 13`, `body.items[2] missing`); empty when they match. Bodies are compared as
 * JSON when both parse, ignoring `settings.ignore`, else byte for byte. Values of credential-like
 * fields are redacted and long values cut.
 *
 * @example
 * ```ts
 * compareResponses({ status: 200, headers: {}, body: Buffer.from('{"a":1}') }, { status: 200, headers: {}, body: Buffer.from('{"a":2}') }, settings);
 * // ['body.a: 1 → 2']
 * ```
 */
export function compareResponses(primary: Captured, shadow: Captured, settings: CompareSettings): string[] {
  const differences: string[] = [];
  if (primary.status !== shadow.status) differences.push(`status ${primary.status} → ${shadow.status}`);
  for (const name of settings.headers) {
    const a = headerValue(primary.headers, name);
    const b = headerValue(shadow.headers, name);
    if (a !== b) differences.push(`header ${name}: ${show(a || '(none)')} → ${show(b || '(none)')}`);
  }
  differences.push(...compareBodies(primary, shadow, settings));
  if (differences.length <= MAX_DIFFERENCES) return differences;
  return [...differences.slice(0, MAX_DIFFERENCES), `… and ${differences.length - MAX_DIFFERENCES} more`];
}

function compareBodies(primary: Captured, shadow: Captured, settings: CompareSettings): string[] {
  const a = decoded(primary, settings.maxBodyBytes);
  const b = decoded(shadow, settings.maxBodyBytes);
  if (a === undefined || b === undefined) return [];
  const jsonA = asJson(a);
  const jsonB = asJson(b);
  if (jsonA !== undefined && jsonB !== undefined) {
    const root = { body: jsonA.value };
    const other = { body: jsonB.value };
    return diff(root, other)
      .filter((change) => !isIgnored(change.path.slice(1), settings.ignore))
      .map((change) => {
        const where = pathText(change.path);
        if (change.type === 'REMOVE') return `${where} missing`;
        if (change.type === 'CREATE') return `${where} added: ${value(change.path, change.value)}`;
        return `${where}: ${value(change.path, change.oldValue)} → ${value(change.path, change.value)}`;
      });
  }
  return a.equals(b) ? [] : [`body differs (${a.length} bytes → ${b.length} bytes)`];
}

/** The body without its content-encoding, so gzip on one side and none on the other still compare. */
function decoded(captured: Captured, limit: number): Buffer | undefined {
  const { body } = captured;
  if (body === undefined) return undefined;
  const encoding = headerText(captured.headers['content-encoding']).toLowerCase();
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(body, { maxOutputLength: limit });
    if (encoding === 'deflate') return inflateSync(body, { maxOutputLength: limit });
    if (encoding === 'br') return brotliDecompressSync(body, { maxOutputLength: limit });
  } catch {
    return body;
  }
  return body;
}

function asJson(body: Buffer): { value: unknown } | undefined {
  const text = body.toString('utf8').trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

function pathText(path: readonly (string | number)[]): string {
  return path.map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join('');
}

function value(path: readonly (string | number)[], raw: unknown): string {
  const last = path[path.length - 1];
  if (typeof last === 'string' && isSensitiveName(last)) return REDACTED;
  return show(JSON.stringify(raw) ?? String(raw));
}

function show(text: string): string {
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

/** A header as compared: content-type by its media type alone (`application/json; charset=utf-8` is `application/json`). */
function headerValue(headers: Captured['headers'], name: string): string {
  const text = headerText(headers[name]);
  return name === 'content-type' ? (text.split(';', 1)[0] as string).trim().toLowerCase() : text;
}

function headerText(header: unknown): string {
  if (header === undefined) return '';
  return Array.isArray(header) ? header.join(', ') : String(header);
}
