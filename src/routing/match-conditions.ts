// Method, host and header conditions of a route, compiled from `match`.
import type { IncomingMessage } from 'node:http';

export interface MatchConditions {
  readonly methods: ReadonlySet<string> | undefined;
  readonly hosts: readonly HostRule[] | undefined;
  readonly headers: readonly HeaderRule[] | undefined;
}

type HostRule = { exact: string } | { suffix: string };
interface HeaderRule {
  readonly name: string;
  /** undefined: present with any value. */
  readonly values: readonly string[] | undefined;
}

export interface MatchConditionsConfig {
  methods?: string[] | undefined;
  host?: string | string[] | undefined;
  headers?: Record<string, boolean | string | string[]> | undefined;
}

/** Compiles the non-path parts of `match`; undefined when there are none (the common, fastest case). */
export function compileConditions(match: MatchConditionsConfig): MatchConditions | undefined {
  const methods = match.methods ? new Set(match.methods.map((m) => m.toUpperCase())) : undefined;
  // Express routes GET handlers for HEAD too; a route taking GET takes HEAD.
  if (methods?.has('GET')) methods.add('HEAD');
  const hosts = match.host === undefined ? undefined : (Array.isArray(match.host) ? match.host : [match.host]).map(compileHost);
  const headers = match.headers
    ? Object.entries(match.headers)
        .filter(([, value]) => value !== false)
        .map(([name, value]) => ({
          name: name.toLowerCase(),
          values: value === true ? undefined : Array.isArray(value) ? value : [value as string],
        }))
    : undefined;
  if (!methods && !hosts && !headers) return undefined;
  return { methods, hosts, headers };
}

function compileHost(host: string): HostRule {
  const lower = host.toLowerCase();
  return lower.startsWith('*.') ? { suffix: lower.slice(1) } : { exact: lower };
}

/** Whether the request meets every condition. */
export function acceptsRequest(conditions: MatchConditions, req: IncomingMessage): boolean {
  if (conditions.methods !== undefined && !conditions.methods.has(req.method ?? '')) return false;
  if (conditions.hosts !== undefined && !hostMatches(conditions.hosts, requestHost(req))) return false;
  if (conditions.headers !== undefined) {
    for (const rule of conditions.headers) {
      const value = req.headers[rule.name];
      if (value === undefined) return false;
      if (rule.values !== undefined && !rule.values.some((v) => (Array.isArray(value) ? value.includes(v) : value === v))) return false;
    }
  }
  return true;
}

function hostMatches(rules: readonly HostRule[], host: string): boolean {
  return rules.some((rule) => ('exact' in rule ? host === rule.exact : host.endsWith(rule.suffix) && host.length > rule.suffix.length));
}

/** The Host header without its port, lower-cased (IPv6 literals keep their brackets). */
export function requestHost(req: IncomingMessage): string {
  const host = (req.headers.host ?? '').toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}
