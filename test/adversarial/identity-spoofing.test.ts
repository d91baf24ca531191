// Spoofed identity (PITFALLS 3, 4): a client forging figway's identity headers or token, or the
// Forwarded / X-Forwarded-* / X-Real-IP family, changes neither the identity services receive nor
// the key its rate limit is counted under, whatever Express's `trust proxy` says.
import { networkInterfaces } from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { figway } from '../../src/index.js';
import type { FigwayConfig } from '../../src/types.js';
import type { IncomingHttpHeaders } from 'node:http';
import { captureLogs, type CapturedLogs } from '../helpers/log-capture.js';
import { GATEWAY_SETUPS, quietLogger, type GatewayMode } from '../helpers/monolith.js';
import { request, type Reply } from '../helpers/request.js';
import { keyPair, sign, type KeyPair } from '../helpers/tokens.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { rawExchange } from './helpers/raw-client.js';
import { partitionKey, policyKey } from './helpers/resources.js';

const KEY = 'partner-key-0123456789abcdef';
const FORGED = '6.6.6.6';
/** The real client, as the trusted proxy in front of figway reports it. */
const REAL = '203.0.113.9';
/** A non-loopback address of this machine, to connect from as an untrusted peer (none in some sandboxes). */
const OUTSIDE = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

const IDENTITY_FORGERIES = {
  'x-user-id': 'admin',
  'x-user-roles': 'admin,staff',
  'x-user-scopes': 'orders:write admin',
  'x-user-source': 'jwt',
  'x-user-email': 'ceo@example.com',
};

/** Address forgeries a client might try; under a proxy these pass through it as sent. */
const ADDRESS_FORGERIES: [string, Record<string, string>][] = [
  ['nothing', {}],
  ['X-Forwarded-For', { 'x-forwarded-for': FORGED, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' }],
  ['an X-Forwarded-For chain', { 'x-forwarded-for': `${FORGED}, 7.7.7.7` }],
  ['X-Forwarded-For naming loopback', { 'x-forwarded-for': '127.0.0.1, ::1' }],
  ['a malformed X-Forwarded-For', { 'x-forwarded-for': `not-an-address, , ${FORGED}:80` }],
  ['X-Real-IP', { 'x-real-ip': FORGED }],
  ['Forwarded', { forwarded: `for=${FORGED};proto=https;host=evil.example` }],
  ['the CDN client-address headers', { 'true-client-ip': FORGED, 'cf-connecting-ip': FORGED, 'x-client-ip': FORGED, 'fastly-client-ip': FORGED, 'x-cluster-client-ip': FORGED }],
];

interface Gateway {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * figway on an app with the given trust proxy setting, listening on every address (so a non-loopback
 * peer can reach it): mounted with app.use, or in server mode in front of the app.
 */
async function startGateway(mode: GatewayMode, trust: unknown, config: FigwayConfig, logs?: CapturedLogs): Promise<Gateway> {
  const app = express();
  app.set('trust proxy', trust);
  const gateway = figway({ config, logger: logs?.logger ?? quietLogger, registry: new Registry() });
  if (mode === 'middleware') app.use(gateway);
  app.get('/api/legacy-me', (req, res) => void res.json({ service: 'legacy', headers: req.headers, rawHeaders: req.rawHeaders, ip: req.ip }));
  app.use((_req, res) => void res.status(404).json({ service: 'legacy' }));
  const server = http.createServer(mode === 'server' ? gateway.wrap(app) : app);
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await gateway.close();
    },
  };
}

describe.each(GATEWAY_SETUPS)('identity spoofing ($label)', ({ mode, engine }) => {
  let service: Upstream;
  let signer: KeyPair;
  let config: FigwayConfig;
  const gateways: Gateway[] = [];

  beforeAll(async () => {
    service = await startUpstream('service');
    signer = await keyPair('ES256', 'figway');
    config = {
      proxy: { engine },
      auth: {
        default: 'optional',
        sources: ['apiKey'],
        apiKeys: { header: 'x-api-key', keys: [{ id: 'partner-a', key: KEY, roles: ['partner'], scopes: ['orders:read'] }] },
        token: { privateKey: signer.privatePem, audience: 'services' },
      },
      routes: [
        { id: 'me', match: { path: '/api/me' }, upstream: service.url, limits: { limit: 100_000, window: '1m' } },
        { id: 'legacy-me', match: { path: '/api/legacy-me' }, upstream: service.url, rollout: { percent: 0 }, limits: { limit: 100_000, window: '1m' } },
        // The auth plugin switched off: figway's namespace is still figway's.
        { id: 'plain', match: { path: '/api/plain' }, upstream: service.url, plugins: { auth: false } },
      ],
    };
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    await service.close();
  });

  async function gatewayWith(trust: unknown, logs?: CapturedLogs): Promise<Gateway> {
    const gateway = await startGateway(mode, trust, config, logs);
    gateways.push(gateway);
    return gateway;
  }

  /** One request; returns the reply, what the service received and the rate-limit key it was counted under. */
  async function send(base: string, path: string, headers: Record<string, string>): Promise<{ reply: Reply; seen: IncomingHttpHeaders | undefined; pk: string | undefined }> {
    const before = service.received.length;
    const reply = await request(base, path, { headers });
    const seen = service.received.length > before ? service.last().headers : undefined;
    return { reply, seen, pk: policyKey(reply.headers['ratelimit-policy'], `route:${path === '/api/me' ? 'me' : 'legacy-me'}:0`) };
  }

  const IDENTITY_NAME = /^x[-_]user[-_]|^x[-_]figway[-_]identity$/i;
  const identityHeaders = (headers: IncomingHttpHeaders | undefined) => Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => IDENTITY_NAME.test(name)));
  /** The identity lines of a raw header list (name, value, name, value, ...). */
  const identityLines = (raw: string[]) => raw.filter((name, i) => i % 2 === 0 && IDENTITY_NAME.test(name));

  describe("figway's identity namespace", () => {
    let gateway: Gateway;
    let jwks: ReturnType<typeof createLocalJWKSet>;
    beforeAll(async () => {
      gateway = await gatewayWith(false);
      jwks = createLocalJWKSet((await request(gateway.url, '/.well-known/figway/jwks.json')).json() as never);
    });

    it('never passes forged identity headers or a forged identity token to a service, for an anonymous caller', async () => {
      const forgedToken = await sign(await keyPair('ES256', 'attacker'), { sub: 'admin', roles: ['admin'], aud: 'services', iss: 'figway' });
      const { reply, seen, pk } = await send(gateway.url, '/api/me', { ...IDENTITY_FORGERIES, 'x-figway-identity': forgedToken });
      expect(reply.status).toBe(200);
      expect(identityHeaders(seen)).toEqual({});
      expect(identityLines(service.last().rawHeaders)).toEqual([]);
      expect(pk).toBe(partitionKey('ip:127.0.0.1'));
    });

    it('sends only the verified identity, and a token figway signed for it, when the caller has one', async () => {
      const forgedToken = await sign(await keyPair('ES256', 'attacker'), { sub: 'admin' });
      const { reply, seen, pk } = await send(gateway.url, '/api/me', { ...IDENTITY_FORGERIES, 'x-api-key': KEY, 'x-figway-identity': forgedToken });
      expect(reply.status).toBe(200);
      const { 'x-figway-identity': token, ...identity } = identityHeaders(seen);
      expect(identity).toEqual({ 'x-user-id': 'partner-a', 'x-user-source': 'apiKey', 'x-user-roles': 'partner', 'x-user-scopes': 'orders:read' });
      const { payload } = await jwtVerify(String(token), jwks, { audience: 'services', issuer: 'figway' });
      expect(payload).toMatchObject({ sub: 'partner-a', roles: ['partner'], src: 'apiKey' });
      expect(pk).toBe(partitionKey('apikey:partner-a'));
    });

    it('strips repeated and differently cased identity headers sent on the raw wire', async () => {
      const before = service.received.length;
      const exchange = await rawExchange(
        gateway.port,
        `GET /api/me HTTP/1.1\r\nHost: shop.example\r\nX-USER-ID: admin\r\nx-user-id: root\r\nX-User-Roles: admin\r\nX-Api-Key: ${KEY}\r\nX-Figway-Identity: forged\r\nx-figway-identity: forged2\r\nConnection: close\r\n\r\n`,
      );
      expect(exchange.responses.map((r) => r.status)).toEqual([200]);
      expect(service.received.length).toBe(before + 1);
      const identity = identityHeaders(service.last().headers);
      expect({ ...identity, 'x-figway-identity': undefined }).toEqual({ 'x-user-id': 'partner-a', 'x-user-source': 'apiKey', 'x-user-roles': 'partner', 'x-user-scopes': 'orders:read', 'x-figway-identity': undefined });
      expect(String(identity['x-figway-identity'])).not.toMatch(/forged/);
      expect(service.last().rawHeaders.filter((h) => /^x-user-id$/i.test(h))).toHaveLength(1);
    });

    it('strips underscore spellings that CGI-style servers (PHP, Rack, WSGI) read as the same identity headers', async () => {
      // Those servers map X_User_Id and X-User-Id both to HTTP_X_USER_ID, so a forged X_User_Id is an identity.
      const before = service.received.length;
      const exchange = await rawExchange(
        gateway.port,
        `GET /api/me HTTP/1.1\r\nHost: shop.example\r\nX_User_Id: admin\r\nX-User_Roles: admin\r\nx_figway_identity: forged\r\nConnection: close\r\n\r\n`,
      );
      expect(exchange.responses.map((r) => r.status)).toEqual([200]);
      expect(service.received.length).toBe(before + 1);
      expect(identityHeaders(service.last().headers)).toEqual({});
    });

    it('keeps forged identity headers and tokens from the monolith too, on a route left to it, raw header lines included', async () => {
      const { reply } = await send(gateway.url, '/api/legacy-me', { ...IDENTITY_FORGERIES, 'x-figway-identity': 'forged', x_user_id: 'admin', 'x-other': 'kept' });
      const seen = reply.json<{ service: string; headers: IncomingHttpHeaders; rawHeaders: string[] }>();
      expect(seen.service).toBe('legacy');
      expect(identityHeaders(seen.headers)).toEqual({});
      expect(identityLines(seen.rawHeaders)).toEqual([]);
      expect(seen.rawHeaders).toEqual(expect.arrayContaining(['x-other', 'kept']));
    });

    it('keeps forged identity headers and tokens from a service on a route with the auth plugin switched off', async () => {
      const before = service.received.length;
      const reply = await request(gateway.url, '/api/plain', { headers: { ...IDENTITY_FORGERIES, 'x-figway-identity': 'forged', 'x-api-key': KEY } });
      expect(reply.status).toBe(200);
      expect(service.received.length).toBe(before + 1);
      expect(identityHeaders(service.last().headers)).toEqual({});
    });
  });

  /**
   * One trust proxy setting: how a request reaches figway (straight from the client, or through
   * the trusted proxies in front of it, which append the client address to X-Forwarded-For) and
   * the address it must be counted and forwarded under, whatever the client forged.
   */
  interface TrustCase {
    readonly trust: unknown;
    readonly label: string;
    /** Connect from this local address (undefined: loopback). */
    readonly from?: string;
    /** The X-Forwarded-For the proxies in front of figway produce from the client's. */
    readonly chain: (forged: string | undefined) => string | undefined;
    /** The client address figway must use. */
    readonly client: string;
  }

  const appended = (...hops: string[]) => (forged: string | undefined) => [forged, ...hops].filter(Boolean).join(', ');
  const CASES: TrustCase[] = [
    { trust: false, label: 'false (the default), client connecting directly', chain: (forged) => forged, client: '127.0.0.1' },
    { trust: 1, label: '1 hop, behind one proxy', chain: appended(REAL), client: REAL },
    { trust: 2, label: '2 hops, behind two proxies', chain: appended(REAL, '10.0.0.1'), client: REAL },
    { trust: 'loopback', label: "'loopback', behind a proxy on loopback", chain: appended(REAL), client: REAL },
    ...(OUTSIDE ? [{ trust: 'loopback', label: `'loopback', client connecting directly from ${OUTSIDE}`, from: OUTSIDE, chain: (forged: string | undefined) => forged, client: OUTSIDE }] : []),
    { trust: '127.0.0.1', label: "'127.0.0.1', behind a proxy there", chain: appended(REAL), client: REAL },
  ];

  describe.each(CASES)('trust proxy $label', (c) => {
    let gateway: Gateway;
    beforeAll(async () => {
      gateway = await gatewayWith(c.trust);
    });

    it.each(ADDRESS_FORGERIES)('counts and forwards the same client address whatever the client forged: %s', async (_name, forged) => {
      const { 'x-forwarded-for': forgedFor, ...others } = forged;
      const chain = c.chain(forgedFor);
      const headers = { ...others, ...(chain ? { 'x-forwarded-for': chain } : {}), ...IDENTITY_FORGERIES };
      const base = c.from ? `http://${c.from}:${gateway.port}` : gateway.url;
      const peer = c.from ?? '127.0.0.1';
      const { reply, seen, pk } = await send(base, '/api/me', headers);
      expect(reply.status).toBe(200);
      expect(pk).toBe(partitionKey(`ip:${c.client}`));
      expect(seen?.['x-real-ip']).toBe(c.client);
      expect(identityHeaders(seen)).toEqual({});
      const trusted = c.client !== peer;
      // From an untrusted peer nothing the client said survives; a trusted proxy's chain is extended
      // with it (and what else a trusted proxy sends is its own business, as the README says).
      expect(seen?.['x-forwarded-for']).toBe(trusted ? `${chain}, ${peer}` : peer);
      if (!trusted) {
        for (const name of ['true-client-ip', 'cf-connecting-ip', 'x-client-ip', 'fastly-client-ip', 'x-cluster-client-ip']) expect(seen?.[name], name).toBeUndefined();
        expect(seen?.forwarded).toBeUndefined();
        expect(seen?.['x-forwarded-proto']).toBe('http');
        expect(seen?.['x-forwarded-host']).toBe(new URL(base).host);
      }
      // The decision and the legacy side read the same address.
      const legacy = await send(base, '/api/legacy-me', headers);
      expect(legacy.pk).toBe(partitionKey(`ip:${c.client}`));
      expect(legacy.reply.json()).toMatchObject({ ip: c.client });
    });
  });

  describe('trust proxy true', () => {
    let gateway: Gateway;
    let logs: CapturedLogs;
    beforeAll(async () => {
      logs = captureLogs();
      gateway = await gatewayWith(true, logs);
    });

    it('follows Express (the leftmost X-Forwarded-For is the client) and says loudly that this lets anyone pick their rate-limit key', async () => {
      const { pk, seen } = await send(gateway.url, '/api/me', { 'x-forwarded-for': `${FORGED}, ${REAL}`, ...IDENTITY_FORGERIES });
      expect(pk).toBe(partitionKey(`ip:${FORGED}`));
      expect(identityHeaders(seen)).toEqual({});
      // express-rate-limit warns about this (ERR_ERL_PERMISSIVE_TRUST_PROXY) from its default key
      // generator only; figway generates its own keys, so it has to say it itself.
      const warned = () => logs.lines.some((line) => (line.level as number) >= 40 && /trust.?proxy/i.test(JSON.stringify(line)) && !/request (completed|errored)/.test(String(line.msg)));
      await expect.poll(warned, { timeout: 500 }).toBe(true);
    });

    it('ignores every other address header, as Express does', async () => {
      for (const [name, forged] of ADDRESS_FORGERIES.filter(([, h]) => h['x-forwarded-for'] === undefined)) {
        const { pk, seen } = await send(gateway.url, '/api/me', forged);
        expect(pk, name).toBe(partitionKey('ip:127.0.0.1'));
        expect(seen?.['x-real-ip'], name).toBe('127.0.0.1');
      }
    });
  });
});
