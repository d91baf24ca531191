// Which forwarding engine a request goes through: the mode's default, proxy.engine, an upstream's own.
import { ClientRequest } from 'node:http';
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { figway } from '../../src/index.js';
import { HeaderList } from '../../src/proxy/engines/header-list.js';
import type { FigwayConfig, FigwayPlugin } from '../../src/types.js';
import { quietLogger, startMonolith, type GatewayMode, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

/** Records which kind of outgoing request each route's requests were: Node's ClientRequest (http-proxy-middleware) or undici's header list. */
function engineSpy(seen: Map<string, string>): FigwayPlugin {
  return {
    name: 'engine-spy',
    setup: () => ({
      onProxyRequest: (proxyReq, ctx) => {
        seen.set(ctx.route.id, proxyReq instanceof ClientRequest ? 'http-proxy-middleware' : proxyReq instanceof HeaderList ? 'undici' : 'unknown');
      },
    }),
  };
}

describe.each<[GatewayMode, FigwayConfig['proxy'], Record<string, string>]>([
  ['middleware', undefined, { plain: 'http-proxy-middleware', pinned: 'undici' }],
  ['server', undefined, { plain: 'undici', pinned: 'undici' }],
  ['middleware', { engine: 'undici' }, { plain: 'undici', pinned: 'undici' }],
  ['server', { engine: 'http-proxy-middleware' }, { plain: 'http-proxy-middleware', pinned: 'undici' }],
])('engine choice (%s mode, proxy: %j)', (mode, proxy, expected) => {
  let service: Upstream;
  let monolith: Monolith;
  const seen = new Map<string, string>();

  beforeAll(async () => {
    service = await startUpstream('orders');
    monolith = await startMonolith(
      express,
      {
        registry: new Registry(),
        plugins: [engineSpy(seen)],
        config: {
          ...(proxy ? { proxy } : {}),
          upstreams: { plain: { url: service.url }, pinned: { url: service.url, engine: 'undici' } },
          routes: [
            { id: 'plain', match: { path: '/plain' }, upstream: 'plain' },
            { id: 'pinned', match: { path: '/pinned' }, upstream: 'pinned' },
          ],
        },
      },
      { mode },
    );
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
  });

  it('sends each route through the engine its upstream, the config or the mode names', async () => {
    for (const path of ['/plain', '/pinned']) expect((await request(monolith.url, path)).status).toBe(200);
    expect(Object.fromEntries(seen)).toEqual(expected);
  });
});

describe('proxy.engine in the config', () => {
  it('refuses an engine it does not know, with the path', () => {
    const config = { proxy: { engine: 'got' }, routes: [{ id: 'a', match: { path: '/a' }, upstream: 'http://127.0.0.1:1' }] } as unknown as FigwayConfig;
    expect(() => figway({ logger: quietLogger, registry: new Registry(), config })).toThrow(/proxy\.engine/);
  });
});
