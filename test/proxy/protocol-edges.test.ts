// Protocol edges a service may use: 103 Early Hints before its answer, and trailers after its body.
import express from 'express';
import http, { type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../helpers/listen.js';
import { GATEWAY_SETUPS, startMonolith, type Monolith } from '../helpers/monolith.js';

const LINK = '</style.css>; rel=preload; as=style';

interface Exchange {
  readonly status: number;
  readonly hints: IncomingHttpHeaders[];
  readonly body: string;
  readonly trailers: Record<string, string | undefined>;
}

/** A request through figway, with the 1xx answers and the trailers the client got. */
function call(base: string, path: string, headers: Record<string, string> = {}): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const hints: IncomingHttpHeaders[] = [];
    const req = http.get(`${base}${path}`, { headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, hints, body, trailers: res.trailers }));
    });
    req.on('information', (info) => hints.push(info.headers));
    req.on('error', reject);
  });
}

describe.each(GATEWAY_SETUPS)('103 Early Hints and trailers ($label)', ({ mode, engine }) => {
  let service: Listening;
  let monolith: Monolith;
  const seenTe: unknown[] = [];

  beforeAll(async () => {
    service = await listen((req, res) => {
      seenTe.push(req.headers.te);
      req.resume();
      if (req.url?.startsWith('/hints')) {
        res.writeEarlyHints({ link: LINK, 'x-hint': 'warm' });
        setTimeout(() => res.end('final'), 20);
        return;
      }
      res.setHeader('trailer', 'x-checksum');
      res.write('part one, ');
      res.addTrailers({ 'x-checksum': 'sha256=abc', 'server-timing': 'db;dur=53' });
      res.end('part two');
    });
    monolith = await startMonolith(
      express,
      {
        config: {
          routes: [
            { id: 'plain', match: { path: '/hints' }, upstream: service.url },
            { id: 'trailers', match: { path: '/trailers' }, upstream: service.url },
            // A route whose statuses may fall back: figway holds the head until it has seen the status.
            { id: 'guarded', match: { path: '/guarded' }, upstream: service.url, fallback: { on: [503] } },
          ],
        },
      },
      { mode, engine },
    );
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
  });

  it('passes the service\'s 103 Early Hints to the client before the final response', async () => {
    const answer = await call(monolith.url, '/hints/1');
    expect(answer).toMatchObject({ status: 200, body: 'final' });
    expect(answer.hints).toHaveLength(1);
    expect(answer.hints[0]).toMatchObject({ link: LINK, 'x-hint': 'warm' });
  });

  it('passes TE: trailers on and the trailers back to a client that asked for them', async () => {
    for (const path of ['/trailers/1', '/guarded/1']) {
      const answer = await call(monolith.url, path, { te: 'trailers' });
      expect(seenTe.at(-1)).toBe('trailers');
      expect(answer).toMatchObject({ status: 200, body: 'part one, part two' });
      expect(answer.trailers).toEqual({ 'x-checksum': 'sha256=abc', 'server-timing': 'db;dur=53' });
    }
  });

  it('sends no trailers to a client that did not ask, nor TE to the service', async () => {
    const answer = await call(monolith.url, '/trailers/2');
    expect(seenTe.at(-1)).toBeUndefined();
    expect(answer).toMatchObject({ status: 200, body: 'part one, part two', trailers: {} });
  });
});
