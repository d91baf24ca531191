// Limiters and connections outlive reloads while their settings stay; what no serving config uses is released.
import { describe, expect, it } from 'vitest';
import { KeptAcrossReloads } from '../../src/limits/kept-across-reloads.js';

function tracked() {
  const created: string[] = [];
  const disposed: string[] = [];
  const kept = new KeptAcrossReloads();
  const take = (id: string) =>
    kept.take(
      id,
      () => {
        created.push(id);
        return { id };
      },
      (value) => void disposed.push(value.id),
    );
  return { kept, take, created, disposed };
}

describe('kept across reloads', () => {
  it('reuses what the next config takes again and releases the rest once that config serves', () => {
    const { kept, take, created, disposed } = tracked();
    kept.begin();
    const first = take('global|100');
    take('orders|10');
    kept.commit();

    kept.begin();
    expect(take('global|100')).toBe(first);
    take('orders|20');
    expect(disposed).toEqual([]);
    kept.commit();

    expect(created).toEqual(['global|100', 'orders|10', 'orders|20']);
    expect(disposed).toEqual(['orders|10']);
  });

  it('releases only what a rejected config created, never what the serving config uses', () => {
    const { kept, take, disposed } = tracked();
    kept.begin();
    take('global|100');
    kept.commit();

    kept.begin();
    take('global|100');
    take('orders|5');
    kept.abandon();
    expect(disposed).toEqual(['orders|5']);

    // A config set up but never announced (a failed runtime change) is dropped by the next setup.
    kept.begin();
    take('users|7');
    kept.begin();
    expect(disposed).toEqual(['orders|5', 'users|7']);
  });

  it('releases everything on close', async () => {
    const { kept, take, disposed } = tracked();
    kept.begin();
    take('a');
    kept.commit();
    kept.begin();
    take('b');
    await kept.close();
    expect(disposed.sort()).toEqual(['a', 'b']);
  });
});
