// The route table: a segment trie compiled once per config, so lookups cost O(path depth), not O(routes).
import type { IncomingMessage } from 'node:http';
import type { PathPattern } from './path-pattern.js';
import { acceptsRequest, type MatchConditions } from './match-conditions.js';
import { FigwayError } from '../errors.js';

/** What the table needs to know about a route. */
export interface Matchable {
  readonly pattern: PathPattern;
  readonly conditions: MatchConditions | undefined;
}

/** A trie node; route lists hold indexes into the table's routes and exist only where a route ends. */
class TrieNode {
  statics: Map<string, TrieNode> | undefined;
  param: TrieNode | undefined;
  exact: number[] | undefined;
  prefix: number[] | undefined;
}

/**
 * A compiled route table. The most specific path wins: deeper paths beat shallower ones, a literal
 * segment beats a :param, an exact pattern beats a prefix ending at the same depth; among routes
 * with the same path, the first in declaration order whose method/host/header conditions hold.
 */
export class RouteTable<R extends Matchable> {
  readonly caseSensitive: boolean;
  private root = new TrieNode();
  private readonly routes: R[] = [];

  /** A table of `routes`; more may be added (in declaration order) before it serves. */
  constructor(routes: readonly R[], options: { caseSensitive: boolean }) {
    this.caseSensitive = options.caseSensitive;
    for (const route of routes) this.add(route);
  }

  get size(): number {
    return this.routes.length;
  }

  /**
   * The route taking this request, given its normalised path (no query string).
   *
   * @example
   * ```ts
   * table.find(req, '/api/orders/7'); // the "orders" route, or undefined
   * ```
   */
  find(req: IncomingMessage, path: string): R | undefined {
    const key = this.caseSensitive ? path : path.toLowerCase();
    const index = search(this.root, this.routes, key, 1, req);
    return index === undefined ? undefined : this.routes[index];
  }

  /** Adds a route after those added before it (which win a tie). */
  add(route: R): void {
    const index = this.routes.push(route) - 1;
    let node = this.root;
    for (const segment of route.pattern.segments) {
      if (segment.kind === 'param') {
        node = node.param ??= new TrieNode();
      } else {
        const literal = this.caseSensitive ? segment.value : segment.value.toLowerCase();
        node.statics ??= new Map();
        let child = node.statics.get(literal);
        if (!child) {
          child = new TrieNode();
          node.statics.set(literal, child);
        }
        node = child;
      }
    }
    // Lists of their own size (usually one route): pushing would leave room for 16 in each of thousands.
    if (route.pattern.prefix) node.prefix = node.prefix ? [...node.prefix, index] : [index];
    else node.exact = node.exact ? [...node.exact, index] : [index];
  }

  /**
   * The same table (the trie is shared, not rebuilt) taking `routes` instead: route i of the new
   * list must have the pattern of route i of this one, as after a runtime rollout change, which
   * moves no path. Conditions are read when a request is matched, so they may differ (the migration
   * map searches with method conditions only).
   *
   * @example
   * ```ts
   * const next = snapshot.table.withRoutes(snapshot.routes.map((route) => ({ ...route, rollout })));
   * ```
   */
  withRoutes<S extends Matchable>(routes: readonly S[]): RouteTable<S> {
    if (routes.length !== this.routes.length) throw new FigwayError('FIGWAY_INTERNAL', `withRoutes needs ${this.routes.length} routes, got ${routes.length}`);
    const table = new RouteTable<S>([], { caseSensitive: this.caseSensitive });
    table.root = this.root;
    for (const route of routes) table.routes.push(route);
    return table;
  }
}

/** Depth-first: literal child, then :param child, then prefix routes ending at this node. */
function search<R extends Matchable>(node: TrieNode, routes: readonly R[], path: string, start: number, req: IncomingMessage): number | undefined {
  if (start >= path.length) return firstAccepting(routes, node.exact, req) ?? firstAccepting(routes, node.prefix, req);
  let end = path.indexOf('/', start);
  if (end === -1) end = path.length;
  if (node.statics !== undefined) {
    const child = node.statics.get(path.slice(start, end));
    if (child !== undefined) {
      const found = search(child, routes, path, end + 1, req);
      if (found !== undefined) return found;
    }
  }
  if (node.param !== undefined && end > start) {
    const found = search(node.param, routes, path, end + 1, req);
    if (found !== undefined) return found;
  }
  return firstAccepting(routes, node.prefix, req);
}

function firstAccepting<R extends Matchable>(routes: readonly R[], indexes: number[] | undefined, req: IncomingMessage): number | undefined {
  if (indexes === undefined) return undefined;
  for (let i = 0; i < indexes.length; i++) {
    const index = indexes[i] as number;
    const conditions = (routes[index] as R).conditions;
    if (conditions === undefined || acceptsRequest(conditions, req)) return index;
  }
  return undefined;
}
