// Oversized headers and bodies, slow clients (slowloris headers and bodies), and clients that give
// up mid-upload or mid-download: every request settles within a bound, figway adds no hang of its
// own to the server's timeouts, and no socket is left behind on either side.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { figway } from '../../src/index.js';
import type { FigwayMiddleware } from '../../src/types.js';
import { listen, type Listening } from '../helpers/listen.js';
import { GATEWAY_SETUPS, quietLogger } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { rawExchange } from './helpers/raw-client.js';
import { settleTcpHandles, tcpHandles, within } from './helpers/resources.js';

const HEADERS_TIMEOUT = 600;
const REQUEST_TIMEOUT = 1500;
/** How late past a server timeout a slow client may still be answered (the server checks every 100 ms). */
const SLACK = 700;

/** What the service saw of each request: completed, or cut off before its end. */
interface ServiceLog {
  completed: number;
  cut: number;
  downloadsClosed: number;
}

function serviceHandler(log: ServiceLog) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.url?.startsWith('/api/download')) {
      // Streams until the reader goes away.
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const piece = Buffer.alloc(16 * 1024, 'x');
      const timer = setInterval(() => res.write(piece), 10);
      res.on('close', () => {
        clearInterval(timer);
        log.downloadsClosed += 1;
      });
      return;
    }
    let size = 0;
    req.on('data', (chunk: Buffer) => (size += chunk.length));
    req.on('end', () => {
      log.completed += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ service: 'service', received: size }));
    });
    req.on('aborted', () => (log.cut += 1));
  };
}

describe.each(GATEWAY_SETUPS)('oversized and slow requests ($label)', ({ mode, engine }) => {
  // The app's body parser runs before figway only in middleware mode; server mode streams every body it proxies.
  const parsesFirst = mode === 'middleware';
  const log: ServiceLog = { completed: 0, cut: 0, downloadsClosed: 0 };
  let service: Listening;
  let server: http.Server;
  let gateway: FigwayMiddleware;
  let port: number;
  let base: string;

  beforeAll(async () => {
    service = await listen(serviceHandler(log));
    const app = express();
    app.use(express.json({ limit: '1mb' }));
    gateway = figway({
      logger: quietLogger,
      registry: new Registry(),
      config: {
        proxy: { replayBodyLimit: '64kb', engine },
        // Idle pooled connections close quickly, so the socket count after a test is exact.
        upstreams: { service: { url: service.url, pool: { idleTimeout: '200ms' } } },
        routes: [{ id: 'api', match: { path: '/api' }, upstream: 'service' }],
      },
    });
    if (mode === 'middleware') app.use(gateway);
    app.use((_req, res) => void res.json({ service: 'legacy' }));
    server = http.createServer({ headersTimeout: HEADERS_TIMEOUT, requestTimeout: REQUEST_TIMEOUT, connectionsCheckingInterval: 100 }, mode === 'server' ? gateway.wrap(app) : app);
    const listening = await listen(server);
    port = listening.port;
    base = listening.url;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await gateway.close();
    await service.close();
  });

  /** TCP handles once everything from earlier tests has closed. */
  async function baseline(): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return settleTcpHandles(0, 500);
  }

  async function expectNoLeak(before: number): Promise<void> {
    // Pooled upstream connections close after their 200 ms idle timeout; nothing else may stay.
    expect(await settleTcpHandles(before, 3000)).toBeLessThanOrEqual(before);
    expect(await new Promise((resolve) => server.getConnections((_err, count) => resolve(count)))).toBe(0);
    expect(await new Promise((resolve) => service.server.getConnections((_err, count) => resolve(count)))).toBe(0);
  }

  describe('oversized', () => {
    it('answers 431 itself (Node, maxHeaderSize) to headers larger than 16 KB, and sends nothing on', async () => {
      const before = log.completed;
      const big = await rawExchange(port, `GET /api/x HTTP/1.1\r\nHost: shop.example\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
      expect(big.responses.map((r) => r.status)).toEqual([431]);
      const many = Array.from({ length: 400 }, (_, i) => `X-Header-${i}: ${'b'.repeat(40)}\r\n`).join('');
      const lots = await rawExchange(port, `GET /api/x HTTP/1.1\r\nHost: shop.example\r\n${many}\r\n`);
      expect(lots.responses.map((r) => r.status)).toEqual([431]);
      expect(log.completed).toBe(before);
    });

    it.runIf(parsesFirst)('refuses with 413 a parsed body larger than proxy.replayBodyLimit, chunked or not, and sends nothing on', async () => {
      const before = log.completed;
      const body = JSON.stringify({ blob: 'x'.repeat(100 * 1024) });
      const plain = await within(3000, request(base, '/api/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body }), 'plain');
      expect(plain.status).toBe(413);
      expect(plain.json()).toMatchObject({ error: { code: 'FIGWAY_REQUEST_BODY_TOO_LARGE', status: 413 } });
      const chunked = await within(
        3000,
        request(base, '/api/orders', { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body }),
        'chunked',
      );
      expect(chunked.status).toBe(413);
      expect(chunked.headers['x-figway-error']).toBe('FIGWAY_REQUEST_BODY_TOO_LARGE');
      expect(log.completed).toBe(before);
    });

    it.runIf(parsesFirst)('leaves a body larger than the parser allows to the parser (the app\'s 413), and sends nothing on', async () => {
      const before = log.completed;
      const reply = await within(5000, request(base, '/api/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: `"${'x'.repeat(1_100_000)}"` }), 'too large');
      expect(reply.status).toBe(413);
      expect(log.completed).toBe(before);
    });

    it('forwards a body just under proxy.replayBodyLimit byte for byte', async () => {
      const body = JSON.stringify({ blob: 'y'.repeat(60 * 1024) });
      const reply = await request(base, '/api/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(reply.json()).toEqual({ service: 'service', received: Buffer.byteLength(body) });
    });
  });

  describe('slow clients', () => {
    it('lets the server\'s headersTimeout close slowloris connections on time, and sends nothing on', async () => {
      const before = await baseline();
      const completed = log.completed;
      const started = Date.now();
      const exchanges = await Promise.all(
        Array.from({ length: 20 }, () =>
          rawExchange(port, ['GET /api/slow HTTP/1.1\r\nHost: shop.example\r\n', ...Array.from({ length: 20 }, (_, i) => `X-${i}: ${i}\r\n`)], {
            gapMs: 100,
            timeoutMs: HEADERS_TIMEOUT + SLACK * 2,
          }),
        ),
      );
      for (const exchange of exchanges) {
        expect(exchange.closed).toBe(true);
        expect(exchange.elapsed).toBeLessThan(HEADERS_TIMEOUT + SLACK);
        expect(exchange.responses.map((r) => r.status)).toEqual([408]);
      }
      expect(Date.now() - started).toBeLessThan(HEADERS_TIMEOUT + SLACK * 2);
      expect(log.completed).toBe(completed);
      expect((await request(base, '/api/after-slowloris')).status).toBe(200);
      await expectNoLeak(before);
    });

    it('lets the server\'s requestTimeout cut bodies that trickle in, cancels their requests to the service, and sends nothing for a parser still waiting', async () => {
      const before = await baseline();
      const { completed, cut } = log;
      const started = Date.now();
      const streamed = 'POST /api/upload HTTP/1.1\r\nHost: shop.example\r\nContent-Type: application/octet-stream\r\nContent-Length: 10000\r\n\r\n';
      const parsed = 'POST /api/orders HTTP/1.1\r\nHost: shop.example\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":"';
      const trickle = (head: string) => rawExchange(port, [head, ...Array.from({ length: 40 }, () => 'z'.repeat(10))], { gapMs: 100, timeoutMs: REQUEST_TIMEOUT + SLACK * 2 });
      const exchanges = await Promise.all([...Array.from({ length: 10 }, () => trickle(streamed)), ...Array.from({ length: 3 }, () => trickle(parsed))]);
      for (const exchange of exchanges) {
        expect(exchange.closed).toBe(true);
        expect(exchange.elapsed).toBeLessThan(REQUEST_TIMEOUT + SLACK);
        expect(exchange.responses.filter((r) => r.status === 200)).toEqual([]);
      }
      expect(Date.now() - started).toBeLessThan(REQUEST_TIMEOUT + SLACK * 2);
      expect(log.completed).toBe(completed);
      // The streamed bodies had reached the service (in server mode the parser's too); each of those requests was cut there too.
      await expect.poll(() => log.cut - cut, { timeout: 2000 }).toBe(parsesFirst ? 10 : 13);
      await expectNoLeak(before);
    });
  });

  describe('clients that give up', () => {
    it('cancels the request to the service for every client that aborts mid-upload, and leaks no socket', async () => {
      const before = await baseline();
      const { completed, cut } = log;
      const aborted = await within(
        5000,
        Promise.all(
          Array.from(
            { length: 20 },
            () =>
              new Promise<void>((resolve) => {
                const req = http.request(`${base}/api/upload`, { method: 'POST', agent: false, headers: { 'content-type': 'application/octet-stream', 'content-length': String(1024 * 1024) } });
                req.on('error', () => resolve());
                req.on('close', () => resolve());
                req.write(Buffer.alloc(64 * 1024, 'u'));
                setTimeout(() => req.destroy(), 50);
              }),
          ),
        ),
        'aborted uploads',
      );
      expect(aborted).toHaveLength(20);
      await expect.poll(() => log.cut - cut, { timeout: 3000 }).toBe(20);
      expect(log.completed).toBe(completed);
      await expectNoLeak(before);
    });

    it('closes the download from the service for every client that aborts mid-download, and leaks no socket', async () => {
      const before = await baseline();
      const closed = log.downloadsClosed;
      await within(
        5000,
        Promise.all(
          Array.from(
            { length: 20 },
            () =>
              new Promise<void>((resolve, reject) => {
                const req = http.get(`${base}/api/download`, { agent: false }, (res) => {
                  let received = 0;
                  res.on('data', (chunk: Buffer) => {
                    received += chunk.length;
                    if (received > 64 * 1024) req.destroy();
                  });
                });
                req.on('error', () => {});
                req.on('close', () => resolve());
                req.setTimeout(4000, () => reject(new Error('no data')));
              }),
          ),
        ),
        'aborted downloads',
      );
      await expect.poll(() => log.downloadsClosed - closed, { timeout: 3000 }).toBe(20);
      await expectNoLeak(before);
    });

    it('settles every one of a mix of normal, aborted and slow requests, and leaks no socket', async () => {
      const before = await baseline();
      const outcomes = await within(
        REQUEST_TIMEOUT + SLACK * 2,
        Promise.allSettled([
          ...Array.from({ length: 20 }, (_, i) => request(base, `/api/item/${i}`).then((r) => r.status)),
          ...Array.from({ length: 5 }, () => rawExchange(port, 'POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nhalf', { timeoutMs: 300 }).then(() => 'gave up')),
          ...Array.from({ length: 5 }, () =>
            rawExchange(port, ['GET /api/slow HTTP/1.1\r\n', 'Host: x\r\n', 'X-A: 1\r\n', 'X-B: 2\r\n', 'X-C: 3\r\n', 'X-D: 4\r\n', 'X-E: 5\r\n', 'X-F: 6\r\n', 'X-G: 7\r\n', 'X-H: 8\r\n', 'X-I: 9\r\n', 'X-J: 10\r\n', 'X-K: 11\r\n', 'X-L: 12\r\n', 'X-M: 13\r\n'], {
              gapMs: 100,
              timeoutMs: HEADERS_TIMEOUT + SLACK * 2,
            }).then((r) => r.responses.map((x) => x.status).join()),
          ),
        ]),
        'mixed requests',
      );
      expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : o.reason))).toEqual([...Array(20).fill(200), ...Array(5).fill('gave up'), ...Array(5).fill('408')]);
      await expectNoLeak(before);
    });
  });

  it('answers normally afterwards', async () => {
    const before = tcpHandles();
    expect((await request(base, '/api/final')).json()).toEqual({ service: 'service', received: 0 });
    expect(await settleTcpHandles(before + 2, 1000)).toBeLessThanOrEqual(before + 2);
  });
});
