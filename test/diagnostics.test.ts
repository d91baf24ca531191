// Warnings leave through one door: registered code, docs link, level, and said once where the registry says so.
import { describe, expect, it } from 'vitest';
import { FigwayError } from '../src/errors.js';
import { createDiagnostics } from '../src/diagnostics.js';
import { captureLogs } from './helpers/log-capture.js';

describe('diagnostics', () => {
  it('logs a warning with its code, its docs link and the fields given, at the registered level', () => {
    const logs = captureLogs();
    const diagnostics = createDiagnostics(logs.logger);
    diagnostics.warnOnce('FIGWAY_UPSTREAM_TLS_UNVERIFIED', 'figway: TLS to orders is not verified', { upstream: 'orders' });
    diagnostics.warnOnce('FIGWAY_STATE_NOT_APPLIED', 'figway: could not apply the runtime state', { err: new Error('boom') });
    expect(logs.lines).toEqual([
      expect.objectContaining({ level: 40, code: 'FIGWAY_UPSTREAM_TLS_UNVERIFIED', docs: 'README.md#figway_upstream_tls_unverified', upstream: 'orders', msg: 'figway: TLS to orders is not verified' }),
      expect.objectContaining({ level: 50, code: 'FIGWAY_STATE_NOT_APPLIED', docs: 'README.md#figway_state_not_applied', err: expect.objectContaining({ message: 'boom' }) }),
    ]);
  });

  it('says a once-only warning the first time only, and the others every time', () => {
    const logs = captureLogs();
    const diagnostics = createDiagnostics(logs.logger);
    for (let i = 0; i < 3; i++) {
      diagnostics.warnOnce('FIGWAY_PROXY_BODY_REPLAYED', 'replayed', { route: `r${i}` });
      diagnostics.warnOnce('FIGWAY_FALLBACK_BREAKER_CHANGED', 'breaker', { route: `r${i}` });
    }
    expect(logs.lines.map((line) => [line.code, line.route])).toEqual([
      ['FIGWAY_PROXY_BODY_REPLAYED', 'r0'],
      ['FIGWAY_FALLBACK_BREAKER_CHANGED', 'r0'],
      ['FIGWAY_FALLBACK_BREAKER_CHANGED', 'r1'],
      ['FIGWAY_FALLBACK_BREAKER_CHANGED', 'r2'],
    ]);
    // Once is per gateway: another gateway on the same logger says it too.
    createDiagnostics(logs.logger).warnOnce('FIGWAY_PROXY_BODY_REPLAYED', 'replayed', { route: 'other' });
    expect(logs.lines.at(-1)).toMatchObject({ code: 'FIGWAY_PROXY_BODY_REPLAYED', route: 'other' });
  });

  it('reports an error nobody else sees with its error code, docs and stack', () => {
    const logs = captureLogs();
    const error = new FigwayError('FIGWAY_INTERNAL', 'internal figway error', { cause: new TypeError('x is undefined') });
    createDiagnostics(logs.logger).reportError(error, 'figway: internal figway error', { route: 'orders' });
    expect(logs.lines[0]).toMatchObject({ level: 50, code: 'FIGWAY_INTERNAL', docs: 'README.md#figway_internal', route: 'orders', msg: 'figway: internal figway error' });
    expect((logs.lines[0]?.err as { stack: string }).stack).toMatch(/TypeError: x is undefined/);
  });
});
