// The built `figway` binary: what npm installs and links, run as a separate process.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const binary = path.join(root, 'dist/cli/main.js');
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

interface Exit {
  code: number;
  stdout: string;
  stderr: string;
}

async function figway(script: string, ...argv: string[]): Promise<Exit> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [script, ...argv], { cwd: root, env: { PATH: process.env.PATH } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the figway binary', () => {
  let dir: string;

  beforeAll(() => {
    if (!existsSync(binary)) execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root });
    dir = mkdtempSync(path.join(os.tmpdir(), 'figway-bin-'));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints its help with the exit codes and exits 0', async () => {
    const result = await figway(binary, '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: figway \[options\] \[command\]/);
    expect(result.stdout).toContain('rollout <route> <percent>');
    expect(result.stdout).toContain('  3  the admin API is unreachable or failed (connection refused, timeout after 10 s, 5xx)');
  });

  it('validates a file with its exit code', async () => {
    const good = fixture('good.yaml');
    expect(await figway(binary, 'validate', good)).toEqual({ code: 0, stdout: `ok: ${good}, 3 routes\n`, stderr: '' });
    const bad = fixture('bad.yaml');
    const result = await figway(binary, 'validate', bad);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(`${bad}:7:25  routes[0].rollout.percent  must be <= 100`);
  });

  it('runs through a symlink, as npm links bins', async () => {
    const link = path.join(dir, 'figway');
    symlinkSync(binary, link);
    const result = await figway(link, 'rollout', 'orders', 'lots');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('percent must be a number from 0 to 100');
  });

  it('starts with a shebang so it runs without node in front', () => {
    expect(readFileSync(binary, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});
