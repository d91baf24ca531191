// Compiling a route's timeouts: route, then upstream, then the config's defaults, in milliseconds.
import { describe, expect, it } from 'vitest';
import { SharedParts } from '../../src/config-kit/shared-parts.js';
import { compileTimeouts, fillTimeouts } from '../../src/proxy/compile-timeouts.js';

describe('compileTimeouts', () => {
  it('takes the built-in values when nothing is set', () => {
    expect(compileTimeouts(undefined, undefined, fillTimeouts({}), new SharedParts())).toEqual({ connect: 2000, response: 30_000, idle: 60_000 });
  });

  it('lets the most specific setting of each timeout win: route, then upstream, then defaults', () => {
    const defaults = fillTimeouts({ connect: '3s', idle: 0 });
    expect(compileTimeouts({ response: '5s' }, { response: '9s', connect: 500 }, defaults, new SharedParts())).toEqual({ connect: 500, response: 5000, idle: 0 });
  });

  it('gives routes with the same timeouts one frozen object', () => {
    const parts = new SharedParts();
    const defaults = fillTimeouts({});
    const first = compileTimeouts({ response: '5s' }, undefined, defaults, parts);
    expect(compileTimeouts({ response: '5s' }, {}, defaults, parts)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });
});
