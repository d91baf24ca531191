// The README's config examples are what figway does with them: its figway.yaml loads, and its bad
// file gives exactly the problems it shows, before and after the schema problems are fixed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FigwayConfigError, loadConfig } from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## figway.yaml'), readme.indexOf('### Matching'));
/** The fenced blocks of the README's figway.yaml section, in order: the example, the bad file, and the two outputs. */
const blocks = [...section.matchAll(/```(?:yaml)?\n([\s\S]*?)```/g)].map(([, body]) => body as string);

describe("the README's figway.yaml section", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'figway-readme-'));
  const file = path.join(dir, 'figway.yaml');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** What figway prints for `text` as figway.yaml (the path as the README writes it). */
  const printed = (text: string) => {
    writeFileSync(file, text);
    try {
      loadConfig(file, {});
      return 'ok';
    } catch (err) {
      expect(err).toBeInstanceOf(FigwayConfigError);
      return `${(err as Error).stack?.replaceAll(file, 'figway.yaml')}\n`;
    }
  };

  it('has the example, the bad file and both outputs', () => {
    expect(blocks).toHaveLength(4);
  });

  it('shows an example that loads', () => {
    expect(printed(blocks[0] as string)).toBe('ok');
  });

  it('shows what figway prints for the bad file, and for it with the schema problems fixed', () => {
    const bad = blocks[1] as string;
    expect(printed(bad)).toBe(blocks[2]);
    const shaped = bad.replace('percent: 150', 'percent: 50').replace('path: api/users', 'path: /api/users').replace('stripPrefx', 'stripPrefix');
    expect(printed(shaped)).toBe(blocks[3]);
  });
});
