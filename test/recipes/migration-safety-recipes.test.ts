// The shadow and progressive-rollout recipes: their configs validate and their commands exist.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { buildProgram } from '../../src/cli/program.js';
import { processIo } from '../../src/cli/cli-io.js';

const recipe = (file: string) => readFileSync(fileURLToPath(new URL(`../../recipes/${file}`, import.meta.url)), 'utf8');

/** The blocks fenced as ```yaml figway: the configs a reader copies. */
function configsIn(markdown: string): string[] {
  return [...markdown.matchAll(/```yaml figway\n([\s\S]*?)```/g)].map((match) => match[1] as string);
}

describe.each(['prove-a-service-matches-legacy.md', 'progressive-rollout-with-automatic-rollback.md'])('recipes/%s', (file) => {
  const markdown = recipe(file);

  it('has configs that validate as written', () => {
    const configs = configsIn(markdown);
    expect(configs.length).toBeGreaterThan(0);
    const dir = mkdtempSync(path.join(tmpdir(), 'figway-recipe-'));
    try {
      for (const text of configs) {
        writeFileSync(path.join(dir, 'figway.yaml'), text);
        const { config } = loadConfig(path.join(dir, 'figway.yaml'), { REDIS_URL: 'redis://127.0.0.1:6379' });
        expect(config.routes.length).toBeGreaterThan(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uses only CLI commands figway has', () => {
    const known = buildProgram(processIo()).commands.map((command) => command.name());
    const used = [...new Set([...markdown.matchAll(/npx figway ([a-z-]+)/g)].map((match) => match[1] as string))];
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((command) => !known.includes(command))).toEqual([]);
  });
});
