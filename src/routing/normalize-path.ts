// One reading of a request path: what figway matches is exactly what the service receives.

/** Why a path is ambiguous, and the two readings servers might make of it. */
export interface AmbiguousPath {
  readonly reason: string;
  readonly strict: string;
  readonly lenient: string;
}

// Only paths containing one of these need work; everything else is already normal.
const NEEDS_WORK = /[%\\\0;]|\/\/|\/\.(?:\/|\.?(?:\/|$)|$)/;
const HEX = /^[0-9A-Fa-f]{2}$/;
const UNRESERVED = /[A-Za-z0-9\-._~]/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Normalises a path (no query string) and returns it: decodes percent-encoded unreserved characters, upper-cases
 * the other escapes, merges repeated slashes and resolves `.` and `..` segments.
 *
 * A path that different servers read differently is ambiguous: an encoded `/` or `\`, a raw
 * backslash, NUL, a broken escape, escapes that are not valid UTF-8 (overlong forms), or a `;`
 * (raw or `%3B`), which Tomcat, Jetty and Spring take as the start of a segment parameter and drop
 * before routing, so `/a;x/b` and `/x/..;/a/b` are `/a/b` there. For those, `strict` keeps the
 * ambiguous bytes as they are and `lenient` is the path as a lenient server would read it (encoded
 * slashes as slashes, overlong UTF-8 as the ASCII it spells, `;` parameters dropped), so the caller
 * can tell whether either reading could reach one of its routes.
 */
export function normalizePath(raw: string): string | AmbiguousPath {
  if (!NEEDS_WORK.test(raw)) return raw;
  const strict = decode(raw, false);
  if (strict.reason === undefined) return removeDotSegments(mergeSlashes(strict.path));
  return {
    reason: strict.reason,
    strict: removeDotSegments(mergeSlashes(strict.path)),
    lenient: removeDotSegments(mergeSlashes(decode(raw, true).path)),
  };
}

function decode(raw: string, lenient: boolean): { path: string; reason?: string } {
  let out = '';
  let reason: string | undefined;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i] as string;
    if (char === '\\' || char === '\0') {
      reason ??= char === '\\' ? 'backslash in path' : 'NUL in path';
      if (lenient) out += char === '\\' ? '/' : '';
      else out += char;
      continue;
    }
    const semicolon = semicolonLength(raw, i);
    if (semicolon > 0) {
      reason ??= '";" parameter in path';
      if (lenient) {
        i = parameterEnd(raw, i) - 1;
      } else {
        out += semicolon === 1 ? ';' : '%3B';
        i += semicolon - 1;
      }
      continue;
    }
    if (char !== '%') {
      out += char;
      continue;
    }
    const hex = raw.slice(i + 1, i + 3);
    if (!HEX.test(hex)) {
      reason ??= 'malformed percent-encoding';
      out += lenient ? '%25' : char;
      continue;
    }
    const byte = parseInt(hex, 16);
    i += 2;
    if (lenient && (byte === 0xc0 || byte === 0xc1)) {
      // An overlong two-byte form of an ASCII character (%C0%AE is "."); lenient decoders read it so.
      const next = raw.slice(i + 2, i + 4);
      if (raw[i + 1] === '%' && HEX.test(next)) {
        const ascii = String.fromCharCode(((byte & 0x1f) << 6) | (parseInt(next, 16) & 0x3f));
        out += ascii === '\\' ? '/' : ascii;
        i += 3;
        continue;
      }
    }
    if (byte === 0x2f || byte === 0x5c || byte === 0) {
      reason ??= byte === 0 ? 'encoded NUL in path' : `encoded ${byte === 0x2f ? 'slash' : 'backslash'} in path`;
      out += lenient ? (byte === 0 ? '' : '/') : `%${hex.toUpperCase()}`;
      continue;
    }
    const decoded = String.fromCharCode(byte);
    if (byte < 0x80 && UNRESERVED.test(decoded)) out += decoded;
    else out += `%${hex.toUpperCase()}`;
    if (byte >= 0x80) bytes.push(byte);
  }
  if (bytes.length > 0 && !isUtf8(raw)) reason ??= 'percent-encoded bytes are not valid UTF-8';
  return reason === undefined ? { path: out } : { path: out, reason };
}

/** 1 for a `;` at `at`, 3 for a `%3B`, else 0. */
function semicolonLength(raw: string, at: number): number {
  if (raw[at] === ';') return 1;
  return raw[at] === '%' && raw[at + 1] === '3' && (raw[at + 2] === 'B' || raw[at + 2] === 'b') ? 3 : 0;
}

/** Where the segment parameter starting at `at` ends: the next `/` (or `\`, a separator to lenient servers), or the end. */
function parameterEnd(raw: string, at: number): number {
  const end = raw.slice(at).search(/[/\\]/);
  return end === -1 ? raw.length : at + end;
}

/** Whether every percent-encoded byte run in the path decodes as UTF-8 (rejects overlong forms). */
function isUtf8(raw: string): boolean {
  const runs = raw.match(/(?:%[0-9A-Fa-f]{2})+/g) ?? [];
  try {
    for (const run of runs) utf8.decode(Uint8Array.from(run.slice(1).split('%'), (h) => parseInt(h, 16)));
    return true;
  } catch {
    return false;
  }
}

function mergeSlashes(path: string): string {
  return path.includes('//') ? path.replace(/\/{2,}/g, '/') : path;
}

/** RFC 3986 section 5.2.4, for an absolute path; `..` above the root stays at the root. */
export function removeDotSegments(path: string): string {
  if (!path.includes('.')) return path;
  const input = path.split('/');
  const output: string[] = [];
  for (let i = 1; i < input.length; i++) {
    const segment = input[i] as string;
    const last = i === input.length - 1;
    if (segment === '.') {
      if (last) output.push('');
    } else if (segment === '..') {
      output.pop();
      if (last) output.push('');
    } else {
      output.push(segment);
    }
  }
  return `/${output.join('/')}`;
}
