// The proxy conformance suite, part two: what both forwarding engines must do alike in both modes
// beyond the behaviours the e2e, adversarial, fallback and shadow suites (run over the same matrix) prove.
import { spawn, type ChildProcess } from 'node:child_process';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificates } from '../helpers/certificates.js';
import { listen, type Listening } from '../helpers/listen.js';
import { rawService, type RawService } from '../helpers/raw-service.js';
import { GATEWAY_SETUPS, startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';

const MB = 1024 * 1024;
const TRANSFER = 128 * MB;
// Loopback sockets and stream buffers on the way hold a few MB at most; a gateway that ignored
// backpressure would have taken the whole transfer by the time this bound is checked.
const BUFFERED_BOUND = 48 * MB;

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(GATEWAY_SETUPS)('proxy conformance ($label)', ({ mode, engine }) => {
  let monolith: Monolith;
  let echo: Listening;
  let processing: Listening;
  let bigHead: Listening;
  let slowReader: Listening & { received: number; release(): void };
  let firehose: Listening & { written: number };
  let pooled: Listening & { active: number; most: number; connections: Set<Socket> };

  beforeAll(async () => {
    echo = await listen((req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => res.setHeader('content-type', 'application/json').end(JSON.stringify({ headers: req.headers, bytes })));
    });
    processing = await listen((_req, res) => {
      res.writeProcessing();
      setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('the final answer'), 20);
    });
    bigHead = await listen((_req, res) => res.writeHead(200, { 'x-big': 'h'.repeat(12 * 1024) }).end('ok'));
    slowReader = await stoppingReader();
    firehose = await firehoseService();
    pooled = await countingService();
    monolith = await startMonolith(
      express,
      {
        registry: new Registry(),
        config: {
          upstreams: {
            pooled: { url: pooled.url, pool: { maxSockets: 2, idleTimeout: '300ms' } },
            firehose: { url: firehose.url, timeouts: { idle: '10s' } },
            slow: { url: slowReader.url, timeouts: { idle: '10s' } },
          },
          routes: [
            { id: 'echo', match: { path: '/echo' }, upstream: echo.url },
            { id: 'hints', match: { path: '/hints' }, upstream: processing.url },
            { id: 'big-head', match: { path: '/big-head' }, upstream: bigHead.url },
            { id: 'upload', match: { path: '/upload' }, upstream: 'slow' },
            { id: 'download', match: { path: '/download' }, upstream: 'firehose' },
            { id: 'pooled', match: { path: '/pooled' }, upstream: 'pooled' },
          ],
        },
      },
      { mode, engine },
    );
  });
  afterAll(async () => {
    await monolith.close();
    for (const service of [echo, processing, bigHead, slowReader, firehose, pooled]) await service.close();
  });

  it('holds an upload back while the service does not read, and delivers all of it once it does', async () => {
    let produced = 0;
    const source = Readable.from(
      (function* () {
        const block = Buffer.alloc(64 * 1024, 'u');
        for (let sent = 0; sent < TRANSFER; sent += block.length) {
          produced += block.length;
          yield block;
        }
      })(),
    );
    const reply = new Promise<string>((resolve, reject) => {
      const req = http.request(`${monolith.url}/upload`, { method: 'POST', agent: false, headers: { 'content-length': String(TRANSFER) } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      source.pipe(req);
    });
    await expect.poll(() => slowReader.received, { timeout: 3000 }).toBeGreaterThan(0);
    await wait(600);
    expect(produced).toBeLessThan(BUFFERED_BOUND);
    slowReader.release();
    expect(JSON.parse(await reply)).toEqual({ received: TRANSFER });
  });

  it('holds the service back while the client does not read a download, and delivers all of it once it does', async () => {
    const received = await new Promise<number>((resolve, reject) => {
      http
        .get(`${monolith.url}/download`, { agent: false }, (res) => {
          res.pause();
          setTimeout(() => {
            try {
              expect(firehose.written).toBeGreaterThan(0);
              expect(firehose.written).toBeLessThan(BUFFERED_BOUND);
            } catch (err) {
              reject(err);
              return;
            }
            let bytes = 0;
            res.on('data', (chunk: Buffer) => (bytes += chunk.length));
            res.on('end', () => resolve(bytes));
            res.resume();
          }, 600);
        })
        .on('error', reject);
    });
    expect(received).toBe(TRANSFER);
  });

  it('answers `Expect: 100-continue` itself and sends the body on without the expectation', async () => {
    const body = Buffer.alloc(50_000, 'e');
    const { continued, reply } = await new Promise<{ continued: boolean; reply: { headers: Record<string, string>; bytes: number } }>((resolve, reject) => {
      let continued = false;
      const req = http.request(`${monolith.url}/echo`, { method: 'PUT', agent: false, headers: { expect: '100-continue', 'content-length': String(body.length) } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ continued, reply: JSON.parse(text) }));
      });
      req.on('continue', () => {
        continued = true;
        req.end(body);
      });
      req.on('error', reject);
    });
    expect(continued).toBe(true);
    expect(reply.bytes).toBe(body.length);
    expect(reply.headers.expect).toBeUndefined();
  });

  it('passes the final response on after a 102 Processing from the service, and no 102 itself (103 Early Hints are passed on: protocol-edges.test.ts)', async () => {
    const informational: number[] = [];
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.get(`${monolith.url}/hints`, { agent: false }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('information', (info: { statusCode: number }) => informational.push(info.statusCode));
      req.on('error', reject);
    });
    expect({ status, body, informational }).toEqual({ status: 200, body: 'the final answer', informational: [] });
  });

  it('forwards request and response heads of 12 KB, under Node\'s 16 KB limit, intact', async () => {
    const headers = Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`x-large-${i}`, String(i).padEnd(250, 'v')]));
    const reply = await request(monolith.url, '/echo', { headers });
    expect(reply.status).toBe(200);
    expect(reply.json<{ headers: Record<string, string> }>().headers).toMatchObject(headers);
    const big = await request(monolith.url, '/big-head');
    expect(big.status).toBe(200);
    expect(big.headers['x-big']).toBe('h'.repeat(12 * 1024));
  });

  it('opens at most pool.maxSockets connections to a service, and closes them after pool.idleTimeout', async () => {
    const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => request(monolith.url, `/pooled/${i}`)));
    expect(replies.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(pooled.most).toBe(2);
    expect(pooled.connections.size).toBeLessThanOrEqual(2);
    await expect.poll(() => new Promise((resolve) => pooled.server.getConnections((_err, count) => resolve(count))), { timeout: 2000 }).toBe(0);
  });
});

describe.each(GATEWAY_SETUPS)('connections that end or fill up ($label)', ({ mode, engine }) => {
  let monolith: Monolith;
  let closing: RawService;
  let big: Listening & { open: number };
  let streams: Listening;
  let size = 0;

  beforeAll(async () => {
    // Answers Connection: close with a body of `size` bytes and ends the connection (FIN) at once.
    closing = await rawService((socket) =>
      socket.once('data', () => {
        socket.write(`HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: ${size}\r\n\r\n`);
        socket.end(Buffer.alloc(size, 'c'));
      }),
    );
    big = Object.assign(
      await listen((req, res) => {
        if (req.url !== '/big/stuck') return void res.end('small');
        big.open += 1;
        res.on('close', () => (big.open -= 1));
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const block = Buffer.alloc(64 * 1024, 'b');
        let sent = 0;
        const pump = () => {
          while (sent++ < 2000) if (!res.write(block)) return void res.once('drain', pump);
          res.end();
        };
        pump();
      }),
      { open: 0 },
    );
    streams = await listen((req, res) => {
      if (req.url !== '/streams/live') return void res.end('small');
      res.writeHead(200);
      const timer = setInterval(() => res.write('.'), 100);
      res.on('close', () => clearInterval(timer));
    });
    const limits = { idle: '500ms', response: '500ms' };
    monolith = await startMonolith(
      express,
      {
        registry: new Registry(),
        config: {
          upstreams: {
            closing: { url: closing.url, timeouts: { idle: '10s' } },
            big: { url: big.url, pool: { maxSockets: 2 }, timeouts: limits },
            streams: { url: streams.url, pool: { maxSockets: 2 }, timeouts: limits },
          },
          routes: [
            { id: 'closing', match: { path: '/closing' }, upstream: 'closing' },
            { id: 'big', match: { path: '/big' }, upstream: 'big' },
            { id: 'streams', match: { path: '/streams' }, upstream: 'streams' },
          ],
        },
      },
      { mode, engine },
    );
  });
  afterAll(async () => {
    await monolith.close();
    closing.close();
    await big.close();
    await streams.close();
  });

  // undici 7 asserts its parser is not paused when such a connection ends, and that assertion would
  // kill the process (nodejs/undici#5360); the pause must fall on the body's last bytes, hence the sweep.
  it('delivers every Connection: close response whole to a client that is slow to read, and keeps running', async () => {
    const complete: boolean[] = [];
    for (size = 3_500_000; size < 5_000_000; size += 64 * 1024 + 123) {
      complete.push(
        await new Promise<boolean>((resolve) => {
          let received = 0;
          const client = net.connect(monolith.port, '127.0.0.1', () => {
            client.write('GET /closing HTTP/1.1\r\nHost: shop.example\r\n\r\n');
            client.pause();
            setTimeout(() => client.resume(), 150);
          });
          client.on('data', (data: Buffer) => {
            received += data.length;
            if (received > size) client.destroy();
          });
          client.on('error', () => {});
          client.on('close', () => resolve(received > size));
          setTimeout(() => client.destroy(), 3000);
        }),
      );
    }
    expect(complete.every(Boolean)).toBe(true);
    expect((await request(monolith.url, '/elsewhere')).json().service).toBe('legacy');
  });

  it('cuts a response its client stopped reading after timeouts.idle, so it cannot hold a service connection for good', async () => {
    const stuck = [0, 1].map(() => {
      const client = net.connect(monolith.port, '127.0.0.1', () => {
        client.write('GET /big/stuck HTTP/1.1\r\nHost: shop.example\r\n\r\n');
        client.pause();
      });
      client.on('error', () => {});
      return client;
    });
    await expect.poll(() => big.open, { timeout: 2000 }).toBe(2);
    await expect.poll(() => big.open, { timeout: 3000 }).toBe(0);
    const reply = await request(monolith.url, '/big/small');
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 200, body: 'small' });
    for (const client of stuck) client.destroy();
  });

  it('answers 504 to a request that waits longer than timeouts.response for a connection of a full pool', async () => {
    const agent = new http.Agent({ keepAlive: false });
    const live = [0, 1].map(() => http.get(`${monolith.url}/streams/live`, { agent }, (res) => res.resume()).on('error', () => {}));
    await wait(300);
    const started = Date.now();
    const reply = await request(monolith.url, '/streams/small');
    expect(reply.status).toBe(504);
    expect(reply.json()).toMatchObject({ error: { code: 'FIGWAY_UPSTREAM_TIMEOUT', message: expect.stringContaining('no free connection') } });
    expect(Date.now() - started).toBeLessThan(2000);
    for (const stream of live) stream.destroy();
  });
});

describe.each(GATEWAY_SETUPS)('HTTPS services behind a private CA ($label)', ({ mode, engine }) => {
  let trusted: https.Server;
  let untrusted: https.Server;
  let untrustedRequests = 0;
  let gateway: ChildProcess;
  let url: string;

  beforeAll(async () => {
    const certificates = makeCertificates();
    trusted = https.createServer(certificates.trusted, (req, res) => res.end(`secure ${req.url}`));
    untrusted = https.createServer(certificates.untrusted, (_req, res) => {
      untrustedRequests += 1;
      res.end('should not be reached');
    });
    const portOf = async (server: https.Server) => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as AddressInfo).port;
    };
    const config = {
      proxy: { engine },
      routes: [
        { id: 'secure', match: { path: '/secure' }, upstream: `https://127.0.0.1:${await portOf(trusted)}` },
        { id: 'untrusted', match: { path: '/untrusted' }, upstream: `https://127.0.0.1:${await portOf(untrusted)}` },
      ],
    };
    // An upstream without tls settings trusts Node's store, which NODE_EXTRA_CA_CERTS extends for the whole process.
    gateway = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/gateway-process.mjs', import.meta.url)), mode, JSON.stringify(config)], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: certificates.caFile },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    url = await new Promise<string>((resolve, reject) => {
      gateway.stdout?.once('data', (data: Buffer) => resolve(data.toString().trim()));
      gateway.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
    });
  });
  afterAll(async () => {
    gateway.kill();
    for (const server of [trusted, untrusted]) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('proxies to a service whose certificate the trusted CA signed', async () => {
    const reply = await request(url, '/secure/7?x=1');
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 200, body: 'secure /secure/7?x=1' });
  });

  it('answers 502 for a certificate nobody trusts, and the service gets nothing', async () => {
    const reply = await request(url, '/untrusted');
    expect(reply.status).toBe(502);
    expect(reply.json()).toMatchObject({ error: { code: 'FIGWAY_UPSTREAM_TLS', message: expect.stringMatching(/self-signed/) } });
    expect(untrustedRequests).toBe(0);
  });
});

/** A service that reads the first bytes of an upload, then stops reading until released, and says how much it got. */
async function stoppingReader(): Promise<Listening & { received: number; release(): void }> {
  const state = { received: 0, release: () => {} };
  const listening = await listen((req: IncomingMessage, res: ServerResponse) => {
    req.once('data', (chunk: Buffer) => {
      state.received += chunk.length;
      req.pause();
      state.release = () => {
        req.on('data', (more: Buffer) => (state.received += more.length));
        req.resume();
      };
    });
    req.on('end', () => res.end(JSON.stringify({ received: state.received })));
  });
  return Object.assign(state, listening);
}

/** A service that streams TRANSFER bytes as fast as the connection takes them, counting what it wrote. */
async function firehoseService(): Promise<Listening & { written: number }> {
  const state = { written: 0 };
  const block = Buffer.alloc(64 * 1024, 'd');
  const listening = await listen((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(TRANSFER) });
    const pump = () => {
      while (state.written < TRANSFER) {
        state.written += block.length;
        if (!res.write(block)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  return Object.assign(state, listening);
}

/** A service that answers after 100 ms, counting requests in flight at once and the connections they came on. */
async function countingService(): Promise<Listening & { active: number; most: number; connections: Set<Socket> }> {
  const state = { active: 0, most: 0, connections: new Set<Socket>() };
  const listening = await listen((req, res) => {
    state.connections.add(req.socket);
    state.active += 1;
    state.most = Math.max(state.most, state.active);
    setTimeout(() => {
      state.active -= 1;
      res.end('ok');
    }, 100);
  });
  return Object.assign(state, listening);
}
