// A route's timeouts towards its service, compiled to milliseconds from the route, its upstream and the config's defaults.
import type { SharedParts } from '../config-kit/shared-parts.js';
import { defaultsFiller } from '../config-kit/schema-defaults.js';
import { parseDuration } from '../config-kit/units.js';
import { DefaultTimeouts, type TimeoutsConfig } from './upstream-schema.js';

/** `defaults.timeouts` with the built-in values filled in. */
export const fillTimeouts = defaultsFiller(DefaultTimeouts, ['connect', 'response', 'idle']);

/** A route's timeouts, in milliseconds. */
export interface CompiledTimeouts {
  readonly connect: number;
  readonly response: number;
  readonly idle: number;
}

/**
 * The most specific setting of each timeout wins: the route's, then its upstream's, then the
 * config's defaults (built-in values filled in). Routes with the same timeouts share one object.
 */
export function compileTimeouts(route: TimeoutsConfig | undefined, upstream: TimeoutsConfig | undefined, defaults: ReturnType<typeof fillTimeouts>, parts: SharedParts): CompiledTimeouts {
  const connect = route?.connect ?? upstream?.connect ?? defaults.connect;
  const response = route?.response ?? upstream?.response ?? defaults.response;
  const idle = route?.idle ?? upstream?.idle ?? defaults.idle;
  return parts.get(`timeouts ${connect} ${response} ${idle}`, () => Object.freeze({ connect: parseDuration(connect), response: parseDuration(response), idle: parseDuration(idle) }));
}
