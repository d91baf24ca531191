// The built-in plugins are plugins of the kind an app writes: they declare their config keys and reach requests through the public plugin API only.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { authPlugin } from '../../src/auth/auth-plugin.js';
import { rateLimitPlugin } from '../../src/limits/rate-limit-plugin.js';
import { createDiagnostics } from '../../src/diagnostics.js';
import { Counter, Registry } from 'prom-client';
import { quietLogger } from '../helpers/monolith.js';

const src = new URL('../../src/', import.meta.url);
/** figway's request internals and its own plugin machinery: what an app's plugin cannot import. */
const INTERNAL = ['context.js', 'request-record.js', 'attach-body-keeper.js', 'pipeline.js', 'gateway.js', 'plugins/compile-plugins.js', 'snapshot/', 'server/', 'control/'];
/**
 * The files of the built-in plugins: auth and rate-limit (which own config keys), and the observers,
 * opentelemetry among them (it wraps dispatch through the public onForward hook). Not here:
 * progressive, a control-plane engine whose plugin only feeds it.
 */
const PLUGIN_FILES = [
  ...readdirSync(new URL('auth/', src)).map((name) => `auth/${name}`),
  ...readdirSync(new URL('limits/', src)).map((name) => `limits/${name}`),
  'observe/trace-context.ts',
  'observe/logging.ts',
  'observe/metrics.ts',
  'observe/live-stats.ts',
  'observe/opentelemetry.ts',
];

describe('built-in plugins', () => {
  it("import none of figway's request internals", () => {
    const imports = PLUGIN_FILES.flatMap((file) =>
      [...readFileSync(new URL(file, src), 'utf8').matchAll(/from '(\.[^']+)'/g)].map(([, target]) => `${file} → ${new URL(target as string, new URL(file, src)).pathname.slice(src.pathname.length)}`),
    );
    expect(imports).toContain('auth/auth-plugin.ts → types.js');
    expect(imports.filter((line) => INTERNAL.some((internal) => (internal.endsWith('/') ? line.split(' → ')[1]?.startsWith(internal) : line.endsWith(` → ${internal}`))))).toEqual([]);
  });

  it('declare the config keys they read, as an app plugin does', () => {
    const diagnostics = createDiagnostics(quietLogger);
    const failures = new Counter({ name: 'auth_failures_probe', help: 'probe', labelNames: ['route', 'outcome'], registers: [new Registry()] });
    const auth = authPlugin({ env: {}, failures, diagnostics, now: Date.now });
    const limits = rateLimitPlugin({ diagnostics });
    expect([Object.keys(auth.configKeys ?? {}), Object.keys(auth.routeKeys ?? {})]).toEqual([['identity', 'auth', 'session'], ['auth', 'session']]);
    expect([Object.keys(limits.configKeys ?? {}), Object.keys(limits.routeKeys ?? {})]).toEqual([['limits'], ['limits']]);
  });
});
