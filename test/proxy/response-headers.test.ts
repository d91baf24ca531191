// The service's response head for the client: the same rules from Node's parsed headers and from undici's raw fields.
import { IncomingMessage, type IncomingHttpHeaders } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { compileRewrite } from '../../src/routing/upstream-path.js';
import { prepareResponseHeaders, responseFields } from '../../src/proxy/response-headers.js';

const mapping = {
  upstream: { url: new URL('http://orders.internal:4001/base'), config: { url: 'http://orders.internal:4001/base' } },
  rewrite: compileRewrite({ stripPrefix: '/api' }, false),
};

const client = (headers: Record<string, string>, httpVersion = '1.1') => ({ headers, httpVersion }) as unknown as IncomingMessage;

declare module 'node:http' {
  interface IncomingMessage {
    /** Node's own parser hook: adds raw header lines the way it does for a real response. */
    _addHeaderLines(headers: string[], n: number): void;
  }
}

/** What Node's client makes of a raw head, as a real Node client parses it. */
function parsed(raw: string[]): IncomingHttpHeaders {
  const message = new IncomingMessage(new Socket());
  message._addHeaderLines(raw, raw.length);
  return { ...message.headers };
}

/** responseFields' [name, value, ...] list as an object, to compare with prepareResponseHeaders. */
const asObject = (fields: (string | string[])[]) => Object.fromEntries(Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i], fields[2 * i + 1]]));

const CASES: [string, string[], Record<string, string>, string?][] = [
  [
    'hop-by-hop fields and those the service named in Connection go; Connection is figway\'s',
    ['Content-Type', 'text/plain', 'Connection', 'keep-alive, X-Internal', 'Keep-Alive', 'timeout=5', 'X-Internal', 'secret', 'Transfer-Encoding', 'chunked'],
    {},
  ],
  ['Connection: close when the client asked to close', ['Content-Length', '2'], { connection: 'close' }],
  ['no chunked framing for an HTTP/1.0 client', ['Transfer-Encoding', 'chunked', 'Content-Type', 'text/plain'], {}, '1.0'],
  [
    'a single-valued field sent twice keeps its first value; every Connection header names hop-by-hop fields',
    ['Location', '/base/one', 'Location', '/base/two', 'Content-Type', 'text/plain', 'Content-Type', 'text/html', 'Connection', 'x-secret', 'Connection', 'keep-alive', 'X-Secret', 's'],
    {},
  ],
  [
    'Location and Set-Cookie that name the service point at the public path; repeated fields merged',
    ['Location', 'http://orders.internal:4001/base/orders/7', 'Set-Cookie', 'sid=1; Domain=orders.internal; Path=/base/orders', 'Set-Cookie', 'theme=dark; Path=/', 'Vary', 'Accept', 'Vary', 'Cookie'],
    {},
  ],
];

describe('response headers', () => {
  it.each(CASES)('%s, the same from either form of the head', (_name, raw, requestHeaders, httpVersion) => {
    const req = client(requestHeaders, httpVersion);
    const headers = parsed(raw);
    prepareResponseHeaders(headers, req, mapping);
    expect(asObject(responseFields(raw.map((x) => Buffer.from(x, 'latin1')), req, mapping))).toEqual({ ...headers });
  });

  it('rewrites as documented', () => {
    const fields = asObject(responseFields(CASES[4]![1].map((x) => Buffer.from(x, 'latin1')), client({}), mapping));
    expect(fields).toEqual({
      location: '/api/orders/7',
      'set-cookie': ['sid=1; Path=/api/orders', 'theme=dark; Path=/'],
      vary: 'Accept, Cookie',
      connection: 'keep-alive',
    });
    const dropped = asObject(responseFields(CASES[0]![1].map((x) => Buffer.from(x, 'latin1')), client({}), mapping));
    expect(dropped).toEqual({ 'content-type': 'text/plain', 'transfer-encoding': 'chunked', connection: 'keep-alive' });
    const single = asObject(responseFields(CASES[3]![1].map((x) => Buffer.from(x, 'latin1')), client({}), mapping));
    expect(single).toEqual({ location: '/api/one', 'content-type': 'text/plain', connection: 'keep-alive' });
  });
});
