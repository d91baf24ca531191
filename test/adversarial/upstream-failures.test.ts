// Every way a service can fail (refused, unknown host, reset after headers, never answering, a
// huge response, a redirect to an internal address): a 502/504 in the configured error shape, no
// crash, no partial body presented as complete, bounded memory, and no redirect followed.
// (test/e2e/upstream-failures.test.ts covers connect timeouts, garbage, stalls and retries.)
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../helpers/listen.js';
import { rawService } from '../helpers/raw-service.js';
import { GATEWAY_SETUPS, startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { rawExchange } from './helpers/raw-client.js';
import { canForceGc, heapAfterGc, within } from './helpers/resources.js';

const ERRORS = { contentType: 'application/problem+json', body: { type: 'about:blank', title: '{message}', status: '{status}', code: '{code}' } };
const HUGE = 100 * 1024 * 1024;
const BLOCK = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919) % 251));

describe.each(GATEWAY_SETUPS)('upstream failures ($label)', ({ mode, engine }) => {
  let monolith: Monolith;
  const closers: (() => unknown)[] = [];
  let other: Listening;
  /** Every request the other service received. */
  const otherHits: string[] = [];
  let huge: Listening;

  beforeAll(async () => {
    const raw = async (onConnection: (socket: net.Socket) => void) => {
      const service = await rawService(onConnection);
      closers.push(() => service.close());
      return service.url;
    };
    const afterRequest = (reply: (socket: net.Socket) => void) => (socket: net.Socket) => socket.once('data', () => reply(socket));
    const resetChunked = await raw(afterRequest((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
      setTimeout(() => s.resetAndDestroy(), 30);
    }));
    const resetLength = await raw(afterRequest((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nhello');
      setTimeout(() => s.resetAndDestroy(), 30);
    }));
    const resetUntilClose = await raw(afterRequest((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nhello');
      setTimeout(() => s.resetAndDestroy(), 30);
    }));
    const endUntilClose = await raw(afterRequest((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nhello');
      setTimeout(() => s.end(' world'), 30);
    }));
    const resetBeforeHeaders = await raw(afterRequest((s) => s.resetAndDestroy()));
    const closeBeforeHeaders = await raw(afterRequest((s) => s.end()));
    const neverAnswers = await raw(() => {});
    // Accepts the connection but never reads: a large upload stalls in the socket buffers.
    const neverReads = await raw((s) => s.pause());
    const hugeHeaders = await raw(afterRequest((s) => s.end(`HTTP/1.1 200 OK\r\nX-Big: ${'h'.repeat(40 * 1024)}\r\nContent-Length: 2\r\n\r\nok`)));
    other = await listen((req, res) => {
      otherHits.push(req.url ?? '');
      res.end(`other ${req.url}`);
    });
    huge = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(HUGE) });
      let sent = 0;
      const pump = () => {
        while (sent < HUGE) {
          sent += BLOCK.length;
          if (!res.write(BLOCK)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const redirects = await listen((req, res) => {
      const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to') ?? '/';
      res.writeHead(302, { location: to.replace('SELF', `http://${req.headers.host}`).replace('OTHER', other.url) }).end();
    });
    const at = (id: string, upstream: string, extra: object = {}) => ({ id, match: { path: `/${id}` }, upstream, ...extra });
    monolith = await startMonolith(express, {
      config: {
        errors: ERRORS,
        defaults: { timeouts: { connect: '1500ms', response: '500ms', idle: '500ms' } },
        upstreams: { other: { url: other.url }, redirects: { url: redirects.url } },
        routes: [
          at('refused', 'http://127.0.0.1:1'),
          at('unknown-host', 'http://does-not-exist.invalid'),
          at('reset-chunked', resetChunked),
          at('reset-length', resetLength),
          at('reset-until-close', resetUntilClose),
          at('end-until-close', endUntilClose),
          at('reset-before-headers', resetBeforeHeaders),
          at('close-before-headers', closeBeforeHeaders),
          at('never-answers', neverAnswers),
          at('never-reads', neverReads),
          at('huge-headers', hugeHeaders),
          at('huge', huge.url, { timeouts: { idle: '5s' } }),
          at('redirects', 'redirects'),
          { id: 'other', match: { path: '/api/other' }, upstream: 'other', rewrite: { stripPrefix: '/api/other' } },
        ],
      },
    }, { mode, engine });
    closers.push(() => other.close(), () => huge.close(), () => redirects.close());
  });
  afterAll(async () => {
    await monolith.close();
    for (const close of closers) await close();
  });

  /** A figway error in the configured shape. */
  async function expectError(path: string, status: number, code: string, boundMs: number, options: Parameters<typeof request>[2] = {}): Promise<void> {
    const started = Date.now();
    const reply = await within(boundMs, request(monolith.url, path, options), path);
    expect(reply.status, path).toBe(status);
    expect(reply.headers['content-type'], path).toBe('application/problem+json');
    expect(reply.headers['x-figway-error'], path).toBe(code);
    expect(reply.json(), path).toEqual({ type: 'about:blank', title: expect.any(String), status, code });
    expect(Date.now() - started, path).toBeLessThan(boundMs);
  }

  it('answers 502 for a refused connection, an unknown host and a connection lost before any answer', async () => {
    await expectError('/refused', 502, 'FIGWAY_UPSTREAM_UNAVAILABLE', 2000);
    // .invalid never resolves (RFC 6761); without any DNS the lookup may instead run into the connect timeout.
    const unknown = await within(4000, request(monolith.url, '/unknown-host'), 'unknown host');
    expect([
      [502, 'FIGWAY_UPSTREAM_UNAVAILABLE'],
      [504, 'FIGWAY_UPSTREAM_CONNECT_TIMEOUT'],
    ]).toContainEqual([unknown.status, unknown.headers['x-figway-error']]);
    expect(unknown.json()).toMatchObject({ type: 'about:blank', code: unknown.headers['x-figway-error'] });
    expect(unknown.body).not.toMatch(/at .*\.js:\d+/);
    await expectError('/reset-before-headers', 502, 'FIGWAY_UPSTREAM_UNAVAILABLE', 2000);
    await expectError('/close-before-headers', 502, 'FIGWAY_UPSTREAM_UNAVAILABLE', 2000);
  });

  it('answers 502 for response headers larger than Node accepts', async () => {
    await expectError('/huge-headers', 502, 'FIGWAY_UPSTREAM_BAD_RESPONSE', 2000);
  });

  it('answers 504 when the service accepts the connection and never answers', async () => {
    await expectError('/never-answers', 504, 'FIGWAY_UPSTREAM_TIMEOUT', 2000);
    await expectError('/never-answers', 504, 'FIGWAY_UPSTREAM_TIMEOUT', 2000, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'small' });
  });

  it('answers 504, not a hang, when the service never reads a large upload', async () => {
    await expectError('/never-reads', 504, 'FIGWAY_UPSTREAM_TIMEOUT', 3000, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(16 * 1024 * 1024, 'u'),
    });
  });

  describe('a service that fails after its response started', () => {
    it.each([
      ['a chunked body', '/reset-chunked'],
      ['a Content-Length body', '/reset-length'],
      ['a body delimited by the connection closing', '/reset-until-close'],
    ])('cuts the client connection when %s is reset midway, never ending it as complete', async (_name, path) => {
      const exchange = await rawExchange(monolith.port, `GET ${path} HTTP/1.1\r\nHost: shop.example\r\n\r\n`, { timeoutMs: 2000 });
      expect(exchange.closed).toBe(true);
      expect(exchange.elapsed).toBeLessThan(2000);
      expect(exchange.responses).toHaveLength(1);
      const [response] = exchange.responses;
      expect(response?.status).toBe(200);
      expect(response?.body.toString()).toBe('hello');
      expect(response?.complete).toBe(false);
      // A chunked relay must not have sent its last chunk.
      expect(exchange.raw.toString('latin1')).not.toMatch(/\r\n0\r\n\r\n$/);
    });

    it('passes on a body delimited by a clean close as complete', async () => {
      const exchange = await rawExchange(monolith.port, `GET /end-until-close HTTP/1.1\r\nHost: shop.example\r\n\r\n`, { timeoutMs: 2000 });
      expect(exchange.responses.map((r) => [r.status, r.body.toString(), r.complete])).toEqual([[200, 'hello world', true]]);
    });
  });

  it(`streams a ${HUGE / 1024 / 1024} MB response through complete, with memory bounded`, async () => {
    const heapBefore = await heapAfterGc();
    let peakHeap = heapBefore;
    const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 20);
    const expected = createHash('sha256');
    for (let sent = 0; sent < HUGE; sent += BLOCK.length) expected.update(BLOCK);
    try {
      const { status, length, digest } = await within(
        30_000,
        new Promise<{ status: number; length: number; digest: string }>((resolve, reject) => {
          http
            .get(`${monolith.url}/huge`, { agent: false }, (res) => {
              const hash = createHash('sha256');
              let length = 0;
              res.on('data', (chunk: Buffer) => {
                length += chunk.length;
                hash.update(chunk);
              });
              res.on('end', () => resolve({ status: res.statusCode ?? 0, length, digest: hash.digest('hex') }));
              res.on('error', reject);
            })
            .on('error', reject);
        }),
        'huge response',
      );
      expect(status).toBe(200);
      expect(length).toBe(HUGE);
      expect(digest).toBe(expected.digest('hex'));
    } finally {
      clearInterval(sampler);
    }
    // Streamed, never buffered: the heap grows by a small fraction of the body at most (noisier without a forced GC).
    expect(peakHeap - heapBefore).toBeLessThan((canForceGc ? 40 : 80) * 1024 * 1024);
    expect((await heapAfterGc()) - heapBefore).toBeLessThan(10 * 1024 * 1024);
  });

  describe('a redirect to an internal address', () => {
    // figway is no redirect-following client (no request to wherever a service points), and it
    // rewrites only a Location that points at the route's own service; any other Location is the
    // service's to send, passed on as sent (SECURITY.md).
    const redirect = async (to: string) => {
      const hits = otherHits.length;
      const reply = await within(2000, request(monolith.url, `/redirects?to=${encodeURIComponent(to)}`, { headers: { host: 'shop.example' } }), to);
      expect(reply.status, to).toBe(302);
      expect(reply.body, to).toBe('');
      expect(otherHits.slice(hits), `figway followed ${to}`).toEqual([]);
      return reply.headers.location;
    };

    it('points a redirect to the service itself at the public path', async () => {
      expect(await redirect('SELF/redirects/next?x=1')).toBe('/redirects/next?x=1');
    });

    it('never follows a redirect to another service it knows, and passes it on unchanged', async () => {
      expect(await redirect('OTHER/7?x=1')).toBe(`${other.url}/7?x=1`);
    });

    it.each(['http://127.0.0.1:9/internal/admin', 'http://10.1.2.3:8080/login', 'http://169.254.169.254/latest/meta-data/', '//192.168.0.10/x', 'http://[::1]:8080/x'])(
      'never follows a redirect to %s, and passes it on unchanged',
      async (to) => {
        expect(await redirect(to)).toBe(to);
      },
    );
  });

  it('is still serving afterwards', async () => {
    const reply = await request(monolith.url, '/api/other/ping');
    expect(reply.body).toBe('other /ping');
  });
});
