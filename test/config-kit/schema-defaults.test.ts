import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { defaulted, defaultsFiller } from '../../src/config-kit/schema-defaults.js';
import { ConfigSchema, toJsonSchema } from '../../src/config/schema.js';
import { compileFallback } from '../../src/proxy/compile-fallback.js';
import { compileShadow } from '../../src/shadow/compile-shadow.js';

const Breaker = Type.Object(
  {
    failures: Type.Optional(defaulted(Type.Integer({ minimum: 1, description: 'Consecutive failures.' }), 5)),
    cooldown: Type.Optional(defaulted(Type.String({ description: 'Cool-down.' }), '30s')),
    note: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

describe('defaults in the schema', () => {
  it('states a default once: as the schema default, and at the end of the description', () => {
    const failures = Breaker.properties.failures;
    expect(failures.default).toBe(5);
    expect(failures.description).toBe('Consecutive failures. Default 5.');
    expect(defaulted(Type.Array(Type.String()), ['GET', 'HEAD']).description).toBe('Default GET, HEAD.');
    expect(defaulted(Type.Array(Type.String(), { description: 'Methods.' }), ['GET', 'HEAD'], 'GET and HEAD').description).toBe('Methods. Default GET and HEAD.');
  });

  it('fills the defaults into a copy, leaving the validated value as written', () => {
    const fill = defaultsFiller(Breaker, ['failures', 'cooldown']);
    const written = Object.freeze({ failures: 3 });
    expect(fill(written)).toEqual({ failures: 3, cooldown: '30s' });
    expect(written).toEqual({ failures: 3 });
    expect(fill({})).toEqual({ failures: 5, cooldown: '30s' });
  });

  it('gives each copy its own default values, so one compile cannot change another', () => {
    const fill = defaultsFiller(Type.Object({ on: Type.Optional(defaulted(Type.Array(Type.String()), ['refused'])) }), ['on']);
    const first = fill({});
    first.on.push('timeout');
    expect(fill({}).on).toEqual(['refused']);
  });

  it('fills a field that is there but undefined, as ajv does', () => {
    const fill = defaultsFiller(Breaker, ['failures', 'cooldown']);
    expect(fill({ failures: undefined, note: 'kept' } as never)).toEqual({ failures: 5, cooldown: '30s', note: 'kept' });
  });

  it('refuses to promise a field the schema gives no default', () => {
    expect(() => defaultsFiller(Breaker, ['failures', 'note'])).toThrow('no default in the schema for note');
  });

  it('compiles capabilities with the defaults their schema states', () => {
    expect(compileFallback({})).toEqual({ on: new Set(['refused', 'timeout']), statuses: new Set([502, 503, 504]), breaker: { failures: 5, cooldownMs: 30_000 } });
    expect(compileFallback({ on: [500], breaker: false })).toEqual({ on: new Set(), statuses: new Set([500]), breaker: undefined });
    expect(compileShadow({ percent: 5 })).toMatchObject({ methods: new Set(['GET', 'HEAD']), headers: ['content-type'], samples: 20, maxBodyBytes: 262_144, timeoutMs: 5000, concurrency: 8 });
  });

  it('ships the defaults in the JSON Schema editors read, but no default a tool could fill in beside steps', () => {
    const json = JSON.stringify(toJsonSchema(ConfigSchema));
    expect(json).toContain('"default":["refused","timeout",502,503,504]');
    expect(json).toContain('"default":"20ms"');
    const rollout = ConfigSchema.properties.routes.items.properties.rollout.properties;
    for (const [name, said] of [['percent', 'Default 100.'], ['minStepTime', 'Default 10m.'], ['minStepRequests', 'Default 100.']] as const) {
      expect(rollout[name].default).toBeUndefined();
      expect(rollout[name].description).toContain(said);
    }
  });
});
