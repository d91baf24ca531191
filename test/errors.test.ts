// The error and warning registries and the README's tables of codes say the same thing, and figway throws nothing else.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { docsLink } from '../src/docs-link.js';
import { ERROR_CODES, FigwayConfigError, FigwayError } from '../src/errors.js';
import { homepage } from '../src/version.js';
import { WARNING_CODES } from '../src/warnings.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const src = new URL('../src/', import.meta.url).pathname;

/** Every line of figway's TypeScript sources, except under the paths left out (relative to src/). */
function sourceLines(leftOut: readonly string[]): { file: string; number: number; text: string }[] {
  return (readdirSync(src, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts') && !leftOut.map((out) => path.join(out)).some((out) => file === out || file.startsWith(`${out}${path.sep}`)))
    .flatMap((file) => readFileSync(path.join(src, file), 'utf8').split('\n').map((text, i) => ({ file, number: i + 1, text })));
}

describe('error codes', () => {
  it('are all documented in the README with their status and meaning', () => {
    const rows = [...readme.matchAll(/^\| <a id="([a-z_]+)"><\/a>`(FIGWAY_[A-Z_]+)` \| (\d{3}) \| (.+) \|$/gm)].map(([, anchor, code, status, summary]) => ({ anchor, code, status: Number(status), summary }));
    expect(rows).toEqual(Object.entries(ERROR_CODES).map(([code, { status, summary }]) => ({ anchor: code.toLowerCase(), code, status, summary })));
  });

  it('link to their README row', () => {
    for (const code of [...Object.keys(ERROR_CODES), ...Object.keys(WARNING_CODES)] as (keyof typeof ERROR_CODES)[]) {
      const [file, anchor] = docsLink(code).split('#');
      expect(file).toBe(homepage?.split('#')[0] ?? 'README.md');
      expect(readme).toContain(`<a id="${anchor}"></a>\`${code}\``);
    }
  });

  it('are the only errors figway throws: no plain Error leaves a module', () => {
    // The admin page's scripts run in the browser, not in figway.
    const plain = sourceLines(['admin/ui'])
      .filter(({ text }) => /new (Type|Range|Syntax)?Error\(/.test(text))
      .map(({ file, number }) => `${file}:${number}`);
    expect(plain).toEqual([]);
  });

  it('follow FIGWAY_<AREA>_<REASON>', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(code).toMatch(/^FIGWAY_[A-Z]+(_[A-Z]+)*$/);
  });
  it('carry their registered status', () => {
    expect(new FigwayError('FIGWAY_UPSTREAM_TIMEOUT', 'x').status).toBe(504);
    expect(new FigwayError('FIGWAY_UPSTREAM_TIMEOUT', 'x', { status: 503 }).status).toBe(503);
    expect(new FigwayError('FIGWAY_UPSTREAM_TIMEOUT', 'x').docs).toBe('README.md#figway_upstream_timeout');
  });

  it('list config problems in file order, one per line', () => {
    const error = new FigwayConfigError([
      { file: 'f.yaml', line: 9, column: 3, path: 'routes[1].id', message: 'b' },
      { file: 'f.yaml', line: 2, column: 7, path: 'routes[0].id', message: 'a' },
    ]);
    expect(error.message).toBe('invalid figway config (2 problems):\n  f.yaml:2:7  routes[0].id  a\n  f.yaml:9:3  routes[1].id  b');
    expect(error.code).toBe('FIGWAY_CONFIG_INVALID');
  });
});

describe('warning codes', () => {
  it('are all documented in the README with their level and meaning', () => {
    const rows = [...readme.matchAll(/^\| <a id="([a-z_]+)"><\/a>`(FIGWAY_[A-Z_]+)` \| (warn|error)(, once)? \| (.+) \|$/gm)].map(([, anchor, code, level, once, summary]) => ({
      anchor,
      code,
      level,
      once: once !== undefined,
      summary,
    }));
    expect(rows).toEqual(
      Object.entries(WARNING_CODES).map(([code, entry]) => ({
        anchor: code.toLowerCase(),
        code,
        level: 'level' in entry ? entry.level : 'warn',
        once: 'once' in entry,
        summary: entry.summary,
      })),
    );
  });

  it('are the only way figway warns: no warn- or error-level line or process warning written around the registry', () => {
    // The CLI talks to its user, the admin page runs in the browser, and diagnostics.ts is the registry's one door.
    const uncoded = sourceLines(['cli', 'admin/ui', 'diagnostics.ts'])
      .filter(({ text }) => /\b(logger|log|base)\.(warn|error|fatal)\b|emitWarning|console\.(warn|error|log)\(/.test(text) && !text.trim().startsWith('*'))
      .map(({ file, text }) => `${file}: ${text.trim()}`);
    // The line per request picks its level by status (README: Observability); it is not a warning of figway's own.
    expect(uncoded).toEqual(['observe/logging.ts: const clientError = base.warn.bind(base);', 'observe/logging.ts: const serverError = base.error.bind(base);']);
  });

  it('follow FIGWAY_<AREA>_<REASON> and never share a code with an error', () => {
    for (const code of Object.keys(WARNING_CODES)) {
      expect(code).toMatch(/^FIGWAY_[A-Z]+(_[A-Z]+)*$/);
      expect(ERROR_CODES).not.toHaveProperty(code);
    }
  });
});
