// Named admin tokens: roles in order, tokens inline or from files, and a file's token rotating
// (or being revoked) without a restart, on an injected clock.
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdminTokens, permits, tokenSpecs } from '../../src/admin/admin-tokens.js';
import { createDiagnostics } from '../../src/diagnostics.js';
import { captureLogs, type CapturedLogs } from '../helpers/log-capture.js';

const OPS = 'ops-token-0123456789abcdef';
const OLD = 'grafana-token-old-0123456789';
const NEW = 'grafana-token-new-0123456789';

describe('admin roles', () => {
  it('orders read < operate < admin, each allowing what the ones before it allow', () => {
    expect(permits('read', 'read')).toBe(true);
    expect(permits('read', 'operate')).toBe(false);
    expect(permits('operate', 'read')).toBe(true);
    expect(permits('operate', 'operate')).toBe(true);
    expect(permits('operate', 'admin')).toBe(false);
    expect(permits('admin', 'read')).toBe(true);
    expect(permits('admin', 'admin')).toBe(true);
  });

  it('treats admin.token as one more token, named admin, with the role admin', () => {
    expect(tokenSpecs({ port: 0, token: OPS, tokens: [{ name: 'grafana', role: 'read', tokenFile: 'grafana' }] })).toEqual([
      { name: 'admin', role: 'admin', token: OPS },
      { name: 'grafana', role: 'read', tokenFile: 'grafana' },
    ]);
  });
});

describe('AdminTokens', () => {
  let dir: string;
  let clock: number;
  let logs: CapturedLogs;
  const book = () =>
    new AdminTokens(
      [
        { name: 'ops', role: 'operate', token: OPS },
        { name: 'grafana', role: 'read', tokenFile: 'secrets/grafana' },
      ],
      dir,
      createDiagnostics(logs.logger),
      () => clock,
    );
  const secret = (text: string) => writeFileSync(path.join(dir, 'secrets', 'grafana'), text);

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'figway-tokens-'));
    // A directory as Kubernetes mounts a Secret, the token file inside it.
    mkdirSync(path.join(dir, 'secrets'));
    clock = 1_000_000;
    logs = captureLogs();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the holder of an inline token and of a file token (trailing newline trimmed), relative to the config directory', async () => {
    secret(`${OLD}\n`);
    const tokens = book();
    expect(await tokens.find(OPS)).toEqual({ name: 'ops', role: 'operate' });
    expect(await tokens.find(OLD)).toEqual({ name: 'grafana', role: 'read' });
    expect(await tokens.find(`${OLD}\n`)).toBeUndefined();
    expect(await tokens.find('ops-token-0123456789abcde')).toBeUndefined();
  });

  it('follows the file: a rotated token is accepted and the old one refused once a second has passed', async () => {
    secret(OLD);
    const tokens = book();
    expect(await tokens.find(OLD)).toEqual({ name: 'grafana', role: 'read' });
    secret(NEW);
    clock += 999;
    expect(await tokens.find(OLD), 'within the second, the file is not read again').toEqual({ name: 'grafana', role: 'read' });
    clock += 1;
    expect(await tokens.find(NEW)).toEqual({ name: 'grafana', role: 'read' });
    expect(await tokens.find(OLD)).toBeUndefined();
    expect(logs.lines.filter((l) => String(l.msg).includes('read anew'))).toEqual([expect.objectContaining({ level: 30, token: 'grafana' })]);
  });

  it('refuses the token of a file that is gone or too short, says so once, and takes it back when the file is fixed', async () => {
    secret(OLD);
    const tokens = book();
    expect(await tokens.find(OLD)).toBeDefined();
    unlinkSync(path.join(dir, 'secrets', 'grafana'));
    clock += 1000;
    expect(await tokens.find(OLD)).toBeUndefined();
    clock += 1000;
    expect(await tokens.find(OLD)).toBeUndefined();
    secret('short\n');
    clock += 1000;
    expect(await tokens.find('short')).toBeUndefined();
    expect(await tokens.find(OPS), 'other tokens keep working').toEqual({ name: 'ops', role: 'operate' });
    const errors = logs.lines.filter((l) => l.level === 50);
    expect(errors.map((l) => l.msg)).toEqual([
      expect.stringMatching(/admin token file cannot be read \(ENOENT\): the token "grafana" is refused/),
      expect.stringMatching(/admin token file holds 5 characters, fewer than 16/),
    ]);
    secret(NEW);
    clock += 1000;
    expect(await tokens.find(NEW)).toEqual({ name: 'grafana', role: 'read' });
  });

  it('answers callers that arrive together while the files are read', async () => {
    secret(OLD);
    const tokens = book();
    const answers = await Promise.all([tokens.find(OLD), tokens.find(OPS), tokens.find('nobody-0123456789abcdef')]);
    expect(answers).toEqual([{ name: 'grafana', role: 'read' }, { name: 'ops', role: 'operate' }, undefined]);
  });
});
