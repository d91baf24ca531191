// The config schema with the keys plugins declare: the built-ins' are composed the same way as an app's.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchemaFor } from '../../src/config/compose-schema.js';
import { BUILT_IN_CONFIG_KEYS, BUILT_IN_ROUTE_KEYS, ConfigSchema, toJsonSchema } from '../../src/config/schema.js';
import { FigwayConfigError, loadConfig } from '../../src/index.js';

const audit = { name: 'audit', configKeys: { audit: Type.Object({ sink: Type.String() }, { additionalProperties: false }) }, routeKeys: { audited: Type.Boolean() } };

describe('configSchemaFor', () => {
  it("is figway's schema itself for plugins that declare no key", () => {
    expect(configSchemaFor([])).toBe(ConfigSchema);
    expect(configSchemaFor([{ name: 'stamp' }])).toBe(ConfigSchema);
  });

  it("is figway's schema with the plugin's keys beside the built-ins', composed once for the same keys", () => {
    const schema = configSchemaFor([audit]) as typeof ConfigSchema;
    expect(configSchemaFor([audit])).toBe(schema);
    expect(configSchemaFor([{ ...audit }, { name: 'stamp' }])).toBe(schema);
    const { audit: auditKey, ...config } = schema.properties as Record<string, unknown>;
    const { audited, ...route } = schema.properties.routes.items.properties as Record<string, unknown>;
    expect(toJsonSchema({ ...schema, properties: { ...config, routes: { ...schema.properties.routes, items: { ...schema.properties.routes.items, properties: route } } } } as never)).toEqual(toJsonSchema());
    expect(JSON.parse(JSON.stringify(auditKey))).toEqual(JSON.parse(JSON.stringify(audit.configKeys.audit)));
    expect(audited).toMatchObject({ type: 'boolean' });
  });

  it("has the built-in plugins' keys in figway's shipped schema", () => {
    expect(Object.keys(BUILT_IN_CONFIG_KEYS)).toEqual(['identity', 'auth', 'session', 'limits', 'map']);
    expect(Object.keys(BUILT_IN_ROUTE_KEYS)).toEqual(['auth', 'session', 'limits']);
    for (const key of Object.keys(BUILT_IN_CONFIG_KEYS)) expect(ConfigSchema.properties).toHaveProperty(key);
    for (const key of Object.keys(BUILT_IN_ROUTE_KEYS)) expect(ConfigSchema.properties.routes.items.properties).toHaveProperty(key);
  });

  it('refuses a key figway or another plugin already has, naming both', () => {
    expect(() => configSchemaFor([{ name: 'mine', configKeys: { routes: {} } }])).toThrow('plugin "mine" declares a top-level config key "routes", which figway already has');
    expect(() => configSchemaFor([{ name: 'mine', routeKeys: { auth: {} } }])).toThrow('plugin "mine" declares a route config key "auth", which figway already has');
    expect(() => configSchemaFor([audit, { name: 'copy', configKeys: { audit: {} } }])).toThrow('plugin "copy" declares a top-level config key "audit", which plugin "audit" declares too');
  });
});

describe('loadConfig with plugins', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'figway-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (text: string) => {
    const at = path.join(dir, 'figway.yaml');
    writeFileSync(at, text);
    return at;
  };
  const problems = (run: () => unknown) => {
    try {
      run();
      return [];
    } catch (err) {
      expect(err).toBeInstanceOf(FigwayConfigError);
      return (err as FigwayConfigError).problems.map((p) => `${p.line}:${p.column} ${p.path} ${p.message}`);
    }
  };
  const text = 'audit: { sink: stdout }\nroutes:\n  - { id: a, match: { path: /a }, upstream: http://127.0.0.1:1, audited: true }\n';

  it("accepts the plugins' keys and checks them at file:line", () => {
    expect(loadConfig(file(text), {}, { plugins: [audit] }).config).toMatchObject({ audit: { sink: 'stdout' }, routes: [{ audited: true }] });
    expect(problems(() => loadConfig(file(text.replace('sink: stdout', 'sinc: stdout').replace('audited: true', 'audited: yes')), {}, { plugins: [audit] }))).toEqual([
      '1:8 audit.sink is required',
      '1:10 audit.sinc unknown field (did you mean "sink"?)',
      '3:74 routes[0].audited must be true or false',
    ]);
  });

  it('finds them unknown without the plugins', () => {
    expect(problems(() => loadConfig(file(text), {}))).toEqual([
      expect.stringMatching(/^1:1 audit unknown field/),
      expect.stringMatching(/^3:65 routes\[0\]\.audited unknown field/),
    ]);
  });
});
