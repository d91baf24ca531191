// The error registry and the README's table of codes say the same thing.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, FigwayConfigError, FigwayError } from '../src/errors.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('error codes', () => {
  it('are all documented in the README with their status and meaning', () => {
    const rows = [...readme.matchAll(/^\| `(FIGWAY_[A-Z_]+)` \| (\d{3}) \| (.+) \|$/gm)].map(([, code, status, summary]) => ({ code, status: Number(status), summary }));
    expect(rows).toEqual(Object.entries(ERROR_CODES).map(([code, { status, summary }]) => ({ code, status, summary })));
  });

  it('follow FIGWAY_<AREA>_<REASON>', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(code).toMatch(/^FIGWAY_[A-Z]+(_[A-Z]+)*$/);
  });

  it('carry their registered status', () => {
    expect(new FigwayError('FIGWAY_UPSTREAM_TIMEOUT', 'x').status).toBe(504);
    expect(new FigwayError('FIGWAY_UPSTREAM_TIMEOUT', 'x', { status: 503 }).status).toBe(503);
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
