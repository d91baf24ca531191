// The file store: the conformance suite, plus what is particular to a file.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../src/state/file-store.js';
import { describeStoreConformance } from './store-conformance.js';

const root = mkdtempSync(path.join(tmpdir(), 'figway-file-store-'));
let backing = 0;
const file = () => path.join(root, `case-${backing}`, 'state.json');

describeStoreConformance('file', {
  async open() {
    const target = file();
    mkdirSync(path.dirname(target), { recursive: true });
    return new FileStateStore(target);
  },
  async reset() {
    backing += 1;
  },
});

describe('file store', () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes the file atomically, leaving no temporary or lock files behind', async () => {
    const dir = path.join(root, 'atomic');
    mkdirSync(dir);
    const store = new FileStateStore(path.join(dir, 'state.json'));
    await Promise.all([1, 2, 3].map((p) => store.update((s) => ({ ...s, routes: { ...s.routes, [`r${p}`]: { percent: p } } }), { actor: 't', action: 'rollout' })));
    expect(readdirSync(dir)).toEqual(['state.json']);
    expect(JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')).state.revision).toBe(3);
    expect(store.loadSync().revision).toBe(3);
  });
});
