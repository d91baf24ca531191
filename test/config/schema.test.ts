// The JSON Schema that ships in the package: in sync with the source, and every field described.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toJsonSchema } from '../../src/config/schema.js';

const shipped = JSON.parse(readFileSync(new URL('../../schema/figway.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;

function undescribed(node: unknown, path: string, out: string[]): string[] {
  if (node === null || typeof node !== 'object') return out;
  const schema = node as Record<string, unknown>;
  for (const key of ['properties', 'patternProperties'] as const) {
    const children = schema[key] as Record<string, Record<string, unknown>> | undefined;
    for (const [name, child] of Object.entries(children ?? {})) {
      if (typeof child.description !== 'string' || child.description.length < 10) out.push(`${path}.${name}`);
      undescribed(child, `${path}.${name}`, out);
    }
  }
  for (const key of ['items', 'anyOf'] as const) {
    const value = schema[key];
    for (const child of Array.isArray(value) ? value : value ? [value] : []) undescribed(child, path, out);
  }
  return out;
}

describe('schema/figway.schema.json', () => {
  it('is exactly what the source schema produces (run npm run build after changing it)', () => {
    expect(shipped).toEqual(toJsonSchema());
  });

  it('describes every field, so editors can explain figway.yaml', () => {
    expect(undescribed(shipped, '$', [])).toEqual([]);
  });
});
