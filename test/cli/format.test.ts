// The CLI's small pure parts: tables, percent checks, audit changes.
import { describe, expect, it } from 'vitest';
import type { AuditEntryAnswer } from '../../src/cli/api-types.js';
import { describeChange } from '../../src/cli/commands/audit.js';
import { CliError } from '../../src/cli/exit-codes.js';
import { formatFields, formatTable } from '../../src/cli/format-table.js';
import { parsePercent } from '../../src/cli/parse-args.js';

describe('formatTable', () => {
  it('aligns columns two spaces apart without trailing spaces', () => {
    expect(formatTable(['ID', 'PERCENT', 'SOURCE'], [['orders', '25%', 'runtime'], ['a', '100%', '']])).toBe('ID      PERCENT  SOURCE\norders  25%      runtime\na       100%');
  });

  it('leaves out fields without a value', () => {
    expect(formatFields([['route', 'orders'], ['cohort', undefined], ['sticky key', 'ip']])).toBe('route:       orders\nsticky key:  ip');
  });
});

describe('parsePercent', () => {
  it.each([
    ['0', 0],
    ['100', 100],
    ['12.5', 12.5],
    ['0.01', 0.01],
    ['25%', 25],
  ])('takes %s', (text, value) => {
    expect(parsePercent(text)).toBe(value);
  });

  it.each(['100.01', '101', '12.345', '-1', 'abc', '1e2', '', '.5', '25%%', ' 25'])('refuses "%s" as a usage error', (text) => {
    expect(() => parsePercent(text)).toThrow(CliError);
    try {
      parsePercent(text);
    } catch (err) {
      expect((err as CliError).exitCode).toBe(2);
      expect((err as CliError).message).toBe(`percent must be a number from 0 to 100 with at most two decimals (e.g. 25 or 12.5), got "${text}"`);
    }
  });
});

describe('describeChange', () => {
  const entry = (action: AuditEntryAnswer['action'], before: unknown, after: unknown) => ({ at: '2025-01-01T00:00:00.000Z', actor: 'alice@127.0.0.1', action, before, after, revision: 1 });

  it('shows a rollout as its percent, and other changed fields by name', () => {
    expect(describeChange(entry('rollout', { percent: 10, sticky: ['ip'] }, { percent: 25, sticky: ['ip'] }))).toBe('10% → 25%');
    expect(describeChange(entry('rollout', { percent: 10, sticky: ['ip'] }, { percent: 10, sticky: ['user'] }))).toBe('sticky ["ip"] → ["user"]');
    expect(describeChange(entry('rollout', { sticky: ['ip'] }, { sticky: ['ip'] }))).toBe('100% → 100%');
  });

  it('shows the kill switch as on/off and reloads as config versions', () => {
    expect(describeChange(entry('kill-switch', false, true))).toBe('off → on');
    expect(describeChange(entry('reload', 3, 4))).toBe('config v3 → v4');
  });
});
