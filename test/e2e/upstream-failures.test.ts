// Upstream trouble becomes a 502/504 in the configured shape, never a crash or a hung request.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import { startBlackhole, type Blackhole } from '../helpers/blackhole.js';
import { listen, type Listening } from '../helpers/listen.js';
import { rawService, type RawService } from '../helpers/raw-service.js';
import { GATEWAY_SETUPS, startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';

describe.each(GATEWAY_SETUPS)('upstream failures ($label)', ({ mode, engine }) => {
  let monolith: Monolith;
  let closed: { port: number };
  let blackhole: Blackhole;
  let silent: Listening;
  let slowBody: Listening;
  let garbage: RawService;
  let cutAfterHeaders: RawService;
  let stallAfterHeaders: RawService;
  let earlyStream: Listening;
  let flaky: RawService;
  const upstreamSaw: { downloadClosed?: boolean; uploadAborted?: boolean } = {};

  beforeAll(async () => {
    // Nothing listens on port 1; a port freed by a test server could be handed to the next one.
    closed = { port: 1 };
    blackhole = await startBlackhole();
    silent = await listen((req) => {
      // Reads the whole request, then never answers; notices when the client gives up.
      req.resume();
      req.on('aborted', () => (upstreamSaw.uploadAborted = true));
    });
    slowBody = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first chunk\n');
      const timer = setInterval(() => res.write('more\n'), 50);
      res.on('close', () => {
        clearInterval(timer);
        upstreamSaw.downloadClosed = true;
      });
    });
    garbage = await rawService((socket) => socket.once('data', () => socket.end('NOT HTTP AT ALL\r\n\r\n')));
    cutAfterHeaders = await rawService((socket) =>
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nonly part of it');
        setTimeout(() => socket.destroy(), 20);
      }),
    );
    stallAfterHeaders = await rawService((socket) =>
      socket.once('data', () => socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nthen silence')),
    );
    // Answers at once, before the request body is in, and keeps streaming for a second.
    earlyStream = await listen((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' });
      let sent = 0;
      const timer = setInterval(() => {
        sent += 1;
        if (sent === 10) {
          clearInterval(timer);
          res.end('done\n');
        } else res.write('tick\n');
      }, 100);
      res.on('close', () => clearInterval(timer));
    });
    // Keeps the first connection alive after one answer, then resets it when it is reused.
    flaky = await rawService((socket, index) => {
      let requests = 0;
      socket.on('data', () => {
        requests += 1;
        if (index === 0 && requests === 2) socket.resetAndDestroy();
        else socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: keep-alive\r\n\r\nconnection ${index}`);
      });
    });
    const at = (port: number) => `http://127.0.0.1:${port}`;
    monolith = await startMonolith(express, {
      config: {
        defaults: { timeouts: { connect: '300ms', response: 400 } },
        errors: { contentType: 'application/problem+json', body: { type: 'about:blank', title: '{message}', status: '{status}', code: '{code}' } },
        routes: [
          { id: 'refused', match: { path: '/refused' }, upstream: at(closed.port) },
          { id: 'blackhole', match: { path: '/blackhole' }, upstream: at(blackhole.port) },
          { id: 'silent', match: { path: '/silent' }, upstream: at(silent.port) },
          { id: 'slow-body', match: { path: '/slow-body' }, upstream: at(slowBody.port) },
          { id: 'garbage', match: { path: '/garbage' }, upstream: at(garbage.port) },
          { id: 'cut', match: { path: '/cut' }, upstream: at(cutAfterHeaders.port) },
          { id: 'early', match: { path: '/early' }, upstream: at(earlyStream.port), timeouts: { response: '300ms', idle: 0 } },
          { id: 'stall', match: { path: '/stall' }, upstream: at(stallAfterHeaders.port), timeouts: { idle: '300ms' } },
          { id: 'flaky', match: { path: '/flaky' }, upstream: at(flaky.port) },
        ],
      },
    }, { mode, engine });
  });
  afterAll(async () => {
    await monolith.close();
    blackhole.close();
    await silent.close();
    await slowBody.close();
    garbage.close();
    cutAfterHeaders.close();
    stallAfterHeaders.close();
    await earlyStream.close();
    flaky.close();
  });

  it('answers 502 when the service refuses the connection, in the configured error shape', async () => {
    const reply = await request(monolith.url, '/refused');
    expect(reply.status).toBe(502);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(reply.json()).toEqual({ type: 'about:blank', title: expect.stringContaining('ECONNREFUSED'), status: 502, code: 'FIGWAY_UPSTREAM_UNAVAILABLE' });
  });

  it('answers 504 when no connection opens within timeouts.connect', async () => {
    const started = Date.now();
    const reply = await request(monolith.url, '/blackhole');
    expect(reply.status).toBe(504);
    expect(reply.json()).toMatchObject({ code: 'FIGWAY_UPSTREAM_CONNECT_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('answers 504 when the service sends no headers within timeouts.response', async () => {
    const reply = await request(monolith.url, '/silent');
    expect(reply.status).toBe(504);
    expect(reply.json()).toMatchObject({ code: 'FIGWAY_UPSTREAM_TIMEOUT' });
  });

  it('answers 502 when the service speaks something that is not HTTP', async () => {
    const reply = await request(monolith.url, '/garbage');
    expect(reply.status).toBe(502);
    expect(reply.json()).toMatchObject({ code: 'FIGWAY_UPSTREAM_BAD_RESPONSE' });
  });

  it('cuts the client connection when the service dies mid-body, so a partial body is never taken as complete', async () => {
    await expect(request(monolith.url, '/cut')).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
    expect((await request(monolith.url, '/elsewhere')).json().service).toBe('legacy');
  });

  it('cuts the client connection when the service goes silent mid-body for longer than timeouts.idle', async () => {
    const started = Date.now();
    await expect(request(monolith.url, '/stall')).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('does not apply the response timeout to a response that started before the request body ended', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${monolith.url}/early`, { method: 'POST', headers: { 'content-type': 'text/plain' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.write('first part');
      setTimeout(() => req.end('last part'), 150);
    });
    expect(body.endsWith('done\n')).toBe(true);
    expect(body.split('tick').length - 1).toBe(9);
  });

  it('retries once, on a fresh connection, a GET whose reused keep-alive connection the service reset', async () => {
    expect((await request(monolith.url, '/flaky')).body).toBe('connection 0');
    const second = await request(monolith.url, '/flaky');
    expect(second.status).toBe(200);
    expect(second.body).toBe('connection 1');
  });

  it('closes the request to the service when the client goes away mid-download', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = http.get(`${monolith.url}/slow-body`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
      req.setTimeout(3000, () => reject(new Error('no first chunk')));
    });
    await expect.poll(() => upstreamSaw.downloadClosed, { timeout: 3000 }).toBe(true);
  });

  it('aborts the request to the service when the client goes away mid-upload', async () => {
    const req = http.request(`${monolith.url}/silent`, { method: 'POST', headers: { 'content-length': '100000' } });
    req.on('error', () => {});
    req.write('x'.repeat(1000));
    await new Promise((resolve) => setTimeout(resolve, 100));
    req.destroy();
    await expect.poll(() => upstreamSaw.uploadAborted, { timeout: 3000 }).toBe(true);
  });
});
