// One JSON line per routed request: decision, upstream, ids; credentials redacted; sampling; off switch.
import { spawn } from 'node:child_process';
import http from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs, type CapturedLogs } from '../helpers/log-capture.js';
import { GATEWAY_SETUPS, startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

describe('request logs', () => {
  let service: Upstream;
  let monolith: Monolith;
  let logs: CapturedLogs;
  let roll = 0.5;

  beforeAll(async () => {
    service = await startUpstream('orders', (req, res) => {
      if (req.url?.startsWith('/api/stream') || req.url?.startsWith('/api/loud')) {
        // Half a download, then nothing: the client gives up.
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100000' });
        res.write('x'.repeat(1000));
        return;
      }
      if (req.url?.startsWith('/api/orders/cut')) {
        res.writeHead(200, { 'content-length': '100000' });
        res.write('x'.repeat(1000), () => res.destroy());
        return;
      }
      res.setHeader('set-cookie', 'session=secret-session; Path=/');
      res.end('{}');
    });
    logs = captureLogs();
    monolith = await startMonolith(express, {
      logger: logs.logger,
      random: () => roll,
      config: {
        plugins: { logging: { headers: true, redactHeaders: ['x-session-token'], redactQuery: ['ticket'] } },
        routes: [
          { id: 'orders', match: { path: '/api/orders' }, upstream: service.url, rollout: { percent: 50, sticky: ['header:x-user-id'] } },
          { id: 'broken', match: { path: '/api/broken' }, upstream: 'http://127.0.0.1:1' },
          { id: 'sampled', match: { path: '/api/sampled' }, upstream: service.url, plugins: { logging: { sample: 0.25 } } },
          { id: 'quiet', match: { path: '/api/quiet' }, upstream: service.url, plugins: { logging: false } },
          { id: 'stream', match: { path: '/api/stream' }, upstream: service.url },
          { id: 'stream-loud', match: { path: '/api/loud' }, upstream: service.url, plugins: { logging: { clientClosedLevel: 'warn' } } },
        ],
      },
    });
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
  });

  const lineFor = async (path: string) => {
    await expect.poll(() => logs.lines.some((line) => (line.req as { url?: string } | undefined)?.url?.startsWith(path))).toBe(true);
    return logs.lines.find((line) => (line.req as { url?: string } | undefined)?.url?.startsWith(path)) as Record<string, unknown>;
  };

  it('writes the route, side, decision, upstream and ids of a proxied request', async () => {
    // 'alice' is in the lower half of the orders buckets (bucketOf('orders', 'alice') = 1609).
    await request(monolith.url, '/api/orders/1', { headers: { 'x-user-id': 'alice', 'x-request-id': 'req-123' } });
    const line = await lineFor('/api/orders/1');
    expect(line).toMatchObject({
      level: 30,
      requestId: 'req-123',
      req: { id: 'req-123' },
      route: 'orders',
      target: 'service',
      reason: 'bucket',
      bucket: 1609,
      stickyKey: 'header:x-user-id',
      upstream: new URL(service.url).host,
      upstreamStatus: 200,
      res: { statusCode: 200 },
    });
    expect(line.upstreamLatencyMs).toEqual(expect.any(Number));
    expect(line.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(line.responseTime).toEqual(expect.any(Number));
  });

  it('writes legacy-side decisions too', async () => {
    await request(monolith.url, '/api/orders/2', { headers: { 'x-user-id': 'bob' } });
    expect(await lineFor('/api/orders/2')).toMatchObject({ route: 'orders', target: 'legacy', reason: 'bucket', bucket: 7982 });
  });

  it('never writes credentials: auth headers, cookies, API keys, token-like query parameters', async () => {
    await request(monolith.url, '/api/orders/3?access_token=tok1&page=2&api_key=k&ticket=t9&code=c', {
      headers: { authorization: 'Bearer tok2', cookie: 'sid=tok3', 'x-api-key': 'tok4', 'x-session-token': 'tok5', 'x-user-id': 'alice' },
    });
    const line = await lineFor('/api/orders/3');
    const text = logs.raw.find((raw) => raw.includes('/api/orders/3')) as string;
    for (const secret of ['tok1', 'tok2', 'tok3', 'tok4', 'tok5', 't9', 'secret-session']) expect(text).not.toContain(secret);
    expect((line.req as { url: string }).url).toBe('/api/orders/3?access_token=[Redacted]&page=2&api_key=[Redacted]&ticket=[Redacted]&code=[Redacted]');
    expect((line.req as { headers: Record<string, string> }).headers.authorization).toBe('[Redacted]');
    expect((line.res as { setCookie: string }).setCookie).toBe('[Redacted]');
  });

  it('logs an upstream failure as an error with its figway code, and no stack trace', async () => {
    await request(monolith.url, '/api/broken');
    const line = await lineFor('/api/broken');
    expect(line).toMatchObject({ level: 50, route: 'broken', target: 'service', res: { statusCode: 502 }, error: { code: 'FIGWAY_UPSTREAM_UNAVAILABLE' } });
    expect(line.err).toBeUndefined();
  });

  it('logs a client that went away mid-download at info (or the level set), not as an error; a service that broke off stays an error', async () => {
    const abandon = (path: string) =>
      new Promise<void>((resolve) => {
        const req = http.get(`${monolith.url}${path}`, (res) => res.once('data', () => req.destroy()));
        req.on('close', () => resolve());
        req.on('error', () => undefined);
      });
    await abandon('/api/stream');
    expect(await lineFor('/api/stream')).toMatchObject({ level: 30, msg: 'request aborted by the client', route: 'stream', error: { code: 'CLIENT_CLOSED' } });
    await abandon('/api/loud');
    expect(await lineFor('/api/loud')).toMatchObject({ level: 40, msg: 'request aborted by the client' });
    await expect(request(monolith.url, '/api/orders/cut', { headers: { 'x-user-id': 'alice' } })).rejects.toThrow();
    expect(await lineFor('/api/orders/cut')).toMatchObject({ level: 50, msg: 'request errored', target: 'service' });
  });

  it('samples successful requests with the injected randomness', async () => {
    roll = 0.9;
    await request(monolith.url, '/api/sampled/skipped');
    roll = 0.1;
    await request(monolith.url, '/api/sampled/kept');
    await lineFor('/api/sampled/kept');
    expect(logs.lines.some((line) => (line.req as { url: string }).url === '/api/sampled/skipped')).toBe(false);
    roll = 0.5;
  });

  it('writes no request headers unless asked to, and only the ones named', async () => {
    const picky = await startMonolith(express, {
      logger: logs.logger,
      config: {
        routes: [
          { id: 'lean', match: { path: '/lean' }, upstream: service.url },
          { id: 'picked', match: { path: '/picked' }, upstream: service.url, plugins: { logging: { headers: ['user-agent', 'authorization'] } } },
        ],
      },
    });
    await request(picky.url, '/lean', { headers: { 'user-agent': 'probe' } });
    await request(picky.url, '/picked', { headers: { 'user-agent': 'probe', authorization: 'Bearer tok6', accept: 'text/plain' } });
    expect((await lineFor('/lean')).req).toEqual({ id: expect.any(String), method: 'GET', url: '/lean' });
    expect(((await lineFor('/picked')).req as { headers: unknown }).headers).toEqual({ 'user-agent': 'probe', authorization: '[Redacted]' });
    await picky.close();
  });

  it('can be switched off per route', async () => {
    await request(monolith.url, '/api/quiet');
    await request(monolith.url, '/api/orders/after-quiet', { headers: { 'x-user-id': 'alice' } });
    await lineFor('/api/orders/after-quiet');
    expect(logs.lines.some((line) => (line.req as { url: string }).url === '/api/quiet')).toBe(false);
  });
});

describe('the default logger (no app logger given)', () => {
  const LOGGING = new URL('../../dist/observe/logging.js', import.meta.url).href;
  // A process that logs one line with figway's default logger, then stays `lingerMs` before exiting.
  const logOnce = (lingerMs: number) =>
    spawn(process.execPath, ['--input-type=module', '-e', `import { defaultLogger } from '${LOGGING}'; defaultLogger().info({ n: 1 }, 'one line'); setTimeout(() => {}, ${lingerMs});`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  const firstLine = (child: ReturnType<typeof logOnce>) =>
    new Promise<{ line: Record<string, unknown>; exited: boolean }>((resolve, reject) => {
      let out = '';
      let exited = false;
      child.once('exit', () => (exited = true));
      child.stdout.on('data', (data: Buffer) => {
        out += data.toString();
        if (out.includes('\n')) resolve({ line: JSON.parse(out.split('\n')[0] as string) as Record<string, unknown>, exited });
      });
      child.stdout.once('end', () => (out.includes('\n') ? undefined : reject(new Error('no line was written'))));
    });

  it('writes a batched line within a second or so, while the process runs on', async () => {
    const child = logOnce(10_000);
    try {
      const { line, exited } = await firstLine(child);
      expect(line).toMatchObject({ n: 1, msg: 'one line' });
      expect(exited).toBe(false);
    } finally {
      child.kill();
    }
  });

  it('writes what it holds when the process exits', async () => {
    const { line } = await firstLine(logOnce(0));
    expect(line).toMatchObject({ n: 1, msg: 'one line' });
  });
});

describe.each(GATEWAY_SETUPS)('a client that leaves mid-download ($label)', ({ mode, engine }) => {
  it('is logged at info as aborted by the client, not as an error', async () => {
    const service = await startUpstream('stream', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100000' });
      res.write('x'.repeat(1000));
    });
    const logs = captureLogs();
    const monolith = await startMonolith(express, { logger: logs.logger, config: { routes: [{ id: 'stream', match: { path: '/api/stream' }, upstream: service.url }] } }, { mode, engine });
    try {
      await new Promise<void>((resolve) => {
        const req = http.get(`${monolith.url}/api/stream`, (res) => res.once('data', () => req.destroy()));
        req.on('close', () => resolve());
        req.on('error', () => undefined);
      });
      await expect.poll(() => logs.lines.find((line) => line.route === 'stream')).toMatchObject({ level: 30, msg: 'request aborted by the client', error: { code: 'CLIENT_CLOSED' } });
    } finally {
      await monolith.close();
      await service.close();
    }
  });
});
