// What a plugin's setup is given: its config sections, the routes it runs on, and a way to refuse the config.
import { describe, expect, it } from 'vitest';
import { figway, FigwayConfigError } from '../../src/index.js';
import type { FigwayConfig, FigwayPlugin, PluginSetup } from '../../src/types.js';
import { quietLogger } from '../helpers/monolith.js';

type Seen = Pick<PluginSetup<unknown>, 'sections' | 'routes'>;

/** A plugin that records what its setup was given, and reports `problems` through problem(). */
function recorder(seen: Seen[], problems: [readonly (string | number)[], string][] = []): FigwayPlugin {
  return {
    name: 'rec',
    configKeys: { recording: { type: 'object', properties: { level: { type: 'string' } }, additionalProperties: false } },
    routeKeys: { record: { type: 'boolean' } },
    setup: ({ sections, routes, problem }) => {
      seen.push({ sections, routes });
      for (const [path, message] of problems) problem(path, message);
      return {};
    },
  };
}

const route = (id: string, extra: object = {}) => ({ id, match: { path: `/${id}` }, upstream: 'http://127.0.0.1:1', ...extra });

describe('plugin setup', () => {
  it('gets its sections, and the routes it runs on with their index and own sections', () => {
    const seen: Seen[] = [];
    const config = { recording: { level: 'all' }, routes: [route('a', { record: true }), route('b', { plugins: { rec: false } }), route('c')] } as FigwayConfig;
    const gateway = figway({ config, plugins: [recorder(seen)], logger: quietLogger });
    void gateway.close();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.sections).toEqual({ recording: { level: 'all' } });
    expect(seen[0]?.routes.map(({ route: r, index, sections }) => [r.id, index, sections])).toEqual([
      ['a', 0, { record: true }],
      ['c', 2, {}],
    ]);
  });

  it('gets only the routes that switch it on when it is off at top level, and no section the file leaves out', () => {
    const seen: Seen[] = [];
    const config = { plugins: { rec: false }, routes: [route('a'), route('b', { plugins: { rec: {} }, record: false })] } as FigwayConfig;
    const gateway = figway({ config, plugins: [recorder(seen)], logger: quietLogger });
    void gateway.close();
    expect('recording' in (seen[0]?.sections ?? {})).toBe(false);
    expect(seen[0]?.routes.map(({ route: r, index, sections }) => [r.id, index, sections])).toEqual([['b', 1, { record: false }]]);
  });

  it('refuses the config with every problem() it reported, and keeps the serving one on reload', async () => {
    const seen: Seen[] = [];
    const problems: [readonly (string | number)[], string][] = [];
    const gateway = figway({ config: { routes: [route('a', { record: true })] } as FigwayConfig, plugins: [recorder(seen, problems)], logger: quietLogger });
    problems.push([['routes', 0, 'record'], 'needs recording at top level'], [['recording'], 'is missing']);
    const refused = await gateway.reload().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(FigwayConfigError);
    expect((refused as FigwayConfigError).problems.map((p) => `${p.path} ${p.message}`)).toEqual(['routes[0].record needs recording at top level', 'recording is missing']);
    expect(gateway.current.version).toBe(1);
    await gateway.close();
  });
});
