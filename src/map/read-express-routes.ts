// Every endpoint of an Express 4 or 5 app, read from its router stack: the monolith's side of the migration map.
import { METHODS } from 'node:http';
import { mountPaths, type MountLayer, type MountPath } from './mount-path.js';

/** One endpoint of the monolith as Express would print it. */
export interface ExpressEndpoint {
  /** Upper-case method (GET, POST, ...); ALL for app.all / route.all. */
  readonly method: string;
  /**
   * The whole path pattern from the app's root, as written in the app: '/api/users/:id', '/files/*',
   * '/docs{/:page}'; a RegExp path as its literal, e.g. '/^\\/v\\d+$/', after the mount paths above it.
   */
  readonly path: string;
  /** The Express Route object (what `req.route` is when Express dispatches to it), so traffic can be counted per endpoint. */
  readonly route: object;
  /** Set when a RegExp is part of the path, so no request path can be made from it. */
  readonly regexp?: true;
  /** Set when it comes before `app.use(figway(...))` in the app's stack: its requests never reach figway. */
  readonly beforeFigway?: true;
}

/** Where routes cannot be read (a sub-app mounted before figway could see it, a router whose mount path the installed router version does not keep): its mount path as far as known, and why. */
export interface HiddenMount {
  readonly path: string;
  readonly reason: string;
}

interface Layer extends MountLayer {
  readonly name?: string;
  readonly handle?: unknown;
  readonly route?: unknown;
}

/** An Express Route, as `layer.route` holds one (a connect app's stack has a `route` string there instead). */
interface ExpressRoute {
  readonly path: unknown;
  readonly methods: Record<string, boolean>;
}

type Prefix = MountPath;
type Found = { endpoints: ExpressEndpoint[]; hidden: HiddenMount[] };

/** The sub-app behind each `mounted_app` closure Express put in a watched app's stack: the closure does not expose it. */
const subAppOf = new WeakMap<object, object>();
const watched = new WeakSet<object>();
/** The `mounted_app` closures of figway itself: `app.use(figway(...))` mounts it as a sub-app, which has no routes to show. */
const own = new WeakSet<object>();

/**
 * The endpoints of an Express 4 or 5 app in stack order, through nested routers and the sub-apps
 * {@link watchSubApps} saw mounted. The stack is read afresh on each call, so routes added since
 * show up. On Express 5 this reads `app.router`, which creates the router if the app has none yet.
 *
 * @example
 * ```ts
 * const app = express();
 * app.use('/orgs/:org', express.Router().get('/projects', list));
 * readExpressRoutes(app).endpoints; // [{ method: 'GET', path: '/orgs/:org/projects', route }]
 * ```
 */
export function readExpressRoutes(app: object): Found {
  const found: Found = { endpoints: [], hidden: [] };
  const stack = stackOf(app);
  const ownAt = stack.findIndex((layer) => own.has(layer.handle as object));
  // What comes before figway in the app's own stack is served before figway sees the request.
  walk(stack.slice(0, Math.max(ownAt, 0)), { text: '', regexp: false }, found, new Set(), true);
  walk(stack.slice(Math.max(ownAt, 0)), { text: '', regexp: false }, found, new Set(), false);
  return found;
}

/**
 * Makes sub-apps mounted on `app` (and on them) from now on visible to readExpressRoutes: wraps
 * the instance's `use` to pair each sub-app with the `mounted_app` layer Express adds for it.
 * Idempotent. A sub-app mounted on a Router needs no watching: its layer holds the app itself.
 *
 * @example
 * ```ts
 * watchSubApps(app);
 * app.use('/admin', adminApp);
 * readExpressRoutes(app).endpoints; // includes adminApp's routes under /admin
 * ```
 */
export function watchSubApps(app: object): void {
  if (watched.has(app)) return;
  watched.add(app);
  const target = app as { use: (...args: unknown[]) => unknown };
  const use = target.use;
  target.use = function watchedUse(this: unknown, ...args: unknown[]): unknown {
    const before = stackOf(app).length;
    const result = use.apply(this, args);
    remember(app, before, args);
    return result;
  };
}

/**
 * Marks the newest sub-app layer of `app` as figway's own, so the walk passes over it. Called from
 * figway's 'mount' event, which Express emits right after it adds the layer.
 *
 * @example
 * ```ts
 * emit: (event, parent) => event === 'mount' && skipOwnMount(parent)
 * ```
 */
export function skipOwnMount(app: object): void {
  const layer = stackOf(app).findLast((candidate) => candidate.name === 'mounted_app');
  if (typeof layer?.handle === 'function') own.add(layer.handle);
}

function remember(app: object, before: number, args: unknown[]): void {
  const given = args.flat(Infinity);
  const subApps = given.filter(isApp);
  if (subApps.length === 0) return;
  // Express adds one closure per sub-app, in argument order; on Express 4 the first use also adds its
  // own query and init middleware, so only layers named for a sub-app, and not passed in, count.
  const closures = stackOf(app)
    .slice(before)
    .filter((layer) => layer.name === 'mounted_app' && !given.includes(layer.handle));
  if (closures.length === subApps.length) closures.forEach((layer, i) => subAppOf.set(layer.handle as object, subApps[i]!));
  for (const subApp of subApps) watchSubApps(subApp);
}

function walk(stack: readonly Layer[], prefix: Prefix, found: Found, inside: Set<object>, beforeFigway: boolean): void {
  for (const layer of stack) {
    const route = layer.route;
    if (isExpressRoute(route)) {
      for (const path of routePaths(route.path)) {
        for (const method of methodsOf(route.methods)) found.endpoints.push(endpoint(method, join(prefix, path), route, beforeFigway));
      }
      continue;
    }
    const child = childStack(layer);
    if (child === undefined) continue;
    const read = mountPaths(layer);
    if ('unread' in read) {
      found.hidden.push({ path: `${prefix.text}${read.unread}` || '/', reason: read.reason });
      continue;
    }
    for (const mount of read.paths) {
      const at = { text: prefix.text + mount.text, regexp: prefix.regexp || mount.regexp };
      if (typeof child === 'string') found.hidden.push({ path: at.text || '/', reason: child });
      else if (inside.has(child)) found.hidden.push({ path: at.text || '/', reason: 'a router mounted inside itself' });
      else walk(child, at, found, new Set(inside).add(child), beforeFigway);
    }
  }
}

/** The stack under a router or sub-app layer; a reason when there is one but it cannot be reached; undefined for plain middleware. */
function childStack(layer: Layer): readonly Layer[] | string | undefined {
  const handle = layer.handle;
  if (own.has(handle as object)) return undefined;
  const subApp = typeof handle === 'function' ? (subAppOf.get(handle) ?? (isApp(handle) ? handle : undefined)) : undefined;
  if (subApp !== undefined) return stackOf(subApp);
  if (layer.name === 'mounted_app') return 'a sub-app mounted before figway: its routes are not visible';
  const stack = (handle as { stack?: unknown } | undefined)?.stack;
  // An Express router's stack holds layers with a compiled path; another framework's (connect, Vite's middlewares) is not walked.
  return typeof handle === 'function' && Array.isArray(stack) && stack.every(isExpressLayer) ? (stack as Layer[]) : undefined;
}

function isExpressLayer(layer: unknown): boolean {
  return typeof layer === 'object' && layer !== null && ('regexp' in layer || 'matchers' in layer);
}

function isExpressRoute(route: unknown): route is ExpressRoute {
  const candidate = route as Partial<ExpressRoute> | null | undefined;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.methods === 'object' && candidate.methods !== null;
}

function stackOf(app: object): readonly Layer[] {
  // Express 4's app.router throws; its router is created by the first use or route, as _router.
  const express4 = app as { lazyrouter?: unknown; _router?: { stack: Layer[] } };
  if (typeof express4.lazyrouter === 'function') return express4._router?.stack ?? [];
  return (app as { router?: { stack?: Layer[] } }).router?.stack ?? [];
}

/** The test Express's own app.use makes for a sub-app. */
function isApp(value: unknown): value is object {
  const app = value as { handle?: unknown; set?: unknown } | null;
  return typeof value === 'function' && typeof app?.handle === 'function' && typeof app.set === 'function';
}

const EVERY_METHOD = METHODS.map((method) => method.toLowerCase());

/** The route's methods upper-case; app.all sets each method Node knows rather than route.all's `_all`, and is ALL too. */
function methodsOf(methods: Record<string, boolean>): string[] {
  const listed = Object.keys(methods).filter((method) => methods[method] === true);
  if (!EVERY_METHOD.every((method) => listed.includes(method))) return listed.map((method) => (method === '_all' ? 'ALL' : method.toUpperCase()));
  return ['ALL', ...listed.filter((method) => method !== '_all' && !EVERY_METHOD.includes(method)).map((method) => method.toUpperCase())];
}

function routePaths(path: unknown): Prefix[] {
  return [path].flat(Infinity).map((p) => (p instanceof RegExp ? { text: String(p), regexp: true } : { text: String(p), regexp: false }));
}

// A route at '/' under a mount is the mount path itself, as Express 4 and 5 both match it.
function join(prefix: Prefix, path: Prefix): Prefix {
  const text = path.text === '/' || path.text === '' ? prefix.text || '/' : prefix.text + path.text;
  return { text, regexp: prefix.regexp || path.regexp };
}

function endpoint(method: string, path: Prefix, route: object, beforeFigway: boolean): ExpressEndpoint {
  return { method, path: path.text, route, ...(path.regexp ? { regexp: true } : {}), ...(beforeFigway ? { beforeFigway: true } : {}) };
}
