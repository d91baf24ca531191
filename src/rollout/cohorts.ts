// Cohorts: named groups of requests (staff, office, beta) that a route forces to one side.
import { BlockList, isIP } from 'node:net';
import { parseCidr } from '../config-kit/cidr.js';
import type { CohortConfig } from './cohort-schema.js';
import type { RequestView } from './request-view.js';
import { FigwayError } from '../errors.js';

/** A compiled cohort: every condition present must hold. */
export interface Cohort {
  readonly name: string;
  readonly headers: readonly { name: string; values: readonly string[] }[] | undefined;
  readonly addresses: BlockList | undefined;
  readonly user: readonly { path: readonly string[]; values: readonly unknown[] }[] | undefined;
}

/** Compiles a cohort definition (its CIDRs already validated). */
export function compileCohort(name: string, config: CohortConfig): Cohort {
  let addresses: BlockList | undefined;
  for (const text of config.cidr ?? []) {
    const cidr = parseCidr(text);
    if (typeof cidr === 'string') throw new FigwayError('FIGWAY_INTERNAL', cidr);
    addresses ??= new BlockList();
    addresses.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  return {
    name,
    headers: config.header
      ? Object.entries(config.header).map(([header, value]) => ({ name: header.toLowerCase(), values: Array.isArray(value) ? value : [value] }))
      : undefined,
    addresses,
    user: config.user
      ? Object.entries(config.user).map(([field, value]) => ({ path: field.split('.'), values: Array.isArray(value) ? value : [value] }))
      : undefined,
  };
}

/** Whether the request is in the cohort. */
export function inCohort(cohort: Cohort, view: RequestView): boolean {
  if (cohort.headers) {
    for (const rule of cohort.headers) {
      const value = view.header(rule.name);
      if (value === undefined || !rule.values.includes(value)) return false;
    }
  }
  if (cohort.addresses && !addressIn(cohort.addresses, view.ip)) return false;
  if (cohort.user) {
    if (!view.user) return false;
    for (const rule of cohort.user) {
      if (!fieldMatches(readPath(view.user, rule.path), rule.values)) return false;
    }
  }
  return true;
}

/** Dual-stack sockets report IPv4 clients as ::ffff:a.b.c.d; BlockList matches those against IPv4 ranges itself. */
function addressIn(list: BlockList, ip: string | undefined): boolean {
  const family = ip ? isIP(ip) : 0;
  return family !== 0 && list.check(ip as string, family === 4 ? 'ipv4' : 'ipv6');
}

function readPath(user: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  let value: unknown = user;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Ids arrive as numbers from one system and strings from another: compare by string form. */
function fieldMatches(field: unknown, accepted: readonly unknown[]): boolean {
  const candidates = Array.isArray(field) ? field : [field];
  return candidates.some((candidate) => candidate !== undefined && candidate !== null && accepted.some((a) => String(a) === String(candidate)));
}
