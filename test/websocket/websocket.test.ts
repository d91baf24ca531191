// WebSockets end to end, in both modes: a real ws client, figway's upgrade dispatcher, a real ws service.
import type { IncomingMessage } from 'node:http';
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { getContext } from '../../src/index.js';
import { listen, type Listening } from '../helpers/listen.js';
import { GATEWAY_MODES, startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { sign } from '../helpers/tokens.js';

const SECRET = 'websocket-test-secret-0123456789-abcdef';

/** A WebSocket service: echoes every message as `echo:<text>`, greets on open, closes with 4001 on "bye". */
async function startWsService(): Promise<Listening & { upgrades: IncomingMessage[]; closes: number[] }> {
  const listening = await listen((_req, res) => res.end('plain'));
  const upgrades: IncomingMessage[] = [];
  const closes: number[] = [];
  const wss = new WebSocketServer({ server: listening.server });
  wss.on('connection', (socket, req) => {
    upgrades.push(req);
    socket.send(`hello ${req.url}`);
    socket.on('message', (data) => {
      if (String(data) === 'bye') socket.close(4001, 'service says bye');
      else socket.send(`echo:${String(data)}`);
    });
    socket.on('close', (code) => closes.push(code));
  });
  return { ...listening, upgrades, closes };
}

/** Opens a WebSocket and collects its messages; resolves once open, rejects with the HTTP status when refused. */
function connect(url: string, headers: Record<string, string> = {}): Promise<{ socket: WebSocket; messages: string[]; next(): Promise<string>; closed: Promise<[number, string]> }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    const messages: string[] = [];
    const waiting: ((text: string) => void)[] = [];
    socket.on('message', (data) => {
      const waiter = waiting.shift();
      if (waiter) waiter(String(data));
      else messages.push(String(data));
    });
    const closed = new Promise<[number, string]>((done) => socket.on('close', (code, reason) => done([code, String(reason)])));
    const next = () => (messages.length > 0 ? Promise.resolve(messages.shift() as string) : new Promise<string>((done) => waiting.push(done)));
    socket.on('open', () => resolve({ socket, messages, next, closed }));
    socket.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk));
      res.on('end', () => reject(Object.assign(new Error(`refused with ${res.statusCode}`), { status: res.statusCode, body })));
    });
    socket.on('error', reject);
  });
}

describe.each(GATEWAY_MODES)('WebSockets (%s mode)', (mode) => {
  let service: Awaited<ReturnType<typeof startWsService>>;
  let monolith: Monolith;
  let ws: string;
  const registry = new Registry();
  const appSockets: { url: string | undefined; side: string | undefined }[] = [];

  beforeAll(async () => {
    service = await startWsService();
    monolith = await startMonolith(
      express,
      {
        registry,
        config: {
          auth: { jwt: { secret: SECRET } },
          limits: { global: { limit: 1000, window: '1m' } },
          routes: [
            { id: 'live', match: { path: '/api/live' }, upstream: service.url, auth: 'required' },
            { id: 'open', match: { path: '/api/open' }, upstream: service.url, limits: { limit: 2, window: '1m', key: ['ip'] } },
            { id: 'legacy-chat', match: { path: '/chat' }, upstream: service.url, rollout: { percent: 0 } },
            { id: 'gone', match: { path: '/api/gone' }, upstream: 'http://127.0.0.1:1' },
          ],
        },
      },
      { mode, after: (app, gateway) => app.get('/metrics', gateway.metricsHandler) },
    );
    // The app's own WebSocket server, added before figway's dispatcher: it keeps every upgrade figway leaves to it.
    const appWss = new WebSocketServer({ noServer: true });
    monolith.server.on('upgrade', (req: IncomingMessage, socket, head) => {
      appWss.handleUpgrade(req, socket, head, (client) => {
        appSockets.push({ url: req.url, side: getContext(req)?.decision?.side });
        client.send(`app ${req.url}`);
      });
    });
    monolith.gateway.upgrade(monolith.server);
    ws = monolith.url.replace('http:', 'ws:');
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
  });

  const token = () => sign(SECRET, { sub: 'u-7' });

  it('carries messages both ways, with the identity and forwarding headers HTTP requests get', async () => {
    const client = await connect(`${ws}/api/live/room-1?x=1`, { authorization: `Bearer ${await token()}`, 'x-user-id': 'forged' });
    expect(await client.next()).toBe('hello /api/live/room-1?x=1');
    client.socket.send('ping');
    expect(await client.next()).toBe('echo:ping');
    const seen = (service.upgrades.at(-1) as IncomingMessage).headers;
    expect(seen['x-user-id']).toBe('u-7');
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.host).toBe(new URL(service.url).host);
    client.socket.close();
    await client.closed;
  });

  it('refuses an upgrade without credentials with 401, in figway\'s error shape', async () => {
    const refused = await connect(`${ws}/api/live/room-1`).catch((err: { status: number; body: string }) => err);
    expect(refused).toMatchObject({ status: 401 });
    expect(JSON.parse((refused as { body: string }).body)).toMatchObject({ error: { code: 'FIGWAY_AUTH_REQUIRED' } });
  });

  it('applies rate limits to upgrades like requests', async () => {
    const first = await connect(`${ws}/api/open`);
    const second = await connect(`${ws}/api/open`);
    const third = await connect(`${ws}/api/open`).catch((err: { status: number }) => err);
    expect(third).toMatchObject({ status: 429 });
    first.socket.close();
    second.socket.close();
  });

  it('passes on the service closing the WebSocket, with its code and reason', async () => {
    const client = await connect(`${ws}/api/live/room-2`, { authorization: `Bearer ${await token()}` });
    await client.next();
    client.socket.send('bye');
    expect(await client.closed).toEqual([4001, 'service says bye']);
  });

  it('passes on the client closing the WebSocket', async () => {
    const client = await connect(`${ws}/api/live/room-3`, { authorization: `Bearer ${await token()}` });
    await client.next();
    const before = service.closes.length;
    client.socket.close(1000, 'done');
    await client.closed;
    await expect.poll(() => service.closes.slice(before)).toEqual([1000]);
  });

  it('answers 502 when the service cannot be reached', async () => {
    expect(await connect(`${ws}/api/gone`).catch((err: { status: number }) => err)).toMatchObject({ status: 502 });
  });

  it('leaves unmatched and legacy-decided upgrades to the app\'s own upgrade handlers, with the decision on them', async () => {
    const unmatched = await connect(`${ws}/elsewhere`);
    expect(await unmatched.next()).toBe('app /elsewhere');
    const legacy = await connect(`${ws}/chat/room`);
    expect(await legacy.next()).toBe('app /chat/room');
    expect(appSockets).toEqual([
      { url: '/elsewhere', side: undefined },
      { url: '/chat/room', side: 'legacy' },
    ]);
    unmatched.socket.close();
    legacy.socket.close();
  });

  it('counts a proxied WebSocket once, as a 101, when its handshake completes', async () => {
    const client = await connect(`${ws}/api/live/room-4`, { authorization: `Bearer ${await token()}` });
    await client.next();
    const text = (await request(monolith.url, '/metrics')).body;
    expect(text).toMatch(/figway_requests_total\{route="live",target="service",method="GET",status_class="1xx"\} [1-9]/);
    client.socket.close();
  });
});

describe('an upgrade the app has no handler for', () => {
  let monolith: Monolith;
  beforeAll(async () => {
    monolith = await startMonolith(express, { config: { routes: [{ id: 'none', match: { path: '/api/none' }, upstream: 'http://127.0.0.1:1', rollout: { percent: 0 } }] } });
    monolith.gateway.upgrade(monolith.server);
  });
  afterAll(() => monolith.close());

  it('is served as the plain HTTP request Node would have made of it', async () => {
    const refused = await connect(`${monolith.url.replace('http:', 'ws:')}/api/none/x`).catch((err: { status: number; body: string }) => err);
    expect(refused).toMatchObject({ status: 200 });
    expect(JSON.parse((refused as { body: string }).body)).toMatchObject({ service: 'legacy', url: '/api/none/x' });
  });
});

describe('an app WebSocket server attached to the server after figway', () => {
  let monolith: Monolith;
  beforeAll(async () => {
    monolith = await startMonolith(express, { config: { routes: [{ id: 'gone', match: { path: '/api/gone' }, upstream: 'http://127.0.0.1:1' }] } });
    monolith.gateway.upgrade(monolith.server);
    // ws in server mode answers 400 to any upgrade not on its path: figway must keep the ones it takes away from it.
    new WebSocketServer({ server: monolith.server, path: '/late' }).on('connection', (client) => client.send('late'));
  });
  afterAll(() => monolith.close());

  it('gets the upgrades figway leaves to it, and not the ones figway takes', async () => {
    const ws = monolith.url.replace('http:', 'ws:');
    const late = await connect(`${ws}/late`);
    expect(await late.next()).toBe('late');
    expect(await connect(`${ws}/api/gone`).catch((err: { status: number }) => err)).toMatchObject({ status: 502 });
    late.socket.close();
    await late.closed;
  });
});
