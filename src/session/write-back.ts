// A service's changes to the monolith's session: a JSON merge patch in its response, applied to the keys the route lets it write, refused elsewhere.
import type { IncomingMessage } from 'node:http';
import { listedPaths, type RouteSessionConfig, type SessionConfig } from './session-schema.js';

/** Applies one response's patch (the header's value) to the request's session; says what it refused. */
export type WriteBack = (req: IncomingMessage, patch: string, routeId: string) => void;

/** Told what a patch could not change, and why: the keys (dot paths) it may not write, or why it could not be read. */
export type Refused = (routeId: string, refusal: { readonly keys: readonly string[] } | { readonly reason: string }) => void;

type Node = Record<string, unknown>;

/**
 * Compiles a route's write list (its own `session.write`, else the section's) into the step that
 * applies a service's patch. The patch is a JSON merge patch (RFC 7396): a key set to null is
 * deleted, an object merges into the session's object, anything else (arrays too) replaces the
 * value. Every key it touches must be under a listed path; the others are left as they were and
 * reported, never applied. The patch goes onto this request's `req.session` as the app's session
 * middleware loaded it, before the response's head reaches the client, and the app's store saves it
 * as for any handler of the monolith: with concurrent requests of one session, the last to save wins.
 *
 * @example
 * ```ts
 * const write = compileWriteBack(undefined, { write: ['cart'] }, refused);
 * write?.(req, Buffer.from(JSON.stringify({ cart: [] })).toString('base64url'), 'cart');
 * ```
 */
export function compileWriteBack(section: SessionConfig | undefined, route: RouteSessionConfig | undefined, refused: Refused): WriteBack {
  const patterns = listedPaths(section, route, 'write').map((path) => path.split('.'));
  return (req, header, routeId) => {
    const session = (req as { session?: unknown }).session;
    if (!isObject(session)) return refused(routeId, { reason: 'the request has no req.session' });
    let patch: unknown;
    try {
      patch = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    } catch {
      return refused(routeId, { reason: 'it is not base64url-encoded JSON' });
    }
    if (!isObject(patch)) return refused(routeId, { reason: 'it is not a JSON object' });
    const denied: string[] = [];
    mergeAllowed(session, patch, [], patterns, denied);
    if (denied.length > 0) refused(routeId, { keys: denied });
  };
}

/** Applies the entries of `patch` a listed path covers; descends where one may cover what is below. */
function mergeAllowed(target: Node, patch: Node, at: readonly string[], patterns: readonly string[][], denied: string[]): void {
  for (const [key, value] of Object.entries(patch)) {
    const path = [...at, key];
    if (!writable(target, key, at.length === 0)) {
      denied.push(path.join('.'));
    } else if (patterns.some((pattern) => covers(pattern, path))) {
      merge(target, key, value, path, denied);
    } else if (isObject(value) && patterns.some((pattern) => pattern.length > path.length && covers(pattern.slice(0, path.length), path))) {
      const existing = target[key];
      const child = existing ?? {};
      if (!isObject(child)) {
        denied.push(path.join('.'));
        continue;
      }
      mergeAllowed(child, value, path, patterns, denied);
      // A level the session did not have is added only when something under it was.
      if (existing === undefined && Object.keys(child).length > 0) target[key] = child;
    } else {
      denied.push(path.join('.'));
    }
  }
}

/** RFC 7396 for one key: null deletes, an object merges, anything else replaces. */
function merge(target: Node, key: string, value: unknown, path: readonly string[], denied: string[]): void {
  if (value === null) {
    delete target[key];
    return;
  }
  if (!isObject(value)) {
    target[key] = value;
    return;
  }
  const child = isObject(target[key]) ? (target[key] as Node) : (target[key] = {});
  for (const [name, inner] of Object.entries(value)) {
    if (!writable(child as Node, name, false)) denied.push([...path, name].join('.'));
    else merge(child as Node, name, inner, [...path, name], denied);
  }
}

/**
 * Whether a patch may set `key` on `target`: never `__proto__` (the object's prototype, not a key),
 * never what the session library keeps on the session itself (express-session's `cookie`, its
 * read-only `id` and `req`, the methods and getters of its prototype), only the app's own data.
 */
function writable(target: Node, key: string, top: boolean): boolean {
  if (key === '__proto__' || (top && key === 'cookie')) return false;
  if (!(key in target)) return true;
  const own = Object.getOwnPropertyDescriptor(target, key);
  return own !== undefined && own.enumerable === true && own.writable === true && own.configurable === true;
}

/** Whether `pattern` (`*` for any one name) is `path` or above it. */
function covers(pattern: readonly string[], path: readonly string[]): boolean {
  return pattern.length <= path.length && pattern.every((name, i) => name === '*' || name === path[i]);
}

function isObject(value: unknown): value is Node {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
