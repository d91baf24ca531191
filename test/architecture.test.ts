// The folder layout is the architecture: no import cycle between files, and no two folders (or top-level files) that import each other.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCircular, parseDependencyTree } from 'dpdm';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
/** A folder of src/ (`proxy/`), or a file at its top (`context`): the units the layout is drawn in. */
const unitOf = (file: string) => {
  const inSrc = path.relative('src', file);
  return inSrc.includes(path.sep) ? `${inSrc.split(path.sep)[0]}/` : inSrc.replace(/\.ts$/, '');
};

describe('the source layout', () => {
  let tree: Awaited<ReturnType<typeof parseDependencyTree>>;
  beforeAll(async () => {
    // Type-only imports count: a folder that needs another's types depends on it.
    tree = await parseDependencyTree(['src/**/*.ts'], { context: root, tsconfig: path.join(root, 'tsconfig.json'), transform: false, skipDynamicImports: false });
  }, 60_000);

  /** Every import from one figway source file to another. */
  const edges = () =>
    Object.entries(tree).flatMap(([from, dependencies]) => (dependencies ?? []).filter((d) => d.id?.startsWith('src/')).map((d) => ({ from, to: d.id as string })));

  it('reads the whole of src/', () => {
    expect(edges()).toContainEqual({ from: 'src/pipeline.ts', to: 'src/context.ts' });
    expect(edges().length).toBeGreaterThan(300);
  });

  it('has no import cycle', () => {
    expect(parseCircular(tree).map((cycle) => cycle.join(' → '))).toEqual([]);
  });

  it('has no two folders (or top-level files) that import each other', () => {
    const between = new Map<string, string[]>();
    for (const { from, to } of edges()) {
      const [a, b] = [unitOf(from), unitOf(to)];
      if (a !== b) between.set(`${a} → ${b}`, [...(between.get(`${a} → ${b}`) ?? []), `${from} → ${to}`]);
    }
    const twoWay = [...between.keys()].filter((key) => {
      const [a, b] = key.split(' → ');
      return a! < b! && between.has(`${b} → ${a}`);
    });
    expect(twoWay.map((key) => [key, ...(between.get(key) ?? []), ...(between.get(key.split(' → ').reverse().join(' → ')) ?? [])])).toEqual([]);
  });
});
