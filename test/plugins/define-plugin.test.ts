// definePlugin() types a plugin's options from its TypeBox schema, and the plugin works as written.
import { Type } from '@sinclair/typebox';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePlugin, figway } from '../../src/index.js';
import { listen, type Listening } from '../helpers/listen.js';
import { quietLogger } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const stamp = definePlugin({
  name: 'stamp',
  schema: Type.Object({ header: Type.String(), times: Type.Optional(Type.Integer()) }, { additionalProperties: false }),
  setup: () => ({
    onProxyRequest: (proxyReq, ctx, options) => {
      // The options are the schema's type: a misspelt field does not compile.
      // @ts-expect-error `heder` is not in the schema
      void options.heder;
      const header: string = options.header;
      proxyReq.setHeader(header, `${ctx.route.id}×${options.times ?? 1}`);
    },
  }),
});

describe('definePlugin', () => {
  let service: Upstream;
  let server: Listening;
  beforeAll(async () => {
    service = await startUpstream('orders');
    const app = express();
    app.use(
      figway({
        logger: quietLogger,
        plugins: [stamp],
        config: { plugins: { stamp: { header: 'x-stamp' } }, routes: [{ id: 'orders', match: { path: '/api/orders' }, upstream: service.url, plugins: { stamp: { times: 2 } } }] },
      }),
    );
    server = await listen(app);
  });
  afterAll(async () => {
    await server.close();
    await service.close();
  });

  it('returns the plugin as written, its hooks given the merged options the schema validated', async () => {
    await request(server.url, '/api/orders/1');
    expect(service.last().headers['x-stamp']).toBe('orders×2');
  });

  it('validates the config against the TypeBox schema', () => {
    expect(() => figway({ logger: quietLogger, plugins: [stamp], config: { plugins: { stamp: { header: 7 } }, routes: [] } })).toThrow(/plugins\.stamp\.header  must be a string/);
  });
});

// A plain JSON Schema (as in the README's JavaScript example), or none: the options are any object.
export const plainSchema = definePlugin({
  name: 'plain-schema',
  schema: { type: 'object', properties: { header: { type: 'string' } } },
  setup: () => ({ onProxyRequest: (proxyReq, _ctx, options) => proxyReq.setHeader(String(options.header), '1') }),
});
export const noSchema = definePlugin({ name: 'no-schema', setup: () => ({ onResponse: (_ctx, options) => void options.anything }) });
