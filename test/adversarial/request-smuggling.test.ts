// Request smuggling over raw sockets (node-http-proxy #1720 and friends): a request whose framing
// two servers could read differently is refused (Node's parser answers 400 itself for most,
// figway with FIGWAY_REQUEST_BAD_FRAMING for the codings Node lets through, as llhttp does on
// Node 20), and anything figway does forward reaches the service as exactly one request with plain
// framing, counted on a raw upstream socket that sees every byte figway sent.
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_SETUPS, startMonolith, type Monolith } from '../helpers/monolith.js';
import { rawExchange, type RawExchange, type RawResponse } from './helpers/raw-client.js';
import { startRawUpstream, type RawUpstream, type SeenRequest } from './helpers/raw-upstream.js';

const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: internal\r\n\r\n';
const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
const head = (method: string, headers: string[], target = '/api/orders') => `${method} ${target} HTTP/1.1\r\nHost: shop.example\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;

/** Framing Node's HTTP parser refuses before any handler runs: 400 and the connection closed. */
const REFUSED_BY_NODE: [string, string][] = [
  ['Content-Length and Transfer-Encoding (CL.TE)', `${head('POST', ['Content-Length: 6', 'Transfer-Encoding: chunked'])}0\r\n\r\n${SMUGGLED}`],
  ['Transfer-Encoding and Content-Length (TE.CL)', `${head('POST', ['Transfer-Encoding: chunked', 'Content-Length: 4'])}${chunk(SMUGGLED)}0\r\n\r\n`],
  ['duplicate Content-Length, same value', `${head('POST', ['Content-Length: 5', 'Content-Length: 5'])}hello`],
  ['conflicting Content-Length', `${head('POST', ['Content-Length: 5', `Content-Length: ${5 + SMUGGLED.length}`])}hello${SMUGGLED}`],
  ['Content-Length as a list', `${head('POST', ['Content-Length: 5, 5'])}hello`],
  ['negative Content-Length', `${head('POST', ['Content-Length: -5'])}hello`],
  ['signed Content-Length', `${head('POST', ['Content-Length: +5'])}hello`],
  ['Transfer-Encoding not ending in chunked', `${head('POST', ['Transfer-Encoding: chunked, identity'])}${chunk('hello')}0\r\n\r\n`],
  ['an unknown Transfer-Encoding', `${head('POST', ['Transfer-Encoding: xchunked'])}${chunk('hello')}0\r\n\r\n`],
  ['whitespace before the colon', `${head('POST', ['Transfer-Encoding : chunked'])}${chunk('hello')}0\r\n\r\n`],
  ['Transfer-Encoding chunked then identity', `${head('POST', ['Transfer-Encoding: chunked', 'Transfer-Encoding: identity'])}${chunk('hello')}0\r\n\r\n`],
  ['obsolete line folding', `${head('GET', ['X-Note: a', ' folded'])}`],
  ['obsolete line folding of Transfer-Encoding', `${head('POST', ['Transfer-Encoding:', ' chunked', 'Content-Length: 3'])}${chunk('hello')}0\r\n\r\n`],
  ['a bare CR in a header value', `${head('GET', ['X-Note: a\rb'])}`],
  ['a chunk size that is not hex', `${head('POST', ['Transfer-Encoding: chunked'])}zz\r\nhello\r\n0\r\n\r\n`],
  ['a negative chunk size', `${head('POST', ['Transfer-Encoding: chunked'])}-1\r\nhello\r\n0\r\n\r\n`],
  ['a 0x-prefixed chunk size', `${head('POST', ['Transfer-Encoding: chunked'])}0x5\r\nhello\r\n0\r\n\r\n`],
  ['a chunk size that overflows', `${head('POST', ['Transfer-Encoding: chunked'])}ffffffffffffffffffff\r\nhello\r\n0\r\n\r\n`],
  ['chunk data longer than its size', `${head('POST', ['Transfer-Encoding: chunked'])}5\r\nhelloXX\r\n0\r\n\r\n`],
  ['a bare LF after the chunk size', `${head('POST', ['Transfer-Encoding: chunked'])}5\nhello\r\n0\r\n\r\n`],
  ['Content-Length in the trailers', `${head('POST', ['Transfer-Encoding: chunked'])}${chunk('hello')}0\r\nContent-Length: 99\r\n\r\n`],
  ['LF-only line endings', `POST /api/orders HTTP/1.1\nHost: shop.example\nTransfer-Encoding: chunked\n\n5\nhello\n0\n\n`],
];

/**
 * Framing Node accepts but servers read differently (a coding before chunked, which some take as
 * the one that counts; an empty Transfer-Encoding, which Node reads as no body, so the chunks
 * after it become a second, broken request): figway refuses them on a route with 400
 * FIGWAY_REQUEST_BAD_FRAMING and closes the connection. The last field is true when Node may
 * reach that broken second request, and answer 400 itself, before figway has answered the first
 * (a body parser in front of figway waits for a body that never comes).
 */
const REFUSED_BY_FIGWAY: [string, string, boolean][] = [
  ['Transfer-Encoding identity then chunked', `${head('POST', ['Transfer-Encoding: identity', 'Transfer-Encoding: chunked'])}${chunk(SMUGGLED)}0\r\n\r\n`, false],
  ['Transfer-Encoding "identity, chunked"', `${head('POST', ['Transfer-Encoding: identity, chunked'])}${chunk(SMUGGLED)}0\r\n\r\n`, false],
  ['a coding before chunked', `${head('POST', ['Transfer-Encoding: x, chunked'])}${chunk(SMUGGLED)}0\r\n\r\n`, false],
  ['an empty list element before chunked', `${head('POST', ['Transfer-Encoding: ,chunked'])}${chunk(SMUGGLED)}0\r\n\r\n`, false],
  ['an empty Transfer-Encoding', `${head('POST', ['Transfer-Encoding: '])}${chunk(SMUGGLED)}0\r\n\r\n`, true],
  ['an empty Transfer-Encoding on GET, then a smuggled request', `${head('GET', ['Transfer-Encoding:'])}${SMUGGLED}`, false],
];

/** Requests Node accepts: figway may forward them, as exactly one request with plain framing and this body. */
const FORWARDED: [string, string, string][] = [
  ['a chunked body on GET', `${head('GET', ['Transfer-Encoding: chunked'])}${chunk(SMUGGLED)}0\r\n\r\n`, SMUGGLED],
  ['a chunked body on DELETE', `${head('DELETE', ['Transfer-Encoding: chunked'])}${chunk(SMUGGLED)}0\r\n\r\n`, SMUGGLED],
  ['a chunked body on HEAD', `${head('HEAD', ['Transfer-Encoding: chunked'])}${chunk(SMUGGLED)}0\r\n\r\n`, SMUGGLED],
  ['a Content-Length body on GET', `${head('GET', [`Content-Length: ${SMUGGLED.length}`])}${SMUGGLED}`, SMUGGLED],
  ['a Content-Length body on DELETE', `${head('DELETE', [`Content-Length: ${SMUGGLED.length}`])}${SMUGGLED}`, SMUGGLED],
  ['Transfer-Encoding with odd case and spacing', `${head('POST', ['Transfer-Encoding:   ChUnKeD  '])}${chunk(SMUGGLED)}0\r\n\r\n`, SMUGGLED],
  ['chunk extensions', `${head('POST', ['Transfer-Encoding: chunked'])}5;ext="${SMUGGLED.length}"\r\nhello\r\n0;last\r\n\r\n`, 'hello'],
  ['trailers after the last chunk', `${head('POST', ['Transfer-Encoding: chunked'])}${chunk('hello')}0\r\nX-Trailer: ${'x'.repeat(10)}\r\n\r\n`, 'hello'],
  ['Connection naming Content-Length', `${head('POST', ['Connection: keep-alive, content-length', `Content-Length: ${SMUGGLED.length}`])}${SMUGGLED}`, SMUGGLED],
  ['Connection naming Transfer-Encoding', `${head('POST', ['Connection: transfer-encoding', 'Transfer-Encoding: chunked'])}${chunk(SMUGGLED)}0\r\n\r\n`, SMUGGLED],
  ['HTTP/1.0 with a chunked body', `POST /api/orders HTTP/1.0\r\nHost: shop.example\r\nTransfer-Encoding: chunked\r\n\r\n${chunk(SMUGGLED)}0\r\n\r\n`, SMUGGLED],
  ['Expect: 100-continue', `${head('POST', ['Expect: 100-continue', `Content-Length: ${SMUGGLED.length}`])}${SMUGGLED}`, SMUGGLED],
  ['two Host headers', `${head('POST', ['Host: internal.example', `Content-Length: ${SMUGGLED.length}`])}${SMUGGLED}`, SMUGGLED],
];

function header(request: SeenRequest, name: string): string[] {
  return request.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
}

// Without a parser in every mode and engine; behind parsers in middleware mode (the only one where they run before figway).
const CASES = [
  ...GATEWAY_SETUPS.map((setup) => [`without a body parser, ${setup.label}`, false, setup] as const),
  ...GATEWAY_SETUPS.filter((setup) => setup.mode === 'middleware').map((setup) => [`behind express.json() and express.raw(), ${setup.label}`, true, setup] as const),
];

describe.each(CASES)('request smuggling (%s)', (_label, parsers, { mode, engine }) => {
  let upstream: RawUpstream;
  let monolith: Monolith;

  beforeAll(async () => {
    upstream = await startRawUpstream();
    monolith = await startMonolith(
      express,
      { config: { routes: [{ id: 'orders', match: { path: '/api/orders' }, upstream: upstream.url }] } },
      { mode, engine, ...(parsers ? { before: [express.json({ type: 'application/json' }), express.raw({ type: () => true })] } : {}) },
    );
  });
  afterAll(async () => {
    await monolith.close();
    await upstream.close();
  });

  /** Sends `payload` raw, then waits long enough for anything forwarded to arrive; returns the exchange and what the service saw. */
  async function exchange(payload: string | string[], gapMs?: number): Promise<{ client: RawExchange; seen: SeenRequest[] }> {
    const before = upstream.requests.length;
    const client = await rawExchange(monolith.port, payload, { gapMs, timeoutMs: 3000, quietMs: 40 });
    await new Promise((resolve) => setTimeout(resolve, 40));
    return { client, seen: upstream.requests.slice(before) };
  }

  // Node's parser refuses these before any middleware runs, so body parsers make no difference: once is enough.
  if (!parsers) {
    it.each(REFUSED_BY_NODE)('refuses %s with one 400 and sends nothing', async (_name, payload) => {
      const { client, seen } = await exchange(payload);
      expect(client.responses.map((r) => r.status)).toEqual([400]);
      expect(client.closed).toBe(true);
      expect(seen).toEqual([]);
    });
  }

  it.each(REFUSED_BY_FIGWAY)('refuses %s with one 400 FIGWAY_REQUEST_BAD_FRAMING, closes the connection and sends nothing', async (_name, payload, nodeMayAnswer) => {
    const { client, seen } = await exchange(payload);
    expect(seen).toEqual([]);
    expect(client.closed).toBe(true);
    expect(client.responses).toHaveLength(1);
    const [response] = client.responses as [RawResponse];
    if (parsers && nodeMayAnswer && response.headers['x-figway-error'] === undefined) {
      expect(response.status).toBe(400);
      expect(response.headers.connection).toBe('close');
    } else {
      expect([response.status, response.headers['x-figway-error'], response.headers.connection]).toEqual([400, 'FIGWAY_REQUEST_BAD_FRAMING', 'close']);
    }
  });

  it.each(FORWARDED)('forwards %s as exactly one plainly framed request', async (_name, payload, body) => {
    const { client, seen } = await exchange(payload);
    expect(seen, JSON.stringify(seen.map((r) => [r.method, r.headers, r.ambiguous]))).toHaveLength(1);
    const [request] = seen as [SeenRequest];
    expect(request.ambiguous, JSON.stringify(request.headers)).toBeUndefined();
    // Node answers Expect: 100-continue with an interim 100 itself; then exactly one final response.
    expect(client.responses.map((r) => r.status).filter((s) => s !== 100)).toEqual([200]);
    expect(request.complete).toBe(true);
    expect(request.target).toBe('/api/orders');
    expect(request.method).toBe(payload.slice(0, payload.indexOf(' ')));
    // The smuggled text stays a body, byte for byte; HEAD carries none.
    if (request.method !== 'HEAD') expect(request.body.toString('latin1')).toBe(body);
    const framing = [...header(request, 'content-length'), ...header(request, 'transfer-encoding')];
    expect(framing.length).toBeLessThanOrEqual(1);
    expect(upstream.requests.some((r) => r.target.includes('smuggled'))).toBe(false);
  });

  it('cuts the request to the service when a bad chunk arrives after forwarding began: the service never sees a complete request', async () => {
    const { client, seen } = await exchange([`${head('POST', ['Transfer-Encoding: chunked'])}${chunk('first part ')}`, `zz\r\n${SMUGGLED}\r\n0\r\n\r\n`], 150);
    expect(client.responses.filter((r) => r.status === 200)).toEqual([]);
    expect(client.responses.length).toBeLessThanOrEqual(1);
    expect(client.closed).toBe(true);
    expect(seen.filter((r) => r.complete)).toEqual([]);
    expect(upstream.requests.some((r) => r.target.includes('smuggled'))).toBe(false);
    await expect.poll(() => upstream.openConnections(), { timeout: 2000 }).toBeLessThanOrEqual(1);
  });

  it('cuts the request to the service when the client closes before its Content-Length is reached', async () => {
    const before = upstream.requests.length;
    await rawExchange(monolith.port, `${head('POST', ['Content-Length: 1000'])}only some of it`, { timeoutMs: 200 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(upstream.requests.slice(before).filter((r) => r.complete)).toEqual([]);
  });

  it('sends pipelined requests as separate requests, each with its own framing', async () => {
    const one = `${head('POST', [`Content-Length: 5`])}hello`;
    const two = `${head('GET', [])}`;
    const before = upstream.requests.length;
    const client = await rawExchange(monolith.port, one + two, { expect: 2 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(client.responses.map((r) => r.status)).toEqual([200, 200]);
    // Node hands pipelined requests to figway at once (answers go back in order), so they may reach the service in either order.
    const seen = upstream.requests.slice(before).sort((a, b) => b.method.localeCompare(a.method));
    expect(seen.map((r) => [r.method, r.target, r.body.toString(), r.complete, r.ambiguous])).toEqual([
      ['POST', '/api/orders', 'hello', true, undefined],
      ['GET', '/api/orders', '', true, undefined],
    ]);
  });
});
