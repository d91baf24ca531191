// The package as npm would publish it: `npm pack` of the built repo, installed from the tarball into an
// empty app, then used from CommonJS, ESM, TypeScript and the command line. Needs dist/ built (pretest).
import { execFile, type ExecFileOptions } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSUMER_ANSWER, runConsumerApp, writeConsumerApps } from '../helpers/consumer-app.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
const versionOf = (name: string) => (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
const run = async (file: string, args: string[], options: ExecFileOptions) => {
  const { stdout, stderr } = await promisify(execFile)(file, args, { ...options, encoding: 'utf8' });
  return { stdout: String(stdout), stderr: String(stderr) };
};

// A TypeScript app using figway's types. The upstream is source text, so a number is the type error
// a consumer must be told about.
const tsApp = (upstream: string) => `import express from 'express';
import { figway, FigwayError, type FigwayConfig, type FigwayMiddleware, type RouteConfig } from 'figway';

const orders: RouteConfig = { id: 'orders', match: { path: '/api/orders' }, upstream: ${upstream}, rollout: { percent: 50 } };
const config: FigwayConfig = { routes: [orders] };
const gateway: FigwayMiddleware = figway({ config });
express().use(gateway);
export const codeOf = (err: unknown): string | undefined => (err instanceof FigwayError ? err.code : undefined);
`;
// Without skipLibCheck, so figway's declarations are checked against the consumer's @types as well.
const typeCheck = (app: string, files: string[]) => run(process.execPath, [TSC, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', ...files], { cwd: app });

describe('the published package', () => {
  let dir: string;
  let app: string;
  let installed: string;
  let packed: string[];
  let service: Upstream;

  beforeAll(async () => {
    service = await startUpstream('orders');
    dir = mkdtempSync(path.join(tmpdir(), 'figway-package-'));
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT });
    const [pack] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
    packed = pack.files.map((file) => file.path);

    app = path.join(dir, 'app');
    installed = path.join(app, 'node_modules', 'figway');
    mkdirSync(app);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'figway-consumer', private: true }));
    // The versions this repo is tested with; --prefer-offline takes them from npm's cache when it has them.
    const deps = ['express', '@types/express', '@types/node'].map((name) => `${name}@${versionOf(name)}`);
    await run('npm', ['install', path.join(dir, pack.filename), ...deps, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app, timeout: 100_000 });
    writeConsumerApps(app);
  }, 120_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await service.close();
  });

  it('holds the build, the bin, the schema and the docs, and no sources or tests', () => {
    const bin = path.posix.normalize(manifest.bin['figway'] ?? '');
    expect(packed).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', bin, 'schema/figway.schema.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'package.json']));
    expect(new Set(packed.map((file) => file.split('/')[0]))).toEqual(new Set(['dist', 'schema', 'README.md', 'LICENSE', 'CHANGELOG.md', 'package.json']));
    expect(packed.filter((file) => /(^|\/)(src|test)\/|\.test\./.test(file))).toEqual([]);
  });

  // src/ is not shipped, so a map is only useful with its sources inside it.
  it('ships every source map with its sources, and every map a script names', () => {
    const shipped = new Set(packed);
    const maps = packed.filter((file) => file.endsWith('.map'));
    expect(maps).not.toEqual([]);
    for (const file of maps) {
      const map = JSON.parse(readFileSync(path.join(installed, file), 'utf8')) as { sources: string[]; sourcesContent?: unknown[] };
      expect({ file, contents: map.sourcesContent?.filter((text) => typeof text === 'string').length }).toEqual({ file, contents: map.sources.length });
    }
    const named = packed
      .filter((file) => file.endsWith('.js'))
      .flatMap((file) => {
        const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(path.join(installed, file), 'utf8'))?.[1];
        return url ? [path.posix.join(path.posix.dirname(file), url)] : [];
      });
    expect(named.filter((file) => !shipped.has(file))).toEqual([]);
  });

  it('works with require() from a CommonJS app', async () => {
    expect(await runConsumerApp(app, 'app.cjs', service.url)).toEqual(CONSUMER_ANSWER);
  });

  it('works with import from an ESM app', async () => {
    expect(await runConsumerApp(app, 'app.mjs', service.url)).toEqual(CONSUMER_ANSWER);
  });

  it('resolves its other exports: the config schema and package.json', async () => {
    const { stdout } = await run(process.execPath, ['-p', "require('figway/schema.json').type + ' ' + require('figway/package.json').version"], { cwd: app });
    expect(stdout.trim()).toBe(`object ${manifest.version}`);
  });

  it('type-checks a TypeScript app, as ESM and as CommonJS', async () => {
    writeFileSync(path.join(app, 'app.mts'), tsApp("'http://127.0.0.1:4001'"));
    writeFileSync(path.join(app, 'app.cts'), tsApp("'http://127.0.0.1:4001'"));
    await expect(typeCheck(app, ['app.mts', 'app.cts'])).resolves.toEqual({ stdout: '', stderr: '' });
  }, 60_000);

  it("fails a TypeScript app's type check on a config field of the wrong type", async () => {
    writeFileSync(path.join(app, 'wrong.mts'), tsApp('4001'));
    const failure = await typeCheck(app, ['wrong.mts']).then(
      () => ({ stdout: 'no error' }),
      (error: { stdout: string }) => error,
    );
    expect(failure.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^wrong\.mts\(4,\d+\): error TS2322: Type 'number' is not assignable to type 'string'\./)]);
  }, 60_000);

  // `--` keeps npx from taking --help and --version as its own.
  it('runs `npx figway` from the app', async () => {
    const help = await run('npx', ['--no', '--', 'figway', '--help'], { cwd: app });
    expect(help.stdout).toMatch(/^Usage: figway \[options\] \[command\]/);
    const version = await run('npx', ['--no', '--', 'figway', '--version'], { cwd: app });
    expect(version.stdout.trim()).toBe(manifest.version);
  });

  // An unreachable registry, offline: even a run that lost --dry-run could send nothing anywhere, and
  // npm's look-up of the published versions fails at once instead of retrying for a minute. With no
  // login for that registry npm always warns that one is needed; any other warning is a package.json to fix.
  it('passes `npm publish --dry-run` with no warning but the login one', async () => {
    const { stdout, stderr } = await run('npm', ['publish', '--dry-run', '--ignore-scripts', '--offline', '--registry', 'http://127.0.0.1:9/'], { cwd: ROOT });
    expect(stdout).toContain(`+ figway@${manifest.version}`);
    expect(stderr.split('\n').filter((line) => line.toLowerCase().startsWith('npm warn') && !/requires you to be logged in .* \(dry-run\)$/.test(line))).toEqual([]);
  });
});
