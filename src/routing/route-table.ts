// The route table: a segment trie compiled once per config, so lookups cost O(path depth), not O(routes).
import type { IncomingMessage } from 'node:http';
import type { PathPattern } from './path-pattern.js';
import { acceptsRequest, type MatchConditions } from './match-conditions.js';

/** What the table needs to know about a route. */
export interface Matchable {
  readonly pattern: PathPattern;
  readonly conditions: MatchConditions | undefined;
}

class TrieNode<R> {
  statics: Map<string, TrieNode<R>> | undefined;
  param: TrieNode<R> | undefined;
  exact: R[] = [];
  prefix: R[] = [];
}

/**
 * A compiled route table. The most specific path wins: deeper paths beat shallower ones, a literal
 * segment beats a :param, an exact pattern beats a prefix ending at the same depth; among routes
 * with the same path, the first in declaration order whose method/host/header conditions hold.
 */
export class RouteTable<R extends Matchable> {
  readonly caseSensitive: boolean;
  private readonly root = new TrieNode<R>();
  private count = 0;

  /** A table of `routes`; more may be added (in declaration order) before it serves. */
  constructor(routes: readonly R[], options: { caseSensitive: boolean }) {
    this.caseSensitive = options.caseSensitive;
    for (const route of routes) this.add(route);
  }

  get size(): number {
    return this.count;
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
    return search(this.root, key, 1, req);
  }

  /** Adds a route after those added before it (which win a tie). */
  add(route: R): void {
    this.count += 1;
    let node = this.root;
    for (const segment of route.pattern.segments) {
      if (segment.kind === 'param') {
        node = node.param ??= new TrieNode<R>();
      } else {
        const literal = this.caseSensitive ? segment.value : segment.value.toLowerCase();
        node.statics ??= new Map();
        let child = node.statics.get(literal);
        if (!child) {
          child = new TrieNode<R>();
          node.statics.set(literal, child);
        }
        node = child;
      }
    }
    (route.pattern.prefix ? node.prefix : node.exact).push(route);
  }
}

/** Depth-first: literal child, then :param child, then prefix routes ending at this node. */
function search<R extends Matchable>(node: TrieNode<R>, path: string, start: number, req: IncomingMessage): R | undefined {
  if (start >= path.length) return firstAccepting(node.exact, req) ?? firstAccepting(node.prefix, req);
  let end = path.indexOf('/', start);
  if (end === -1) end = path.length;
  if (node.statics !== undefined) {
    const child = node.statics.get(path.slice(start, end));
    if (child !== undefined) {
      const found = search(child, path, end + 1, req);
      if (found !== undefined) return found;
    }
  }
  if (node.param !== undefined && end > start) {
    const found = search(node.param, path, end + 1, req);
    if (found !== undefined) return found;
  }
  return firstAccepting(node.prefix, req);
}

function firstAccepting<R extends Matchable>(routes: R[], req: IncomingMessage): R | undefined {
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i] as R;
    if (route.conditions === undefined || acceptsRequest(route.conditions, req)) return route;
  }
  return undefined;
}
