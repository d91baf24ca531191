import { describe, expect, it } from 'vitest';
import { inlineSource } from '../../src/config-kit/config-source.js';
import { STATE_CHECKS } from '../../src/state/check-state.js';
import { problemLines } from '../helpers/problems.js';

const source = inlineSource();
const check = (state: Parameters<typeof STATE_CHECKS.stateStoreHasItsSettings>[0]['state']) => problemLines(STATE_CHECKS.stateStoreHasItsSettings({ state }, source));

describe('state checks', () => {
  it('wants the Redis URL with store: redis', () => {
    expect(check({ store: 'redis' })).toEqual(['state.url is required when store is redis']);
    expect(check({ store: 'redis', url: 'redis://127.0.0.1:6379', prefix: 'shop' })).toEqual([]);
  });

  it("refuses Redis settings beside store: file, and takes the file store's own", () => {
    expect(check({ store: 'file', prefix: 'shop' })).toEqual(['state url and prefix are for store: redis']);
    expect(check({ store: 'file', path: 'state.json' })).toEqual([]);
    expect(check(undefined)).toEqual([]);
  });
});
